import { useTranslation } from 'react-i18next';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { formatClockTime } from '../../i18n/format';
import { TEXT_LIMIT, TEXT_WARNING_AT } from './limits';

export type DraftSaveStatus = 'empty' | 'unsaved' | 'saving' | 'saved' | 'error';

export interface DraftEditorProps {
  text: string;
  status: DraftSaveStatus;
  lastSavedAt: number | null;
  /** Already translated. */
  errorMessage: string | null;
  canDelete: boolean;
  /** Put the caret in the text at once (a new draft). */
  autoFocus?: boolean;
  onChange: (text: string) => void;
  onSave: () => void;
  onDelete: () => void;
  onDismissError: () => void;
}

export function DraftEditor({
  text,
  status,
  lastSavedAt,
  errorMessage,
  canDelete,
  autoFocus = false,
  onChange,
  onSave,
  onDelete,
  onDismissError,
}: DraftEditorProps) {
  const { t, i18n } = useTranslation();
  // UTF-16 code units, as LINE counts: '😀'.length === 2.
  const length = text.length;
  const counterClass =
    length >= TEXT_LIMIT ? 'editor__counter editor__counter--full' : length >= TEXT_WARNING_AT ? 'editor__counter editor__counter--warn' : 'editor__counter';
  const canSave = status === 'unsaved' || status === 'error';

  return (
    <div className="editor">
      {errorMessage ? (
        <Alert
          testId="draft-error"
          title={t('errors.title')}
          message={errorMessage}
          onDismiss={onDismissError}
          dismissLabel={t('errors.dismiss')}
        />
      ) : null}
      <label className="editor__label" htmlFor="draft-text">
        {t('drafts.editorLabel')}
      </label>
      <textarea
        id="draft-text"
        className="editor__textarea"
        data-testid="draft-text"
        value={text}
        maxLength={TEXT_LIMIT}
        autoFocus={autoFocus}
        placeholder={t('drafts.placeholder')}
        aria-describedby="draft-counter-description"
        onChange={(event) => onChange(event.currentTarget.value)}
        onKeyDown={(event) => {
          if ((event.metaKey || event.ctrlKey) && event.key.toLowerCase() === 's') {
            event.preventDefault();
            if (canSave) onSave();
          }
        }}
      />
      <div className="editor__footer">
        <div className="editor__status" aria-live="polite">
          {status === 'saving' ? (
            <span className="save-state save-state--saving">
              <span className="mini-spinner" aria-hidden="true" />
              {t('drafts.saving')}
            </span>
          ) : status === 'saved' ? (
            <span className="save-state save-state--saved" data-testid="draft-saved">
              <Icon name="check" size={16} />
              {lastSavedAt === null ? t('drafts.saved') : t('drafts.savedAt', { time: formatClockTime(lastSavedAt, i18n.language) })}
            </span>
          ) : status === 'unsaved' || status === 'error' ? (
            <span className="save-state save-state--unsaved">
              <span className="dot dot--unsaved" aria-hidden="true" />
              {t('drafts.unsaved')}
            </span>
          ) : (
            <span className="save-state">{t('drafts.autosaveHint')}</span>
          )}
        </div>
        <span className={counterClass} data-testid="draft-counter" aria-hidden="true">
          {length} / {TEXT_LIMIT}
        </span>
        <span id="draft-counter-description" className="visually-hidden">
          {t('drafts.counterLabel', { count: length, max: TEXT_LIMIT })}
        </span>
        <div className="editor__actions">
          {canDelete ? (
            <Button variant="ghost" icon="trash" onClick={onDelete} data-testid="draft-delete">
              {t('drafts.delete')}
            </Button>
          ) : null}
          <Button variant="primary" icon="check" onClick={onSave} disabled={!canSave} data-testid="draft-save">
            {t('drafts.save')}
          </Button>
        </div>
      </div>
    </div>
  );
}

import { useTranslation } from 'react-i18next';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { formatClockTime } from '../../i18n/format';

/** empty: nothing to save yet (a new draft is created by its first content). */
export type SaveStatusState = 'empty' | 'unsaved' | 'saving' | 'saved' | 'error';

export function SaveStatus({
  state,
  savedAt,
  onSave,
}: {
  state: SaveStatusState;
  savedAt: number | null;
  onSave: () => void;
}) {
  const { t, i18n } = useTranslation();
  let label;
  switch (state) {
    case 'saving':
      label = (
        <>
          <span className="mini-spinner" aria-hidden="true" />
          {t('composer.save.saving')}
        </>
      );
      break;
    case 'saved':
      label = (
        <>
          <Icon name="check" size={16} />
          {savedAt === null ? t('composer.save.saved') : t('composer.save.savedAt', { time: formatClockTime(savedAt, i18n.language) })}
        </>
      );
      break;
    case 'unsaved':
      label = (
        <>
          <span className="dot dot--unsaved" aria-hidden="true" />
          {t('composer.save.unsaved')}
        </>
      );
      break;
    case 'error':
      label = (
        <>
          <Icon name="alert" size={16} />
          {t('composer.save.error')}
        </>
      );
      break;
    case 'empty':
      label = t('composer.save.empty');
      break;
  }
  const canSave = state === 'unsaved' || state === 'error';
  return (
    <div className="save-bar">
      <span className={`save-state save-state--${state}`} data-testid="save-status" data-state={state} aria-live="polite">
        {label}
      </span>
      <Button size="sm" variant="secondary" icon="check" onClick={onSave} disabled={!canSave} data-testid="draft-save">
        {t('composer.save.now')}
      </Button>
    </div>
  );
}

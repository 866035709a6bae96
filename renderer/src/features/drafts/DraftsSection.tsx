import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { Spinner } from '../../components/Spinner';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { useNow } from '../../i18n/format';
import { isDirty, isSaved, useAppStore, type OpenDraft } from '../../store';
import { useDraftActions, useDraftsList, useOpenDraft } from '../../store/selectors';
import { DraftEditor, type DraftSaveStatus } from './DraftEditor';
import { DraftList } from './DraftList';

function saveStatusOf(draft: OpenDraft): DraftSaveStatus {
  if (draft.saveState === 'saving') return 'saving';
  if (draft.saveState === 'error') return 'error';
  if (isSaved(draft)) return 'saved';
  return isDirty(draft) ? 'unsaved' : 'empty';
}

/** 草稿: the list on the left, the open draft on the right. Reads the store; the store calls the bridge. */
export function DraftsSection() {
  const { t } = useTranslation();
  const now = useNow();
  const { summaries, listState, error: listError, openId } = useDraftsList();
  const openDraft = useOpenDraft();
  const actions = useDraftActions();
  const loadDrafts = useAppStore((state) => state.loadDrafts);
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  useEffect(() => {
    void loadDrafts();
    // Leaving the section saves what is pending instead of waiting for the autosave timer.
    return () => void useAppStore.getState().saveOpenDraft();
  }, [loadDrafts]);

  const newDraftButton = (
    <Button variant="primary" icon="plus" onClick={() => void actions.startNewDraft()} data-testid="draft-new">
      {t('drafts.new')}
    </Button>
  );

  return (
    <section className="section" data-testid="section-drafts" aria-labelledby="section-drafts-title">
      <PageHeader titleId="section-drafts-title" title={t('drafts.title')} subtitle={t('drafts.subtitle')} actions={newDraftButton} />
      {listError ? (
        <div className="section__alerts">
          <Alert
            testId="drafts-error"
            message={t(ERROR_MESSAGE_KEYS[listError])}
            onDismiss={actions.dismissDraftsError}
            dismissLabel={t('errors.dismiss')}
          />
        </div>
      ) : null}
      <div className="split">
        <div className="split__list">
          {listState === 'loading' && summaries.length === 0 ? (
            <Spinner label={t('drafts.loading')} />
          ) : summaries.length === 0 && !(openDraft && openDraft.id === null) ? (
            <EmptyState compact icon="drafts" title={t('drafts.emptyTitle')} body={t('drafts.emptyBody')} />
          ) : (
            <DraftList
              drafts={summaries}
              selectedId={openId}
              hasUnsavedNew={openDraft !== null && openDraft.id === null}
              now={now}
              onSelect={(id) => void actions.selectDraft(id)}
            />
          )}
        </div>
        <div className="split__detail">
          {openDraft ? (
            <DraftEditor
              key={openDraft.key}
              text={openDraft.text}
              status={saveStatusOf(openDraft)}
              lastSavedAt={openDraft.lastSavedAt}
              errorMessage={openDraft.error ? t(ERROR_MESSAGE_KEYS[openDraft.error]) : null}
              canDelete={openDraft.id !== null}
              autoFocus={openDraft.id === null}
              onChange={actions.editOpenDraft}
              onSave={() => void actions.saveOpenDraft()}
              onDelete={() => setConfirmingDelete(true)}
              onDismissError={actions.dismissOpenDraftError}
            />
          ) : (
            <EmptyState icon="drafts" title={t('drafts.noneOpenTitle')} body={t('drafts.noneOpenBody')} />
          )}
        </div>
      </div>
      {confirmingDelete ? (
        <ConfirmDialog
          title={t('drafts.deleteTitle')}
          body={t('drafts.deleteBody')}
          confirmLabel={t('drafts.deleteConfirm')}
          cancelLabel={t('drafts.cancel')}
          confirmTestId="draft-delete-confirm"
          onCancel={() => setConfirmingDelete(false)}
          onConfirm={() => {
            setConfirmingDelete(false);
            void actions.deleteOpenDraft();
          }}
        />
      ) : null}
    </section>
  );
}

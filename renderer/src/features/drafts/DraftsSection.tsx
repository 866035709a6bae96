import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { Spinner } from '../../components/Spinner';
import { imageUrl } from '../../bridge';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { useNow } from '../../i18n/format';
import { useAppStore } from '../../store';
import { Composer } from '../composer/Composer';
import { DraftList } from './DraftList';

const thumbUrl = (sha256: string) => imageUrl(sha256, 'thumb');

/** 草稿: the drafts list (open, duplicate, delete), or the open draft in the composer. */
export function DraftsSection() {
  const { t } = useTranslation();
  const now = useNow();
  const composerOpen = useAppStore((state) => state.composer?.origin === 'drafts');
  const opening = useAppStore((state) => state.composerOpening === 'drafts');
  const list = useAppStore(
    useShallow((state) => ({
      summaries: state.draftSummaries,
      listState: state.draftsListState,
      error: state.draftsError,
      busyId: state.busyDraftId,
      duplicatedId: state.duplicatedId,
    })),
  );
  const actions = useAppStore(
    useShallow((state) => ({
      loadDrafts: state.loadDrafts,
      openDraft: state.openDraft,
      startNewDraft: state.startNewDraft,
      closeComposer: state.closeComposer,
      duplicateDraft: state.duplicateDraft,
      deleteDraft: state.deleteDraft,
      dismissDraftsError: state.dismissDraftsError,
    })),
  );
  const [confirmingDelete, setConfirmingDelete] = useState<string | null>(null);
  const { loadDrafts } = actions;

  useEffect(() => {
    void loadDrafts();
  }, [loadDrafts]);

  const newDraftButton = (
    <Button variant="primary" icon="plus" onClick={() => void actions.startNewDraft()} data-testid="draft-new">
      {t('drafts.new')}
    </Button>
  );

  let body;
  if (composerOpen) {
    body = (
      <div className="section__body section__body--composer">
        <Composer onBack={() => void actions.closeComposer()} />
      </div>
    );
  } else {
    body = (
      <div className="section__body">
        {opening ? <Spinner label={t('composer.opening')} /> : null}
        {list.listState === 'loading' && list.summaries.length === 0 ? (
          <Spinner label={t('drafts.loading')} />
        ) : list.summaries.length === 0 ? (
          <EmptyState icon="drafts" title={t('drafts.emptyTitle')} body={t('drafts.emptyBody')} />
        ) : (
          <DraftList
            drafts={list.summaries}
            now={now}
            busyId={list.busyId}
            highlightId={list.duplicatedId}
            thumbUrl={thumbUrl}
            onOpen={(id) => void actions.openDraft(id)}
            onDuplicate={(id) => void actions.duplicateDraft(id)}
            onDelete={(id) => setConfirmingDelete(id)}
          />
        )}
      </div>
    );
  }

  return (
    <section className="section" data-testid="section-drafts" aria-labelledby="section-drafts-title">
      <PageHeader
        titleId="section-drafts-title"
        title={t('drafts.title')}
        subtitle={t('drafts.subtitle')}
        actions={composerOpen ? undefined : newDraftButton}
      />
      {list.error ? (
        <div className="section__alerts">
          <Alert
            testId="drafts-error"
            message={t(ERROR_MESSAGE_KEYS[list.error])}
            onDismiss={actions.dismissDraftsError}
            dismissLabel={t('errors.dismiss')}
          />
        </div>
      ) : null}
      {body}
      {confirmingDelete !== null ? (
        <ConfirmDialog
          title={t('drafts.deleteTitle')}
          body={t('drafts.deleteBody')}
          confirmLabel={t('drafts.deleteConfirm')}
          cancelLabel={t('drafts.cancel')}
          confirmTestId="draft-delete-confirm"
          onCancel={() => setConfirmingDelete(null)}
          onConfirm={() => {
            const id = confirmingDelete;
            setConfirmingDelete(null);
            void actions.deleteDraft(id);
          }}
        />
      ) : null}
    </section>
  );
}

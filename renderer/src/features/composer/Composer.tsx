import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { SelectionSummary, TemplateCatalog } from '../../../../preload/contract';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { imageUrl } from '../../bridge';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { useNow } from '../../i18n/format';
import { type OpenComposer, pendingSave, useAppStore } from '../../store';
import { DraftBroadcasts, SendConfirmContainer, useSendBlock } from '../broadcast/containers';
import { CheckPanel } from './CheckPanel';
import { clipboardFiles, firstImageFile } from './files';
import { ImageField } from './ImageField';
import { reasonMessage } from './labels';
import { findTemplate, shiftLinks } from './model';
import { LinePreview, WhatsAppPreview } from './Preview';
import { type RecipientCounts, RecipientsHeader } from './RecipientsHeader';
import { SaveStatus, type SaveStatusState } from './SaveStatus';
import { LinkList, TextField } from './TextField';
import { type WhatsAppNumberView, WhatsAppPart } from './WhatsAppPart';

function saveStatusOf(composer: OpenComposer): SaveStatusState {
  if (composer.saveState === 'saving') return 'saving';
  if (composer.saveState === 'error') return 'error';
  const pending = pendingSave(composer) !== null;
  if (composer.id === null) return pending ? 'unsaved' : 'empty';
  return pending ? 'unsaved' : 'saved';
}

/**
 * The WhatsApp numbers of the selection: main's check names them once the draft exists; before that (the events
 * composer's first moments) the selection's summary does.
 */
function whatsappNumbers(
  composer: OpenComposer,
  summary: SelectionSummary | null,
  catalog: TemplateCatalog | null,
): WhatsAppNumberView[] {
  const base = composer.check
    ? composer.check.whatsapp.map((number) => ({
        phoneNumberId: number.phoneNumberId,
        name: number.name,
        displayNumber: number.displayNumber,
        recipients: number.recipients,
      }))
    : composer.origin === 'events' && summary
      ? summary.accounts
          .filter((account) => account.channel === 'whatsapp')
          .map((account) => ({ phoneNumberId: account.id, name: account.name, displayNumber: '', recipients: account.count }))
      : [];
  return base.map((number) => {
    const cached = catalog?.numbers.find((candidate) => candidate.phoneNumberId === number.phoneNumberId) ?? null;
    return {
      ...number,
      name: number.name || cached?.name || number.phoneNumberId,
      displayNumber: number.displayNumber || cached?.displayNumber || '',
      templates: cached ? cached.templates : null,
      fetchedAt: cached?.fetchedAt ?? null,
      fetchError: cached?.error ?? null,
      draft: composer.whatsapp.numbers.find((candidate) => candidate.phoneNumberId === number.phoneNumberId) ?? null,
    };
  });
}

function recipientsOf(composer: OpenComposer, summary: SelectionSummary | null): RecipientCounts | null {
  if (composer.check) return composer.check.recipients;
  if (composer.origin === 'events' && summary) {
    return { total: summary.total, line: summary.line, whatsapp: summary.whatsapp, dropped: summary.dropped };
  }
  return null;
}

/**
 * The composer (批量動作 → 發送訊息, or a draft of 草稿): one image and one text for LINE, a template per WhatsApp
 * number, the preview as the customers' phones show it, and main's check. Everything autosaves into the draft.
 */
export function Composer({ onBack }: { onBack: () => void }) {
  const composer = useAppStore((state) => state.composer);
  if (!composer) return null;
  return <ComposerView composer={composer} onBack={onBack} />;
}

function ComposerView({ composer, onBack }: { composer: OpenComposer; onBack: () => void }) {
  const { t } = useTranslation();
  const now = useNow();
  const templates = useAppStore((state) => state.templates);
  const summaryState = useAppStore((state) => state.sendSummary);
  const online = useAppStore((state) => state.status?.online ?? false);
  const lineName = useAppStore((state) => state.session?.channels.find((channel) => channel.channel === 'line')?.name ?? null);
  const actions = useAppStore(
    useShallow((state) => ({
      editText: state.editText,
      importImage: state.importImage,
      removeImage: state.removeImage,
      chooseTemplate: state.chooseTemplate,
      setTemplateParam: state.setTemplateParam,
      saveComposer: state.saveComposer,
      ensureTemplates: state.ensureTemplates,
      loadTemplates: state.loadTemplates,
      summarizeSelection: state.summarizeSelection,
      refreshCheck: state.refreshCheck,
      deleteDraft: state.deleteDraft,
      dismissComposerError: state.dismissComposerError,
      dismissImageError: state.dismissImageError,
      startSend: state.startSend,
    })),
  );
  const sendBlock = useSendBlock(composer);
  const sendStarting = useAppStore((state) => state.sendFlow?.composerKey === composer.key);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const { origin, check } = composer;
  const summary = origin === 'events' ? summaryState.summary : null;
  const numbers = whatsappNumbers(composer, summary, templates.catalog);
  const hasWhatsApp = numbers.length > 0;
  const recipients = recipientsOf(composer, summary);
  const links = useMemo(
    () => (check ? shiftLinks(check.links, composer.checkedText, composer.text) : []),
    [check, composer.checkedText, composer.text],
  );

  // A pasted image (a screenshot, a copied file) anywhere while the composer is open; a pasted text is left alone.
  const { importImage, ensureTemplates } = actions;
  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const file = firstImageFile(clipboardFiles(event.clipboardData));
      if (!file) return;
      event.preventDefault();
      void importImage(file);
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [importImage]);

  // Leaving (back, another section, closing the window) saves what is pending instead of waiting for the timer.
  useEffect(() => {
    const save = () => void useAppStore.getState().saveComposer();
    window.addEventListener('pagehide', save);
    return () => {
      window.removeEventListener('pagehide', save);
      save();
    };
  }, []);

  useEffect(() => {
    if (hasWhatsApp) void ensureTemplates();
  }, [hasWhatsApp, ensureTemplates]);

  const saveState = saveStatusOf(composer);
  const checking =
    composer.saveState === 'saving' ||
    pendingSave(composer) !== null ||
    (composer.id !== null && composer.checkError === null && composer.check?.updatedAt !== composer.updatedAt);
  const image = composer.image;
  const previewUrl = image ? imageUrl(image.sha256, 'preview') || null : null;
  const showLine = !recipients || recipients.line > 0 || !hasWhatsApp;
  const catalogError = templates.error ? t('composer.whatsapp.loadFailed', { reason: reasonMessage(t, templates.error) }) : null;
  const summaryError =
    origin === 'events' && summaryState.state === 'failed' && !check
      ? t(ERROR_MESSAGE_KEYS[summaryState.error ?? 'internal'])
      : composer.checkError && !check && !summary
        ? t(ERROR_MESSAGE_KEYS[composer.checkError])
        : null;

  return (
    <div className="composer" data-testid="composer" data-origin={origin} data-draft-id={composer.id ?? undefined}>
      <div className="composer__top">
        <Button icon="chevronLeft" size="sm" variant="secondary" onClick={onBack} data-testid="composer-back">
          {origin === 'events' ? t('composer.backToEvents') : t('composer.backToDrafts')}
        </Button>
        <h2 className="composer__title">{origin === 'events' ? t('composer.titleSend') : t('composer.titleDraft')}</h2>
        <div className="composer__top-end">
          <SaveStatus state={saveState} savedAt={composer.id === null ? null : composer.updatedAt} onSave={() => void actions.saveComposer()} />
          {origin === 'drafts' && composer.id !== null ? (
            <Button size="sm" variant="ghost" icon="trash" onClick={() => setConfirmingDelete(true)} data-testid="composer-delete">
              {t('composer.delete')}
            </Button>
          ) : null}
        </div>
      </div>
      {composer.error ? (
        <Alert
          testId="draft-error"
          title={t('errors.title')}
          message={t(ERROR_MESSAGE_KEYS[composer.error])}
          onDismiss={actions.dismissComposerError}
          dismissLabel={t('errors.dismiss')}
        />
      ) : null}
      <DraftBroadcasts draftId={composer.id} />
      <RecipientsHeader
        recipients={recipients}
        hasSelection={composer.selection !== null}
        loading={origin === 'events' && summaryState.state === 'loading' && !check}
        errorMessage={summaryError}
        onRetry={() => void (origin === 'events' && !check ? actions.summarizeSelection() : actions.refreshCheck())}
      />
      <div className="composer__layout">
        <div className="composer__main">
          <ImageField
            image={image}
            thumbUrl={image ? imageUrl(image.sha256, 'thumb') || null : null}
            busy={composer.imageIntake.busy}
            errorMessage={composer.imageIntake.error ? t(ERROR_MESSAGE_KEYS[composer.imageIntake.error]) : null}
            errorFileName={composer.imageIntake.name}
            onFile={(file) => void importImage(file)}
            onRemove={actions.removeImage}
            onDismissError={actions.dismissImageError}
          />
          <TextField
            text={composer.text}
            links={links}
            taggedLength={check && check.utm ? check.text.taggedLength : null}
            autoFocus={origin === 'drafts' && composer.id === null}
            onChange={actions.editText}
            onSave={() => void actions.saveComposer()}
          />
          <LinkList links={check?.links ?? []} utm={check?.utm ?? false} />
          {hasWhatsApp ? (
            <WhatsAppPart
              numbers={numbers}
              loading={templates.state === 'loading' && templates.catalog === null}
              refreshing={templates.refreshing}
              online={online}
              catalogError={catalogError}
              hasImage={image !== null}
              now={now}
              onRefresh={() => void actions.loadTemplates(true)}
              onChoose={actions.chooseTemplate}
              onParam={actions.setTemplateParam}
            />
          ) : null}
        </div>
        <aside className="composer__side">
          <CheckPanel
            check={check}
            pending={composer.id === null}
            checking={checking}
            errorMessage={composer.checkError ? t('composer.check.failed', { reason: t(ERROR_MESSAGE_KEYS[composer.checkError]) }) : null}
            sendBlockedReason={sendBlock === null ? null : t(`broadcast.blocked.${sendBlock}`)}
            sendStarting={sendStarting}
            onSend={() => void actions.startSend()}
          />
          <section className="preview" data-testid="preview" aria-labelledby="composer-preview-title">
            <h3 className="preview__title" id="composer-preview-title">
              {t('composer.preview.title')}
            </h3>
            <div className="phones">
              {showLine ? (
                <LinePreview accountName={lineName} imageUrl={previewUrl} text={composer.text} links={links} utm={check?.utm ?? false} />
              ) : null}
              {numbers.map((number) => {
                const checked = check?.whatsapp.find((candidate) => candidate.phoneNumberId === number.phoneNumberId) ?? null;
                return (
                  <WhatsAppPreview
                    key={number.phoneNumberId}
                    number={number}
                    template={checked?.template ?? findTemplate(number.templates, number.draft?.template ?? null)}
                    sample={checked?.sample ?? null}
                    imageUrl={previewUrl}
                  />
                );
              })}
            </div>
          </section>
        </aside>
      </div>
      <SendConfirmContainer composerKey={composer.key} />
      {confirmingDelete && composer.id !== null ? (
        <ConfirmDialog
          title={t('drafts.deleteTitle')}
          body={t('drafts.deleteBody')}
          confirmLabel={t('drafts.deleteConfirm')}
          cancelLabel={t('drafts.cancel')}
          confirmTestId="draft-delete-confirm"
          onCancel={() => setConfirmingDelete(false)}
          onConfirm={() => {
            const id = composer.id;
            setConfirmingDelete(false);
            if (id !== null) void actions.deleteDraft(id);
          }}
        />
      ) : null}
    </div>
  );
}

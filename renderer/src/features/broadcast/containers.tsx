/**
 * The broadcast containers: they read the store and call its actions; what they draw is SendConfirm and
 * BroadcastProgressView.
 */
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { type AppStore, type BroadcastEntry, type OpenComposer, useAppStore } from '../../store';
import { BroadcastProgressView } from './BroadcastProgressView';
import { prepareErrorMessage, stateLabel } from './labels';
import { isFinalState, newestFirst, percentDone } from './model';
import { SendConfirm } from './SendConfirm';

/** Why 發送 is not available for this composer (a key of broadcast.blocked), or null when it is. */
export type SendBlock = 'signedOut' | 'plan' | 'role' | 'pending' | 'sending' | 'checking' | 'notReady';

/**
 * A send is offered for a ready check. Edits made since that check do not disable it (no flicker while typing):
 * 發送 saves them first, and main checks again before it confirms (draft_not_ready).
 */
export function useSendBlock(composer: OpenComposer): SendBlock | null {
  const session = useAppStore((state) => state.session);
  const id = composer.id;
  const sending = useAppStore((state) =>
    id === null ? false : Object.values(state.broadcasts).some((entry) => entry.progress.draftId === id && !isFinalState(entry.progress.state)),
  );
  if (!session?.signedIn) return 'signedOut';
  if (!session.canBroadcast) return session.broadcastBlock === 'plan' ? 'plan' : 'role';
  if (id === null) return 'pending';
  // Sending the same message again while it is still going out would reach the same customers twice.
  if (sending) return 'sending';
  if (!composer.check) return composer.checkError ? 'notReady' : 'checking';
  return composer.check.ready ? null : 'notReady';
}

/** The confirmation dialog of the open composer, while there is one. */
export function SendConfirmContainer({ composerKey }: { composerKey: number }) {
  const { t } = useTranslation();
  const flow = useAppStore((state) => (state.sendFlow?.composerKey === composerKey ? state.sendFlow : null));
  const actions = useAppStore(
    useShallow((state) => ({
      closeSend: state.closeSend,
      confirmSend: state.confirmSend,
      retryPrepare: state.retryPrepare,
    })),
  );
  if (!flow) return null;
  const errorMessage = flow.error ? prepareErrorMessage(t, flow.error) : null;
  const renewedMessage =
    flow.renewedAfter === null ? null : t(flow.renewedAfter === 'plan_expired' ? 'broadcast.confirm.renewed_plan_expired' : 'broadcast.confirm.renewed_over_limit');
  return (
    <SendConfirm
      phase={flow.phase}
      plan={flow.plan}
      errorMessage={errorMessage}
      renewedMessage={renewedMessage}
      onCancel={actions.closeSend}
      onGo={() => void actions.confirmSend(false)}
      onFit={() => void actions.confirmSend(true)}
      onRetry={() => void actions.retryPrepare()}
    />
  );
}

/** The confirmation of a retry (重試失敗 / 重送狀態不明) of this broadcast, while there is one. */
export function RetryConfirmContainer({ originId }: { originId: string }) {
  const { t } = useTranslation();
  const flow = useAppStore((state) => (state.sendFlow?.retry?.originId === originId ? state.sendFlow : null));
  const actions = useAppStore(
    useShallow((state) => ({
      closeSend: state.closeSend,
      confirmSend: state.confirmSend,
      retryPrepare: state.retryPrepare,
    })),
  );
  if (!flow?.retry) return null;
  const resend = flow.retry.mode === 'resend_unknown';
  const errorMessage = flow.error ? prepareErrorMessage(t, flow.error) : null;
  const renewedMessage =
    flow.renewedAfter === null ? null : t(flow.renewedAfter === 'plan_expired' ? 'broadcast.confirm.renewed_plan_expired' : 'broadcast.confirm.renewed_over_limit');
  return (
    <SendConfirm
      phase={flow.phase}
      plan={flow.plan}
      errorMessage={errorMessage}
      renewedMessage={renewedMessage}
      title={t(resend ? 'history.detail.confirmResendTitle' : 'history.detail.confirmRetryTitle')}
      warning={resend ? t('history.detail.resendWarning') : null}
      onCancel={actions.closeSend}
      onGo={() => void actions.confirmSend(false)}
      onFit={() => void actions.confirmSend(true)}
      onRetry={() => void actions.retryPrepare()}
    />
  );
}

function BroadcastEntryView({ entry }: { entry: BroadcastEntry }) {
  const { t } = useTranslation();
  const actions = useAppStore(
    useShallow((state) => ({
      pause: state.pauseBroadcast,
      resume: state.resumeBroadcast,
      cancel: state.cancelBroadcast,
      dismiss: state.dismissBroadcast,
      loadProblems: state.loadBroadcastProblems,
    })),
  );
  const { id } = entry.progress;
  return (
    <BroadcastProgressView
      progress={entry.progress}
      busy={entry.busy}
      errorMessage={entry.error ? t(ERROR_MESSAGE_KEYS[entry.error]) : null}
      problems={entry.problems}
      onRetryProblems={() => void actions.loadProblems(id)}
      onPause={() => void actions.pause(id)}
      onResume={() => void actions.resume(id)}
      onCancel={() => void actions.cancel(id)}
      onDismiss={() => actions.dismiss(id)}
    />
  );
}

/** Broadcasts still shown (running, or finished with the notice not yet closed), newest first. */
function shownBroadcasts(state: AppStore, keep: (entry: BroadcastEntry) => boolean): BroadcastEntry[] {
  return Object.values(state.broadcasts)
    .filter((entry) => !entry.dismissed && keep(entry))
    .sort((a, b) => newestFirst(a.progress, b.progress));
}

/** At the top of the composer: the sends of this draft. */
export function DraftBroadcasts({ draftId }: { draftId: string | null }) {
  const entries = useAppStore(useShallow((state) => (draftId === null ? [] : shownBroadcasts(state, (entry) => entry.progress.draftId === draftId))));
  if (entries.length === 0) return null;
  return (
    <div className="send-progress-list">
      {entries.map((entry) => (
        <BroadcastEntryView key={entry.progress.id} entry={entry} />
      ))}
    </div>
  );
}

/** The sends among these ids still shown (a broadcast opened in 發送紀錄, and the retries sent from it). */
export function BroadcastsById({ ids }: { ids: readonly string[] }) {
  const entries = useAppStore(useShallow((state) => shownBroadcasts(state, (entry) => ids.includes(entry.progress.id))));
  if (entries.length === 0) return null;
  return (
    <div className="send-progress-list" data-testid="history-progress">
      {entries.map((entry) => (
        <BroadcastEntryView key={entry.progress.id} entry={entry} />
      ))}
    </div>
  );
}

/**
 * At the top of 對話: every send shown, so the user can leave the composer (or restart the app) and still follow and
 * control it. The open composer's own sends are drawn by the composer.
 */
export function BroadcastsPanel() {
  const { t } = useTranslation();
  // The events composer, when it is what 對話 shows, draws its own draft's sends.
  const composerDraftId = useAppStore((state) =>
    state.eventsView === 'composer' && state.composer?.origin === 'events' ? state.composer.id : null,
  );
  const entries = useAppStore(
    useShallow((state) => shownBroadcasts(state, (entry) => composerDraftId === null || entry.progress.draftId !== composerDraftId)),
  );
  if (entries.length === 0) return null;
  return (
    <div className="send-progress-list send-progress-list--panel" data-testid="broadcasts-panel" role="region" aria-label={t('broadcast.panelLabel')}>
      {entries.map((entry) => (
        <BroadcastEntryView key={entry.progress.id} entry={entry} />
      ))}
    </div>
  );
}

/** In the status bar: the newest running send (or the last finished one), as a small bar; a click opens 對話. */
export function StatusBroadcast() {
  const { t } = useTranslation();
  const entries = useAppStore(useShallow((state) => shownBroadcasts(state, () => true)));
  const setSection = useAppStore((state) => state.setSection);
  const current = entries.find((entry) => !isFinalState(entry.progress.state)) ?? entries[0];
  if (!current) return null;
  const { progress } = current;
  const percent = percentDone(progress);
  const others = entries.length - 1;
  return (
    <button
      type="button"
      className="statusbar__item statusbar__broadcast"
      data-testid="status-broadcast"
      data-state={progress.state}
      title={t('broadcast.status.open')}
      onClick={() => setSection('events')}
    >
      <span className="statusbar__bar" aria-hidden="true">
        <span style={{ width: `${percent}%` }} />
      </span>
      <span>{t('broadcast.status.item', { state: stateLabel(t, progress.state), percent })}</span>
      {others > 0 ? <span className="statusbar__more">{t('broadcast.status.more', { n: others })}</span> : null}
    </button>
  );
}

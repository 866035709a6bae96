/**
 * Module-level actions: start-up and the push-event subscriptions, which live once per window, outside any component.
 */
import { onPush } from '../bridge';
import { isFinalState } from '../features/broadcast/model';
import { mark } from '../perf/marks';
import { dropPrefetchedEvents, prefetchEvents } from './eventsSlice';
import { useAppStore } from './index';

let unsubscribeAll: (() => void) | null = null;

/** Subscribes to main's push events once; later calls are no-ops until `disconnectPushEvents`. */
export function connectPushEvents(): void {
  if (unsubscribeAll) return;
  const {
    setStatus,
    applySettings,
    loadDrafts,
    applyWorkspace,
    applySession,
    applySyncStatus,
    loadEvents,
    applyBroadcastProgress,
    applyHistoryProgress,
  } = useAppStore.getState();
  const unsubscribers = [
    onPush('app.status', (status) => setStatus(status)),
    onPush('session.changed', (info) => applySession(info)),
    onPush('sync.status', (status) => applySyncStatus(status)),
    // The cache changed: reload the list unless it is already this version (or nobody is signed in).
    onPush('events.changed', ({ version }) => {
      const { session, eventIndex } = useAppStore.getState();
      if (!session?.signedIn && !session?.expired) return;
      if (eventIndex?.version === version) return;
      void loadEvents();
    }),
    onPush('settings.changed', (settings) => applySettings(settings)),
    onPush('drafts.changed', () => void loadDrafts()),
    onPush('workspace.changed', (info) => applyWorkspace(info)),
    onPush('broadcast.progress', (progress) => {
      applyBroadcastProgress(progress);
      // 發送紀錄 follows it; once it ends, the report's counters have moved too.
      applyHistoryProgress(progress);
      const { reportState, loadReport } = useAppStore.getState();
      if (isFinalState(progress.state) && reportState !== 'idle') void loadReport();
    }),
  ];
  unsubscribeAll = () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}

export function disconnectPushEvents(): void {
  unsubscribeAll?.();
  unsubscribeAll = null;
}

/**
 * Loads what the shell needs: settings and the workspace alongside app.info, so the first ready frame is already in the
 * user's language and already knows whether to welcome a new user. Safe to call twice (React StrictMode): a start in flight or done is not repeated.
 */
export async function startApp(): Promise<void> {
  const store = useAppStore;
  const { loadState } = store.getState();
  if (loadState === 'loading' || loadState === 'ready') return;
  mark('omo:start');
  store.setState({ loadState: 'loading', bridgeError: null });
  connectPushEvents();
  // The workspace decides what the first frame shows (the onboarding screen or the sections), so it loads with them.
  const loading = Promise.all([
    store.getState().loadAppInfo(),
    store.getState().loadSettings(),
    store.getState().loadWorkspace(),
    // The session decides whether 對話 shows the grid or the sign-in prompt, so it is known before the first frame.
    store.getState().loadSession(),
  ]);
  // The event list is the biggest answer by far: ask for it now, not after the session's round trip (and after the
  // small calls above, so their answers are not queued behind it).
  prefetchEvents();
  const [infoLoaded] = await loading;
  mark('omo:start-loaded');
  dropPrefetchedEvents();
  store.setState({ loadState: infoLoaded ? 'ready' : 'failed' });
  if (infoLoaded) {
    void store.getState().loadDrafts();
    // Sends that were running when the app last closed resume in main: show their progress.
    void store.getState().loadActiveBroadcasts();
  }
}

import type { SessionInfo } from '../../../preload/contract';
import { api } from '../bridge';
import { emptySelection } from './selectionSlice';
import type { SessionSlice, SliceCreator } from './types';

/** Whose events the store holds ("inboxUrl|account"), so another account's sign-in starts from an empty grid. */
let heldIdentity: string | null = null;
/** Only the newest session.get answer is applied (a push and a get can cross). */
let sessionRequest = 0;

function identityOf(info: SessionInfo): string | null {
  return info.account === null ? null : `${info.inboxUrl ?? ''}|${info.account}`;
}

export const createSessionSlice: SliceCreator<SessionSlice> = (set, get) => ({
  session: null,
  sessionError: null,
  signInState: { pending: false, error: null },
  signOutPending: false,

  loadSession: async () => {
    const request = ++sessionRequest;
    const result = await api.getSession();
    if (request !== sessionRequest) return;
    if (result.ok) get().applySession(result.value);
    else set({ sessionError: result.error.code });
  },

  applySession: (info) => {
    sessionRequest++;
    const previous = get().session;
    set({ session: info, sessionError: null });
    if (!info.signedIn) {
      // Expired: the cache and the selection stay until the user signs in again; signed out: they are gone.
      if (!info.expired) {
        heldIdentity = null;
        get().resetEvents();
        return;
      }
      // Expired at start: show the cached list, if main still serves it, under the banner.
      const identity = identityOf(info);
      if (heldIdentity !== null && heldIdentity !== identity) get().resetEvents();
      heldIdentity = identity;
      if (get().eventList === null && get().eventsLoad !== 'loading') void get().loadEvents();
      return;
    }
    const identity = identityOf(info);
    if (heldIdentity !== null && heldIdentity !== identity) get().resetEvents();
    const reload = heldIdentity !== identity || !previous?.signedIn || get().eventList === null;
    heldIdentity = identity;
    if (!info.canBroadcast && (get().batchMode || get().selection.size > 0)) {
      set({ batchMode: false, eventsView: 'grid', ...emptySelection(), anchorId: null });
    }
    if (reload) {
      void get().loadEvents();
      void get().loadSyncStatus();
    }
  },

  signIn: async (input) => {
    if (get().signInState.pending) return false;
    set({ signInState: { pending: true, error: null } });
    const firstStart = get().status?.mode === 'setup';
    const result = await api.signIn(input);
    if (!result.ok) {
      set({ signInState: { pending: false, error: result.error.code } });
      return false;
    }
    get().applySession(result.value);
    // Signing in to a workspace of one's own changes the workspace and the mode; their pushes may come later than
    // this answer, so read both now and the first-start screen never flashes back.
    await Promise.all([get().loadAppInfo(), get().loadWorkspace()]);
    set({ signInState: { pending: false, error: null }, ...(firstStart ? { section: 'events' as const } : {}) });
    return true;
  },

  signOut: async () => {
    if (get().signOutPending) return false;
    set({ signOutPending: true });
    const result = await api.signOut();
    set({ signOutPending: false });
    if (!result.ok) {
      set({ sessionError: result.error.code });
      return false;
    }
    get().applySession(result.value);
    return true;
  },

  clearSignInError: () => set({ signInState: { ...get().signInState, error: null }, sessionError: null }),
});

/** For tests: forget what the module remembers between cases. */
export function resetSessionModule(): void {
  heldIdentity = null;
  sessionRequest = 0;
}

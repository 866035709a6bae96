import type { BroadcastProgress, ErrorCode } from '../../../preload/contract';
import { api } from '../bridge';
import { isFinalState, isNewerProgress } from '../features/broadcast/model';
import type { BroadcastAction, BroadcastEntry, BroadcastsSlice, RetryMode, SendFlow, SliceCreator } from './types';

/** The confirmation in progress: an answer for a confirmation closed or started again since is dropped. */
let sendRequest = 0;

/** The latest broadcast.problems asked per broadcast: an older answer is dropped. */
const problemsRequests = new Map<string, number>();

const RETRIES: Readonly<Record<RetryMode, (id: string) => ReturnType<typeof api.retryFailed>>> = {
  retry_failed: api.retryFailed,
  resend_unknown: api.resendUnknown,
};

const CONTROLS: Readonly<Record<BroadcastAction, (id: string) => ReturnType<typeof api.pauseBroadcast>>> = {
  pause: api.pauseBroadcast,
  resume: api.resumeBroadcast,
  cancel: api.cancelBroadcast,
};

/** 發送 → confirmation → send, and every broadcast's live progress (the send itself runs in main). */
export const createBroadcastsSlice: SliceCreator<BroadcastsSlice> = (set, get) => {
  const patchEntry = (id: string, patch: Partial<BroadcastEntry>): void => {
    const entry = get().broadcasts[id];
    if (entry) set({ broadcasts: { ...get().broadcasts, [id]: { ...entry, ...patch } } });
  };

  const patchFlow = (request: number, patch: Partial<SendFlow>): boolean => {
    const flow = get().sendFlow;
    if (request !== sendRequest || !flow) return false;
    set({ sendFlow: { ...flow, ...patch } });
    return true;
  };

  /** The confirmation for the flow: broadcast.prepare for a draft, retryFailed / resendUnknown for a retry. */
  const prepare = async (request: number, renewedAfter: SendFlow['renewedAfter']): Promise<void> => {
    const flow = get().sendFlow;
    if (!flow || !patchFlow(request, { phase: 'preparing', error: null })) return;
    const { retry, draftId } = flow;
    const asked = retry ? RETRIES[retry.mode](retry.originId) : draftId !== null ? api.prepareBroadcast(draftId) : null;
    if (asked === null) {
      patchFlow(request, { phase: 'failed', plan: null, error: 'internal', renewedAfter: null });
      return;
    }
    const result = await asked;
    if (result.ok) patchFlow(request, { phase: 'ready', plan: result.value, error: null, renewedAfter });
    else patchFlow(request, { phase: 'failed', plan: null, error: result.error.code, renewedAfter: null });
  };

  const control = async (id: string, action: BroadcastAction): Promise<void> => {
    const entry = get().broadcasts[id];
    if (!entry || entry.busy !== null || isFinalState(entry.progress.state)) return;
    patchEntry(id, { busy: action, error: null });
    const result = await CONTROLS[action](id);
    if (result.ok) {
      get().applyBroadcastProgress(result.value);
      patchEntry(id, { busy: null });
      return;
    }
    const code: ErrorCode = result.error.code;
    patchEntry(id, { busy: null, error: code });
    // It ended meanwhile (a push may be on its way, or was lost): show how it ended.
    if (code === 'broadcast_finished') {
      const latest = await api.getBroadcast(id);
      if (latest.ok) get().applyBroadcastProgress(latest.value);
    }
  };

  return {
    broadcasts: {},
    sendFlow: null,

    applyBroadcastProgress: (progress: BroadcastProgress) => {
      const current = get().broadcasts[progress.id];
      if (current && !isNewerProgress(progress, current.progress)) return;
      const entry: BroadcastEntry = current
        ? { ...current, progress }
        : { progress, busy: null, error: null, dismissed: false, problems: null };
      set({ broadcasts: { ...get().broadcasts, [progress.id]: entry } });
      // It just ended with customers not reached: the end notice says why (main has them all by now).
      const endedNow = isFinalState(progress.state) && !(current && isFinalState(current.progress.state));
      if (endedNow && progress.counts.failed + progress.counts.unknown > 0) void get().loadBroadcastProblems(progress.id);
    },

    loadBroadcastProblems: async (id) => {
      const before = get().broadcasts[id];
      if (!before) return;
      const request = (problemsRequests.get(id) ?? 0) + 1;
      problemsRequests.set(id, request);
      patchEntry(id, { problems: { state: 'loading', list: before.problems?.list ?? [], error: null } });
      const result = await api.broadcastProblems(id);
      if (problemsRequests.get(id) !== request) return;
      const list = get().broadcasts[id]?.problems?.list ?? [];
      patchEntry(id, {
        problems: result.ok ? { state: 'ready', list: result.value, error: null } : { state: 'failed', list, error: result.error.code },
      });
    },

    loadActiveBroadcasts: async () => {
      const result = await api.activeBroadcasts();
      // Not signed in, or no database: there is nothing to resume to show, and the rest of the app says why.
      if (!result.ok) return;
      for (const progress of result.value) get().applyBroadcastProgress(progress);
    },

    pauseBroadcast: (id) => control(id, 'pause'),
    resumeBroadcast: (id) => control(id, 'resume'),
    cancelBroadcast: (id) => control(id, 'cancel'),

    dismissBroadcast: (id) => {
      const entry = get().broadcasts[id];
      if (entry && isFinalState(entry.progress.state)) patchEntry(id, { dismissed: true });
    },

    startSend: async () => {
      const composer = get().composer;
      if (!composer) return;
      const request = ++sendRequest;
      const { key } = composer;
      set({ sendFlow: { composerKey: key, draftId: composer.id, retry: null, phase: 'preparing', plan: null, error: null, renewedAfter: null } });
      // The confirmation is for what is on screen: pending edits are saved (and so checked by main) first.
      const saved = await get().flushComposer();
      if (request !== sendRequest) return;
      const current = get().composer;
      if (!current || current.key !== key) {
        set({ sendFlow: null });
        return;
      }
      if (!saved || current.id === null) {
        patchFlow(request, { phase: 'failed', error: current.error ?? 'internal' });
        return;
      }
      patchFlow(request, { draftId: current.id });
      await prepare(request, null);
    },

    retryPrepare: async () => {
      const flow = get().sendFlow;
      if (!flow || flow.phase === 'preparing' || flow.phase === 'sending') return;
      if (flow.draftId === null && flow.retry === null) {
        await get().startSend();
        return;
      }
      await prepare(++sendRequest, null);
    },

    confirmSend: async (fit) => {
      const flow = get().sendFlow;
      if (!flow || flow.phase !== 'ready' || !flow.plan) return;
      const request = sendRequest;
      const { plan, retry } = flow;
      patchFlow(request, { phase: 'sending', error: null });
      const result = await api.sendBroadcast(plan.planId, fit);
      if (result.ok) {
        // Recorded even if the dialog was closed meanwhile: main is sending it.
        get().applyBroadcastProgress(result.value);
        if (request === sendRequest) set({ sendFlow: null });
        // The events composer's next 發送訊息 starts a new message rather than reopen the one sent.
        if (retry === null && plan.draftId !== null && get().eventsDraftId === plan.draftId) set({ eventsDraftId: null });
        // A retry from 發送紀錄: its progress shows in the detail it was sent from.
        if (retry !== null) get().noteRetrySent(retry.originId, result.value.id);
        return;
      }
      const code = result.error.code;
      // The confirmation went stale (too old, or the quota moved): confirm again with fresh numbers.
      if (code === 'plan_expired' || code === 'over_limit') await prepare(request, code);
      else patchFlow(request, { phase: 'ready', error: code });
    },

    startRetry: async (originId, mode) => {
      // One confirmation at a time: a send already asked for answers first.
      if (get().sendFlow?.phase === 'sending') return;
      const request = ++sendRequest;
      set({ sendFlow: { composerKey: null, draftId: null, retry: { originId, mode }, phase: 'preparing', plan: null, error: null, renewedAfter: null } });
      await prepare(request, null);
    },

    closeSend: () => {
      const flow = get().sendFlow;
      // A send already asked for cannot be taken back by closing the dialog: it answers first.
      if (!flow || flow.phase === 'sending') return;
      sendRequest++;
      set({ sendFlow: null });
    },
  };
};

/** For tests: forget in-flight confirmations between cases. */
export function resetBroadcastsModule(): void {
  sendRequest = 0;
  problemsRequests.clear();
}

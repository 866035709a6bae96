import { api } from '../bridge';
import { cancelAutosave, settledSaves } from './composerSlice';
import type { DraftsSlice, SliceCreator } from './types';

/** Only the newest drafts.list answer is applied. */
let listRequest = 0;

/** 草稿: the list of stored drafts and what its rows do (the open draft itself is the composer's). */
export const createDraftsSlice: SliceCreator<DraftsSlice> = (set, get) => ({
  draftSummaries: [],
  draftsListState: 'idle',
  draftsError: null,
  duplicatedId: null,
  busyDraftId: null,

  loadDrafts: async () => {
    const request = ++listRequest;
    if (get().draftsListState === 'idle') set({ draftsListState: 'loading' });
    const result = await api.listDrafts();
    if (request !== listRequest) return;
    if (result.ok) set({ draftSummaries: result.value, draftsListState: 'ready' });
    else set({ draftsListState: 'failed', draftsError: result.error.code });
  },

  duplicateDraft: async (id) => {
    if (get().busyDraftId !== null) return;
    set({ busyDraftId: id, draftsError: null });
    // The copy is of what the user sees: an open draft's pending edits are saved first.
    if (get().composer?.id === id) await get().flushComposer();
    const result = await api.duplicateDraft(id);
    set({ busyDraftId: null });
    if (!result.ok) {
      set({ draftsError: result.error.code });
      if (result.error.code === 'not_found') void get().loadDrafts();
      return;
    }
    set({ duplicatedId: result.value.id });
    await get().loadDrafts();
  },

  deleteDraft: async (id) => {
    if (get().busyDraftId !== null) return false;
    set({ busyDraftId: id, draftsError: null });
    if (get().composer?.id === id) {
      // Nothing more is saved into a draft that is going away; a save already running finishes first.
      cancelAutosave();
      await settledSaves();
    }
    const result = await api.deleteDraft(id);
    set({ busyDraftId: null });
    if (!result.ok) {
      set({ draftsError: result.error.code });
      return false;
    }
    if (get().composer?.id === id) set({ composer: null });
    if (get().eventsDraftId === id) set({ eventsDraftId: null });
    if (get().duplicatedId === id) set({ duplicatedId: null });
    await get().loadDrafts();
    return true;
  },

  dismissDraftsError: () => set({ draftsError: null }),
});

/** For tests: forget in-flight requests between cases. */
export function resetDraftsModule(): void {
  listRequest = 0;
}

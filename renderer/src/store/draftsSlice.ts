import type { DraftSaveInput } from '../../../preload/contract';
import { api } from '../bridge';
import type { DraftsSlice, OpenDraft, SliceCreator } from './types';

/** Autosave waits this long after the last keystroke. */
export const AUTOSAVE_DELAY_MS = 800;

let nextDraftKey = 1;
let autosaveTimer: ReturnType<typeof setTimeout> | null = null;
/** Saves run one after another, so the first save's new id is known before the next save of the same draft. */
let saveChain: Promise<void> = Promise.resolve();
/** Only the newest drafts.list answer is applied. */
let listRequest = 0;

export function cancelAutosave(): void {
  if (autosaveTimer !== null) clearTimeout(autosaveTimer);
  autosaveTimer = null;
}

/** True when the open draft has text main has not confirmed. An empty new draft is not worth creating. */
export function isDirty(draft: OpenDraft): boolean {
  if (draft.id === null) return draft.text.length > 0;
  return draft.text !== draft.savedText;
}

/** True when what is on screen is exactly what main holds. */
export function isSaved(draft: OpenDraft): boolean {
  return draft.id !== null && draft.saveState !== 'saving' && draft.text === draft.savedText;
}

function newOpenDraft(fields: Partial<Omit<OpenDraft, 'key'>> = {}): OpenDraft {
  return {
    key: nextDraftKey++,
    id: null,
    text: '',
    savedText: null,
    saveState: 'idle',
    lastSavedAt: null,
    error: null,
    ...fields,
  };
}

export const createDraftsSlice: SliceCreator<DraftsSlice> = (set, get) => {
  const updateOpenDraft = (key: number, patch: Partial<OpenDraft>): boolean => {
    const current = get().openDraft;
    if (!current || current.key !== key) return false;
    set({ openDraft: { ...current, ...patch } });
    return true;
  };

  const saveNow = async (): Promise<void> => {
    const draft = get().openDraft;
    if (!draft || !isDirty(draft)) return;
    const { key, text } = draft;
    updateOpenDraft(key, { saveState: 'saving', error: null });
    const input: DraftSaveInput = draft.id === null ? { text } : { id: draft.id, text };
    const result = await api.saveDraft(input);
    if (result.ok) {
      updateOpenDraft(key, { id: result.value.id, savedText: text, saveState: 'idle', lastSavedAt: result.value.updatedAt });
    } else {
      updateOpenDraft(key, { saveState: 'error', error: result.error.code });
    }
    // The drafts.changed push reloads the list too; loading here keeps it right if a push is ever lost.
    void get().loadDrafts();
  };

  /**
   * Saves whatever is pending for the open draft before the editor moves to another one. False when that save
   * failed: the editor then stays, with its error, rather than drop the user's text.
   */
  const flush = async (): Promise<boolean> => {
    cancelAutosave();
    await get().saveOpenDraft();
    const draft = get().openDraft;
    return !draft || !isDirty(draft);
  };

  return {
    draftSummaries: [],
    draftsListState: 'idle',
    draftsError: null,
    openDraft: null,

    loadDrafts: async () => {
      const request = ++listRequest;
      if (get().draftsListState === 'idle') set({ draftsListState: 'loading' });
      const result = await api.listDrafts();
      if (request !== listRequest) return;
      if (result.ok) set({ draftSummaries: result.value, draftsListState: 'ready' });
      else set({ draftsListState: 'failed', draftsError: result.error.code });
    },

    startNewDraft: async () => {
      if (!(await flush())) return;
      set({ openDraft: newOpenDraft(), draftsError: null });
    },

    selectDraft: async (id) => {
      if (get().openDraft?.id === id) return;
      if (!(await flush())) return;
      const result = await api.getDraft(id);
      if (!result.ok) {
        set({ draftsError: result.error.code });
        if (result.error.code === 'not_found') void get().loadDrafts();
        return;
      }
      const { text, updatedAt } = result.value;
      set({ openDraft: newOpenDraft({ id, text, savedText: text, lastSavedAt: updatedAt }), draftsError: null });
    },

    editOpenDraft: (text) => {
      const draft = get().openDraft;
      if (!draft) return;
      set({ openDraft: { ...draft, text } });
      cancelAutosave();
      autosaveTimer = setTimeout(() => {
        autosaveTimer = null;
        void get().saveOpenDraft();
      }, AUTOSAVE_DELAY_MS);
    },

    saveOpenDraft: () => {
      cancelAutosave();
      saveChain = saveChain.then(saveNow);
      return saveChain;
    },

    deleteOpenDraft: async () => {
      cancelAutosave();
      await saveChain;
      const draft = get().openDraft;
      if (!draft) return;
      if (draft.id === null) {
        set({ openDraft: null });
        return;
      }
      const result = await api.deleteDraft(draft.id);
      if (!result.ok) {
        updateOpenDraft(draft.key, { error: result.error.code });
        return;
      }
      if (get().openDraft?.key === draft.key) set({ openDraft: null });
      void get().loadDrafts();
    },

    dismissDraftsError: () => set({ draftsError: null }),

    dismissOpenDraftError: () => {
      const draft = get().openDraft;
      if (draft) set({ openDraft: { ...draft, error: null } });
    },
  };
};

/** For tests: forget timers and in-flight chains between cases. */
export function resetDraftsModule(): void {
  cancelAutosave();
  saveChain = Promise.resolve();
  listRequest = 0;
}

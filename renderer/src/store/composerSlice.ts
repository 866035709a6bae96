import type { ComposeCheck, DraftImageRef, DraftSaveInput, TemplateInfo } from '../../../preload/contract';
import { api } from '../bridge';
import { readFileAsBase64 } from '../features/composer/files';
import { AUTOSAVE_DELAY_MS, AUTOSAVE_MAX_WAIT_MS, IMAGE_LIMIT_BYTES } from '../features/composer/limits';
import { type ComposerContent, chooseTemplate, hasContent, sameIds, setParam } from '../features/composer/model';
import type { ComposerOrigin, ComposerSlice, ImageIntake, OpenComposer, SliceCreator, TemplatesState } from './types';

const IDLE_INTAKE: ImageIntake = { busy: false, name: null, error: null };
const NO_TEMPLATES: TemplatesState = { state: 'idle', catalog: null, error: null, refreshing: false };
const EMPTY_CONTENT: ComposerContent = { text: '', image: null, whatsapp: { numbers: [] }, selection: null };
/** A refresh of the templates from WhatsApp is not repeated within this time (each composer opening asks). */
const TEMPLATE_REFRESH_EVERY_MS = 5 * 60_000;

let nextComposerKey = 1;
let autosaveTimer: ReturnType<typeof setTimeout> | null = null;
/** When the oldest edit the timer has not saved yet was made (the timer never waits past it + the max wait). */
let firstPendingEditAt: number | null = null;
/** Saves run one after another, so the first save's new id is known before the next save of the same draft. */
let saveChain: Promise<void> = Promise.resolve();
/** Only the newest opening, image import and template list are applied. */
let openRequest = 0;
let imageRequest = 0;
let templatesRequest = 0;
let templatesRefreshedAt: number | null = null;

export function cancelAutosave(): void {
  if (autosaveTimer !== null) clearTimeout(autosaveTimer);
  autosaveTimer = null;
  firstPendingEditAt = null;
}

/** Resolves once every save asked for so far has answered. */
export function settledSaves(): Promise<void> {
  return saveChain;
}

function imageRef(image: NonNullable<ComposerContent['image']>): DraftImageRef {
  return { sha256: image.sha256, name: image.name };
}

function sameImage(a: ComposerContent['image'], b: ComposerContent['image']): boolean {
  if (a === null || b === null) return a === b;
  return a.sha256 === b.sha256 && a.name === b.name;
}

/**
 * What drafts.save must be told to make main hold what is on screen: null when it already does. A new draft carries
 * every field it has (the selection included); an existing one only the fields that differ (PATCH), so the selection
 * travels once, not with every keystroke.
 */
export function pendingSave(composer: OpenComposer): DraftSaveInput | null {
  const { saved } = composer;
  if (composer.id === null || saved === null) {
    if (!hasContent(composer)) return null;
    const input: DraftSaveInput = { text: composer.text };
    if (composer.image) input.image = imageRef(composer.image);
    if (composer.whatsapp.numbers.length > 0) input.whatsapp = composer.whatsapp;
    if (composer.selection !== null) input.selection = composer.selection;
    return input;
  }
  const input: DraftSaveInput = { id: composer.id };
  let changed = false;
  if (composer.text !== saved.text) {
    input.text = composer.text;
    changed = true;
  }
  if (!sameImage(composer.image, saved.image)) {
    input.image = composer.image ? imageRef(composer.image) : null;
    changed = true;
  }
  // Every edit makes a new object, so identity says whether the template part changed.
  if (composer.whatsapp !== saved.whatsapp) {
    input.whatsapp = composer.whatsapp;
    changed = true;
  }
  if (!sameIds(composer.selection, saved.selection)) {
    input.selection = composer.selection;
    changed = true;
  }
  return changed ? input : null;
}

/** True when what is on screen is exactly what main holds. */
export function isSaved(composer: OpenComposer): boolean {
  return composer.id !== null && composer.saveState !== 'saving' && pendingSave(composer) === null;
}

function newComposer(origin: ComposerOrigin, fields: Partial<Omit<OpenComposer, 'key' | 'origin'>> = {}): OpenComposer {
  return {
    key: nextComposerKey++,
    origin,
    id: null,
    ...EMPTY_CONTENT,
    saved: null,
    saveState: 'idle',
    updatedAt: null,
    error: null,
    check: null,
    checkedText: '',
    checkError: null,
    imageIntake: IDLE_INTAKE,
    ...fields,
  };
}

export const createComposerSlice: SliceCreator<ComposerSlice> = (set, get) => {
  /** Applies a patch to the composer if it is still the one `key` names. */
  const update = (key: number, patch: Partial<OpenComposer>): boolean => {
    const current = get().composer;
    if (!current || current.key !== key) return false;
    set({ composer: { ...current, ...patch } });
    return true;
  };

  const scheduleAutosave = (): void => {
    const now = Date.now();
    firstPendingEditAt ??= now;
    const due = Math.min(now + AUTOSAVE_DELAY_MS, firstPendingEditAt + AUTOSAVE_MAX_WAIT_MS);
    if (autosaveTimer !== null) clearTimeout(autosaveTimer);
    autosaveTimer = setTimeout(() => {
      autosaveTimer = null;
      firstPendingEditAt = null;
      void get().saveComposer();
    }, Math.max(0, due - now));
  };

  /** compose.check of the draft as saved at `updatedAt`; an answer for another draft or an older save is dropped. */
  const runCheck = async (key: number, id: string, updatedAt: number, text: string): Promise<void> => {
    const result = await api.checkDraft(id);
    const current = get().composer;
    if (!current || current.key !== key || current.id !== id) return;
    if (!result.ok) {
      if (current.updatedAt === updatedAt) update(key, { checkError: result.error.code });
      return;
    }
    const check: ComposeCheck = result.value;
    if (check.draftId !== id) return;
    if (current.updatedAt !== null && check.updatedAt < current.updatedAt) return;
    if (current.check && current.check.draftId === id && current.check.updatedAt > check.updatedAt) return;
    const checkedText = check.updatedAt === updatedAt ? text : (current.saved?.text ?? current.text);
    update(key, { check, checkedText, checkError: null });
  };

  const saveNow = async (retried = false): Promise<void> => {
    const composer = get().composer;
    if (!composer) return;
    const input = pendingSave(composer);
    if (!input) return;
    const { key } = composer;
    const sent: ComposerContent = {
      text: composer.text,
      image: composer.image,
      whatsapp: composer.whatsapp,
      selection: composer.selection,
    };
    update(key, { saveState: 'saving', error: null });
    const result = await api.saveDraft(input);
    if (!result.ok) {
      if (result.error.code === 'not_found' && composer.id !== null && !retried) {
        // Deleted elsewhere: what is on screen becomes a new draft rather than be lost.
        if (get().eventsDraftId === composer.id) set({ eventsDraftId: null });
        if (update(key, { id: null, saved: null, check: null })) await saveNow(true);
        return;
      }
      update(key, { saveState: 'error', error: result.error.code });
      return;
    }
    const head = result.value;
    // Fields not sent were equal to what main held, so main now holds exactly what was on screen at the call.
    if (update(key, { id: head.id, saved: sent, saveState: 'idle', updatedAt: head.updatedAt, error: null })) {
      if (composer.origin === 'events') set({ eventsDraftId: head.id });
      void runCheck(key, head.id, head.updatedAt, sent.text);
    }
    // The drafts.changed push reloads the list too; loading here keeps it right if a push is ever lost.
    void get().loadDrafts();
  };

  const flush = async (): Promise<boolean> => {
    cancelAutosave();
    await get().saveComposer();
    const composer = get().composer;
    return !composer || pendingSave(composer) === null;
  };

  /** Before another composer opens: false when the open one could not be saved (the list then says why). */
  const flushBeforeSwitch = async (): Promise<boolean> => {
    if (await flush()) return true;
    const composer = get().composer;
    if (composer && composer.origin !== 'drafts') set({ draftsError: composer.error ?? 'internal' });
    return false;
  };

  const templateOf = (phoneNumberId: string, name: string, language: string): TemplateInfo | null => {
    const number = get().templates.catalog?.numbers.find((candidate) => candidate.phoneNumberId === phoneNumberId);
    return number?.templates.find((template) => template.name === name && template.language === language) ?? null;
  };

  /** Opens a stored draft as the composer (its content is what main holds). */
  const openStored = async (
    origin: ComposerOrigin,
    id: string,
    request: number,
    selection?: string[],
  ): Promise<'opened' | 'stale' | 'failed'> => {
    const result = await api.getDraft(id);
    if (request !== openRequest) return 'stale';
    if (!result.ok) {
      set({ composerOpening: null });
      if (origin === 'drafts') {
        set({ draftsError: result.error.code });
        if (result.error.code === 'not_found') void get().loadDrafts();
      }
      return 'failed';
    }
    const draft = result.value;
    const saved: ComposerContent = { text: draft.text, image: draft.image, whatsapp: draft.whatsapp, selection: draft.selection };
    // The events composer is for the grid's selection now: when it differs from the draft's, the next save stores it.
    const current = selection === undefined || sameIds(selection, draft.selection) ? draft.selection : selection;
    const composer = newComposer(origin, {
      id: draft.id,
      ...saved,
      selection: current,
      saved,
      updatedAt: draft.updatedAt,
      checkedText: draft.text,
    });
    set({ composer, composerOpening: null, ...(origin === 'drafts' ? { draftsError: null } : {}) });
    if (current !== draft.selection) scheduleAutosave();
    void runCheck(composer.key, draft.id, draft.updatedAt, draft.text);
    return 'opened';
  };

  return {
    composer: null,
    composerOpening: null,
    eventsDraftId: null,
    templates: NO_TEMPLATES,

    openSelectionComposer: async (selection) => {
      const request = ++openRequest;
      set({ composerOpening: 'events' });
      if (!(await flush()) || request !== openRequest) {
        if (request === openRequest) set({ composerOpening: null });
        return;
      }
      const reuse = get().eventsDraftId;
      if (reuse !== null) {
        const outcome = await openStored('events', reuse, request, selection);
        if (outcome !== 'failed') return;
        set({ eventsDraftId: null });
      }
      set({ composer: newComposer('events', { selection }), composerOpening: null });
    },

    openDraft: async (id) => {
      const open = get().composer;
      if (open?.origin === 'drafts' && open.id === id) return;
      const request = ++openRequest;
      if (!(await flushBeforeSwitch()) || request !== openRequest) return;
      set({ composerOpening: 'drafts' });
      await openStored('drafts', id, request);
    },

    startNewDraft: async () => {
      const request = ++openRequest;
      if (!(await flushBeforeSwitch()) || request !== openRequest) return;
      set({ composer: newComposer('drafts'), composerOpening: null, draftsError: null });
    },

    closeComposer: async (alongside = {}) => {
      if (!(await flush())) return false;
      openRequest++;
      imageRequest++;
      set({ ...alongside, composer: null, composerOpening: null });
      return true;
    },

    editText: (text) => {
      const composer = get().composer;
      if (!composer || composer.text === text) return;
      set({ composer: { ...composer, text } });
      scheduleAutosave();
    },

    importImage: async (file) => {
      const composer = get().composer;
      if (!composer) return;
      const { key } = composer;
      const request = ++imageRequest;
      const name = file.name.slice(0, 255) || 'image';
      if (file.size > IMAGE_LIMIT_BYTES) {
        update(key, { imageIntake: { busy: false, name, error: 'image_too_large' } });
        return;
      }
      update(key, { imageIntake: { busy: true, name, error: null } });
      let data: string;
      try {
        data = await readFileAsBase64(file);
      } catch {
        if (request === imageRequest) update(key, { imageIntake: { busy: false, name, error: 'image_corrupt' } });
        return;
      }
      const result = await api.importImage({ name, data });
      if (request !== imageRequest) return;
      if (!result.ok) {
        update(key, { imageIntake: { busy: false, name, error: result.error.code } });
        return;
      }
      // An image is saved at once: the file is the one thing the user could not simply type again.
      if (update(key, { image: { sha256: result.value.sha256, name, image: result.value }, imageIntake: IDLE_INTAKE })) {
        void get().saveComposer();
      }
    },

    removeImage: () => {
      const composer = get().composer;
      if (!composer || composer.image === null) return;
      imageRequest++;
      set({ composer: { ...composer, image: null, imageIntake: IDLE_INTAKE } });
      void get().saveComposer();
    },

    chooseTemplate: (phoneNumberId, choice) => {
      const composer = get().composer;
      if (!composer) return;
      const template = choice ? templateOf(phoneNumberId, choice.name, choice.language) : null;
      set({ composer: { ...composer, whatsapp: chooseTemplate(composer.whatsapp, phoneNumberId, choice, template) } });
      scheduleAutosave();
    },

    setTemplateParam: (phoneNumberId, key, value) => {
      const composer = get().composer;
      if (!composer) return;
      set({ composer: { ...composer, whatsapp: setParam(composer.whatsapp, phoneNumberId, key, value) } });
      scheduleAutosave();
    },

    updateComposerSelection: (selection) => {
      const composer = get().composer;
      if (!composer || composer.origin !== 'events' || sameIds(composer.selection, selection)) return;
      set({ composer: { ...composer, selection } });
      if (composer.id !== null) scheduleAutosave();
    },

    saveComposer: () => {
      cancelAutosave();
      saveChain = saveChain.then(() => saveNow());
      return saveChain;
    },

    flushComposer: flush,

    refreshCheck: async () => {
      const composer = get().composer;
      if (!composer || composer.id === null || composer.updatedAt === null) return;
      await runCheck(composer.key, composer.id, composer.updatedAt, composer.saved?.text ?? composer.text);
    },

    loadTemplates: async (refresh) => {
      const request = ++templatesRequest;
      const before = get().templates;
      set({
        templates: refresh
          ? { ...before, refreshing: true, error: null }
          : { ...before, state: before.catalog ? before.state : 'loading', error: null },
      });
      const result = await api.listTemplates(refresh);
      if (request !== templatesRequest) return;
      if (result.ok) {
        if (refresh) templatesRefreshedAt = Date.now();
        set({ templates: { state: 'ready', catalog: result.value, error: null, refreshing: false } });
        // Which templates exist decides some problems (unknown, not approved): check again.
        if (refresh) void get().refreshCheck();
      } else {
        const after = get().templates;
        set({ templates: { ...after, state: after.catalog ? 'ready' : 'failed', error: result.error.code, refreshing: false } });
      }
    },

    ensureTemplates: async () => {
      if (get().templates.state === 'idle') await get().loadTemplates(false);
      const online = get().status?.online ?? false;
      const fresh = templatesRefreshedAt !== null && Date.now() - templatesRefreshedAt < TEMPLATE_REFRESH_EVERY_MS;
      if (online && !fresh && !get().templates.refreshing) await get().loadTemplates(true);
    },

    dismissComposerError: () => {
      const composer = get().composer;
      if (composer) set({ composer: { ...composer, error: null } });
    },

    dismissImageError: () => {
      const composer = get().composer;
      if (composer) set({ composer: { ...composer, imageIntake: { ...composer.imageIntake, error: null } } });
    },
  };
};

/** For tests: forget timers and in-flight chains between cases. */
export function resetComposerModule(): void {
  cancelAutosave();
  saveChain = Promise.resolve();
  openRequest = 0;
  imageRequest = 0;
  templatesRequest = 0;
  templatesRefreshedAt = null;
}

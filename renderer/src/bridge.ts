/**
 * The only module that touches `window.omo`. Everything else calls these typed helpers, which never throw: a broken
 * transport becomes a `disconnected` Result like any other error.
 */
import type {
  AppError,
  DraftSaveInput,
  EventName,
  EventPayload,
  HistoryQuery,
  ImageImportInput,
  ImageVariant,
  MethodInput,
  MethodName,
  MethodOutput,
  OmoBridge,
  RecipientsQuery,
  ReportQuery,
  Result,
  SettingsPatch,
  SignInInput,
} from '../../preload/contract';

function isBridge(candidate: unknown): candidate is OmoBridge {
  if (typeof candidate !== 'object' || candidate === null) return false;
  const { invoke, on } = candidate as Partial<Record<'invoke' | 'on', unknown>>;
  return typeof invoke === 'function' && typeof on === 'function';
}

/** The bridge the preload (Electron) or the preview host's script installed, or null when neither did. */
export function getBridge(): OmoBridge | null {
  // Read through `unknown`: the global type says window.omo always exists, but a plain browser tab has none.
  const candidate: unknown = Reflect.get(window, 'omo');
  return isBridge(candidate) ? candidate : null;
}

export function hasBridge(): boolean {
  return getBridge() !== null;
}

function failure<T>(code: AppError['code'], message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

/** Calls one contract method. Resolves to a Result whatever happens, including a missing bridge or a rejected call. */
export async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>> {
  const bridge = getBridge();
  if (!bridge) return failure('disconnected', 'window.omo is missing');
  try {
    return await bridge.invoke(method, input);
  } catch (error) {
    return failure('disconnected', error instanceof Error ? error.message : String(error));
  }
}

/** Subscribes to a push event; returns the unsubscribe function (a no-op without a bridge). */
export function onPush<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  const bridge = getBridge();
  if (!bridge) return () => undefined;
  return bridge.on(event, listener);
}

/** Typed helpers, one per contract method. */
export const api = {
  appInfo: () => call('app.info', {}),
  getSettings: () => call('settings.get', {}),
  setSettings: (patch: SettingsPatch) => call('settings.set', patch),
  listDrafts: () => call('drafts.list', {}),
  getDraft: (id: string) => call('drafts.get', { id }),
  saveDraft: (input: DraftSaveInput) => call('drafts.save', input),
  deleteDraft: (id: string) => call('drafts.delete', { id }),
  duplicateDraft: (id: string) => call('drafts.duplicate', { id }),
  importImage: (input: ImageImportInput) => call('compose.importImage', input),
  listTemplates: (refresh: boolean) => call('compose.templates', { refresh }),
  checkDraft: (id: string) => call('compose.check', { id }),
  getWorkspace: () => call('workspace.get', {}),
  useDemoWorkspace: () => call('workspace.useDemo', {}),
  getSession: () => call('session.get', {}),
  signIn: (input: SignInInput) => call('session.signIn', input),
  signOut: () => call('session.signOut', {}),
  listEvents: () => call('events.list', {}),
  syncEvents: () => call('events.sync', {}),
  getSyncStatus: () => call('events.syncStatus', {}),
  summarizeSelection: (eventIds: string[]) => call('broadcast.summarize', { eventIds }),
  prepareBroadcast: (draftId: string) => call('broadcast.prepare', { draftId }),
  sendBroadcast: (planId: string, fit: boolean) => call('broadcast.send', { planId, fit }),
  pauseBroadcast: (id: string) => call('broadcast.pause', { id }),
  resumeBroadcast: (id: string) => call('broadcast.resume', { id }),
  cancelBroadcast: (id: string) => call('broadcast.cancel', { id }),
  getBroadcast: (id: string) => call('broadcast.get', { id }),
  activeBroadcasts: () => call('broadcast.active', {}),
  broadcastProblems: (id: string) => call('broadcast.problems', { id }),
  retryFailed: (id: string) => call('broadcast.retryFailed', { id }),
  resendUnknown: (id: string) => call('broadcast.resendUnknown', { id }),
  listHistory: (query: HistoryQuery) => call('history.list', query),
  getHistory: (id: string) => call('history.get', { id }),
  historyRecipients: (query: RecipientsQuery) => call('history.recipients', query),
  exportHistory: (id: string) => call('history.export', { id }),
  getReport: (query: ReportQuery) => call('report.get', query),
};

/**
 * The URL main serves a customer's cached avatar on (a custom scheme in Electron, the preview host's own origin in a
 * browser). Empty without a bridge, so the caller falls back to the initial.
 */
export function avatarUrl(eventId: string): string {
  const bridge = getBridge();
  if (!bridge || typeof bridge.avatarUrl !== 'function') return '';
  try {
    return bridge.avatarUrl(eventId);
  } catch {
    return '';
  }
}

/** The URL main serves a composed image's variant on (the thumbnail or the LINE preview); empty without a bridge. */
export function imageUrl(sha256: string, variant: ImageVariant): string {
  const bridge = getBridge();
  if (!bridge || typeof bridge.imageUrl !== 'function') return '';
  try {
    return bridge.imageUrl(sha256, variant);
  } catch {
    return '';
  }
}

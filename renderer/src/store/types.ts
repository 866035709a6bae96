import type { StateCreator } from 'zustand';
import type {
  AppError,
  AppInfo,
  AppStatus,
  DraftSummary,
  ErrorCode,
  EventList,
  Language,
  SelectionSummary,
  SessionInfo,
  SignInInput,
  SyncStatus,
  WorkspaceInfo,
} from '../../../preload/contract';
import type { EventFilters, EventIndex, SelectionCounts } from '../features/events/model';

export type Section = 'events' | 'drafts' | 'history' | 'report' | 'settings';
export const SECTIONS: readonly Section[] = ['events', 'drafts', 'history', 'report', 'settings'];

export type LoadState = 'idle' | 'loading' | 'ready' | 'failed';

export interface AppSlice {
  appInfo: AppInfo | null;
  /** Mode and network, from app.info and then from app.status pushes. */
  status: AppStatus | null;
  section: Section;
  loadState: LoadState;
  /** Why the app could not start (app.info failed). */
  bridgeError: AppError | null;
  setSection: (section: Section) => void;
  setStatus: (status: AppStatus) => void;
  loadAppInfo: () => Promise<boolean>;
}

export interface SettingsSlice {
  language: Language;
  settingsError: ErrorCode | null;
  loadSettings: () => Promise<void>;
  /** Switches the UI at once, then persists through settings.set (reverting if that fails). */
  setLanguage: (language: Language) => Promise<void>;
  /** Applies settings that main reports (settings.get, settings.set, settings.changed). */
  applySettings: (settings: { language: Language }) => void;
  dismissSettingsError: () => void;
}

export type SaveState = 'idle' | 'saving' | 'error';

export interface OpenDraft {
  /** A client-side identity, so a late answer for a draft the user has left is not applied to the next one. */
  key: number;
  /** null until the first save creates the draft. */
  id: string | null;
  text: string;
  /** The text main last confirmed; null before the first save. */
  savedText: string | null;
  saveState: SaveState;
  lastSavedAt: number | null;
  error: ErrorCode | null;
}

export interface DraftsSlice {
  draftSummaries: DraftSummary[];
  draftsListState: LoadState;
  /** An error about the list or about opening a draft. */
  draftsError: ErrorCode | null;
  openDraft: OpenDraft | null;
  loadDrafts: () => Promise<void>;
  startNewDraft: () => Promise<void>;
  selectDraft: (id: string) => Promise<void>;
  /** Updates the text and schedules an autosave. */
  editOpenDraft: (text: string) => void;
  saveOpenDraft: () => Promise<void>;
  deleteOpenDraft: () => Promise<void>;
  dismissDraftsError: () => void;
  dismissOpenDraftError: () => void;
}

/** The first-start choice of the demo workspace, as the onboarding screen shows it. */
export type DemoStartPhase = 'idle' | 'starting' | 'failed';

export interface WorkspaceSlice {
  /** From workspace.get at start, then from workspace.changed pushes; null until loaded (or if that failed). */
  workspace: WorkspaceInfo | null;
  workspaceError: ErrorCode | null;
  demoStart: { phase: DemoStartPhase; error: ErrorCode | null };
  applyWorkspace: (info: WorkspaceInfo) => void;
  loadWorkspace: () => Promise<void>;
  /**
   * Chooses the demo workspace (workspace.useDemo). While it runs, and after it fails, the onboarding screen stays
   * up with its progress or error; on success the app opens on 對話. Resolves true on success.
   */
  chooseDemoWorkspace: () => Promise<boolean>;
}

export interface SessionSlice {
  /** From session.get at start, then from session.changed pushes and the answers of signIn/signOut. */
  session: SessionInfo | null;
  sessionError: ErrorCode | null;
  signInState: { pending: boolean; error: ErrorCode | null };
  signOutPending: boolean;
  loadSession: () => Promise<void>;
  /** Applies a SessionInfo from main; loads or clears the events when the signed-in identity changes. */
  applySession: (info: SessionInfo) => void;
  /** Resolves true when signed in. On the first-start screen it also lands the app on 對話. */
  signIn: (input: SignInInput) => Promise<boolean>;
  signOut: () => Promise<boolean>;
  clearSignInError: () => void;
}

export type EventsView = 'grid' | 'composer';

export interface ComposerState {
  state: LoadState;
  summary: SelectionSummary | null;
  error: ErrorCode | null;
}

export interface EventsSlice {
  /** The columnar list as main sent it; null until loaded (or when signed out). */
  eventList: EventList | null;
  /** Derived once per list version (id → row, normalised names). */
  eventIndex: EventIndex | null;
  eventsLoad: LoadState;
  eventsError: ErrorCode | null;
  filters: EventFilters;
  /** Row numbers shown under the filters, in display order. */
  filteredRows: Int32Array;
  batchMode: boolean;
  eventsView: EventsView;
  composer: ComposerState;
  loadEvents: () => Promise<void>;
  setFilters: (patch: Partial<EventFilters>) => void;
  clearFilters: () => void;
  setBatchMode: (on: boolean) => void;
  /** 批量動作 → 發送訊息: the composer view with the selection's summary from broadcast.summarize. */
  openComposer: () => Promise<void>;
  closeComposer: () => void;
  /** Forgets the list, the selection and batch mode (signed out, or another account). */
  resetEvents: () => void;
}

export interface SelectionSlice {
  /** Selected event ids. Replaced on every change (a new Set), never mutated, so subscribers see each change. */
  selection: ReadonlySet<string>;
  /** The selection per channel, kept with it (ids no longer listed are not counted). */
  selectionCounts: SelectionCounts;
  /** Where shift-click and shift+arrows extend from. */
  anchorId: string | null;
  /** How many selected customers left 處理中 at the last reload (0: no notice). */
  droppedNotice: number;
  toggleSelected: (id: string) => void;
  /** Adds the rows from the anchor to `id` (display order of the current filter); the anchor stays. */
  selectRangeTo: (id: string) => void;
  /** 快速全選: adds every row of the current filter. */
  selectAllFiltered: () => void;
  clearSelection: () => void;
  setAnchor: (id: string | null) => void;
  dismissDroppedNotice: () => void;
}

export interface SyncSlice {
  syncStatus: SyncStatus | null;
  /** The refresh button's call failed before a sync could start. */
  syncRequestError: ErrorCode | null;
  applySyncStatus: (status: SyncStatus) => void;
  loadSyncStatus: () => Promise<void>;
  syncNow: () => Promise<void>;
}

export type AppStore = AppSlice &
  SettingsSlice &
  DraftsSlice &
  WorkspaceSlice &
  SessionSlice &
  EventsSlice &
  SelectionSlice &
  SyncSlice;

/** A slice creator over the whole bound store (zustand's slices pattern). */
export type SliceCreator<Slice> = StateCreator<AppStore, [], [], Slice>;

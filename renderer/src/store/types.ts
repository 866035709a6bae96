import type { StateCreator } from 'zustand';
import type {
  AppError,
  AppInfo,
  AppStatus,
  DraftSummary,
  ErrorCode,
  Language,
  WorkspaceInfo,
} from '../../../preload/contract';

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

export type AppStore = AppSlice & SettingsSlice & DraftsSlice & WorkspaceSlice;

/** A slice creator over the whole bound store (zustand's slices pattern). */
export type SliceCreator<Slice> = StateCreator<AppStore, [], [], Slice>;

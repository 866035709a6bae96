import type { StateCreator } from 'zustand';
import type {
  AppError,
  AppInfo,
  AppStatus,
  BroadcastDetail,
  BroadcastKind,
  BroadcastPlan,
  BroadcastProblem,
  BroadcastProgress,
  Channel,
  ComposeCheck,
  ExportedCsv,
  DraftSummary,
  ErrorCode,
  EventList,
  HistoryItem,
  HistoryQuery,
  Language,
  RecipientState,
  RecipientsPage,
  ReferralReport,
  SelectionSummary,
  SessionInfo,
  SignInInput,
  SyncStatus,
  TemplateCatalog,
  TemplateChoice,
  TemplateParamValue,
  WorkspaceInfo,
} from '../../../preload/contract';
import type { ComposerContent } from '../features/composer/model';
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

/** Where the composer was opened: 批量動作 → 發送訊息 (with the grid's selection), or 草稿. */
export type ComposerOrigin = 'events' | 'drafts';

export interface ImageIntake {
  /** A file is being read and converted by main (處理圖片中…). */
  busy: boolean;
  /** The file being converted. */
  name: string | null;
  /** Why the last file was refused; the image on screen did not change. */
  error: ErrorCode | null;
}

/** The message being composed: what is on screen, what main last confirmed, and main's check of it. */
export interface OpenComposer extends ComposerContent {
  /** A client-side identity, so a late answer for a composer the user has left is not applied to the next one. */
  key: number;
  origin: ComposerOrigin;
  /** null until the first save creates the draft (on the first real content). */
  id: string | null;
  /** What main holds, field by field, as its last answer confirmed; null before the draft exists. */
  saved: ComposerContent | null;
  saveState: SaveState;
  /** The draft's updatedAt after the last save (or as opened): the check for it is the current one. */
  updatedAt: number | null;
  error: ErrorCode | null;
  /** compose.check of the draft as saved at `updatedAt` (an older answer is ignored). */
  check: ComposeCheck | null;
  /** The text that check was made for: its links' offsets point into it. */
  checkedText: string;
  checkError: ErrorCode | null;
  imageIntake: ImageIntake;
}

export interface TemplatesState {
  /** The cached catalog (compose.templates without refresh). */
  state: LoadState;
  catalog: TemplateCatalog | null;
  error: ErrorCode | null;
  /** A refresh from WhatsApp is running. */
  refreshing: boolean;
}

export interface DraftsSlice {
  draftSummaries: DraftSummary[];
  draftsListState: LoadState;
  /** An error about the list, or about opening, duplicating or deleting a draft. */
  draftsError: ErrorCode | null;
  /** The copy drafts.duplicate just made, highlighted in the list. */
  duplicatedId: string | null;
  /** A row whose duplicate or delete is running. */
  busyDraftId: string | null;
  loadDrafts: () => Promise<void>;
  duplicateDraft: (id: string) => Promise<void>;
  /** Deletes a draft (closing it first when it is open). Resolves true when it is gone. */
  deleteDraft: (id: string) => Promise<boolean>;
  dismissDraftsError: () => void;
}

export interface ComposerSlice {
  composer: OpenComposer | null;
  /** A composer is opening (its draft is being read). */
  composerOpening: ComposerOrigin | null;
  /** The draft the events composer last wrote: the next 發送訊息 reopens it (with the selection of then). */
  eventsDraftId: string | null;
  templates: TemplatesState;
  /** 批量動作 → 發送訊息: the composer for these event ids. */
  openSelectionComposer: (selection: string[]) => Promise<void>;
  /** 草稿 → open: the composer for a stored draft, with its saved selection. */
  openDraft: (id: string) => Promise<void>;
  /** 草稿 → 新增草稿: an empty composer with no selection (created by its first content). */
  startNewDraft: () => Promise<void>;
  /**
   * Saves what is pending, then closes, applying `alongside` in the same update (so no frame shows a view without its
   * composer). False (and stays open, with its error) when that save failed.
   */
  closeComposer: (alongside?: Partial<AppStore>) => Promise<boolean>;
  editText: (text: string) => void;
  /** Checks the size, converts the file in main, then saves the draft with it at once. */
  importImage: (file: File) => Promise<void>;
  removeImage: () => void;
  chooseTemplate: (phoneNumberId: string, choice: TemplateChoice | null) => void;
  setTemplateParam: (phoneNumberId: string, key: string, value: TemplateParamValue) => void;
  /** The selection changed under an open events composer (a re-sync dropped rows): saved with the next save. */
  updateComposerSelection: (selection: string[]) => void;
  /** Saves now (after any save in flight). */
  saveComposer: () => Promise<void>;
  /** Cancels the autosave timer and saves what is pending; false when that save failed. */
  flushComposer: () => Promise<boolean>;
  /** compose.check again for the draft as saved (templates or the events changed). */
  refreshCheck: () => Promise<void>;
  loadTemplates: (refresh: boolean) => Promise<void>;
  /** The cached templates once, then a refresh in the background when online. */
  ensureTemplates: () => Promise<void>;
  dismissComposerError: () => void;
  dismissImageError: () => void;
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

/** broadcast.summarize of the selection the events composer was opened with (its recipients before a check). */
export interface SendSummaryState {
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
  sendSummary: SendSummaryState;
  loadEvents: () => Promise<void>;
  setFilters: (patch: Partial<EventFilters>) => void;
  clearFilters: () => void;
  setBatchMode: (on: boolean) => void;
  /** 批量動作 → 發送訊息: the composer view for the selection, with its summary from broadcast.summarize. */
  openComposer: () => Promise<void>;
  /** Summarizes the selection again (the retry of a failed summary, or after a re-sync). */
  summarizeSelection: () => Promise<void>;
  /** Back to the grid, once pending edits are saved (stays, with the error, if that save fails). */
  backToGrid: () => Promise<void>;
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

/** A pause, resume or cancel waiting for main's answer. */
export type BroadcastAction = 'pause' | 'resume' | 'cancel';

/** One broadcast as the renderer knows it: main's latest progress, and what the user is doing with it. */
export interface BroadcastEntry {
  progress: BroadcastProgress;
  busy: BroadcastAction | null;
  /** Why the last pause, resume or cancel was refused. */
  error: ErrorCode | null;
  /** The final notice was closed: the broadcast is no longer shown (its history stays in 發送紀錄). */
  dismissed: boolean;
  /** Why recipients failed or are unknown (broadcast.problems), loaded when it ends with any; null until then. */
  problems: BroadcastProblemsState | null;
}

/** broadcast.problems of one finished broadcast, for its end notice. */
export interface BroadcastProblemsState {
  state: Exclude<LoadState, 'idle'>;
  /** Grouped by channel, state and reason, most first (as main sorts them); kept while a reload runs. */
  list: BroadcastProblem[];
  error: ErrorCode | null;
}

/** 發送 → the confirmation: preparing (re-checking with the Inbox API), shown, or being sent. */
export type SendPhase = 'preparing' | 'ready' | 'sending' | 'failed';

/** What 發送紀錄 can send again: a broadcast's failed recipients, or (explicitly) its unknown ones. */
export type RetryMode = Exclude<BroadcastKind, 'original'>;

export interface SendFlow {
  /** The composer the confirmation belongs to (a late answer for another one is dropped); null for a retry. */
  composerKey: number | null;
  draftId: string | null;
  /** 重試失敗 / 重送狀態不明 from 發送紀錄: the broadcast it retries, and how; null for a send from a draft. */
  retry: { originId: string; mode: RetryMode } | null;
  phase: SendPhase;
  /** broadcast.prepare's answer (kept while a send runs or after a send error, so the dialog still shows it). */
  plan: BroadcastPlan | null;
  error: ErrorCode | null;
  /** Why the plan shown is a second one: the first was too old, or the quota changed under it. */
  renewedAfter: 'plan_expired' | 'over_limit' | null;
}

export interface BroadcastsSlice {
  /** Broadcasts by id, from broadcast.send, broadcast.active at start, and broadcast.progress pushes. */
  broadcasts: Readonly<Record<string, BroadcastEntry>>;
  sendFlow: SendFlow | null;
  /** A progress from main (push or answer); an older one than what is shown is dropped. */
  applyBroadcastProgress: (progress: BroadcastProgress) => void;
  /** broadcast.active: sends that resumed after a restart. */
  loadActiveBroadcasts: () => Promise<void>;
  pauseBroadcast: (id: string) => Promise<void>;
  resumeBroadcast: (id: string) => Promise<void>;
  cancelBroadcast: (id: string) => Promise<void>;
  /** Closes a finished broadcast's notice. */
  dismissBroadcast: (id: string) => void;
  /** broadcast.problems for a broadcast shown (done by itself when one ends with failed or unknown recipients). */
  loadBroadcastProblems: (id: string) => Promise<void>;
  /** 發送: saves pending edits, then broadcast.prepare for the open composer's draft. */
  startSend: () => Promise<void>;
  /** broadcast.prepare again (after it failed). */
  retryPrepare: () => Promise<void>;
  /** 確認發送 (fit false) or 只發送給 N 位 (fit true). */
  confirmSend: (fit: boolean) => Promise<void>;
  closeSend: () => void;
  /** 重試失敗的顧客 / 重送狀態不明的顧客: broadcast.retryFailed or resendUnknown, then the same confirmation. */
  startRetry: (originId: string, mode: RetryMode) => Promise<void>;
}

/** 發送紀錄's filters as the user sets them (dates as YYYY-MM-DD, '' for none). */
export interface HistoryFilters {
  from: string;
  to: string;
  channel: 'all' | Channel;
  state: 'all' | NonNullable<HistoryQuery['state']>;
  search: string;
}

export interface HistoryListState {
  filters: HistoryFilters;
  /** Loaded pages, newest first. */
  items: HistoryItem[];
  nextCursor: string | null;
  /** The first page (a reload keeps the items shown until it answers). */
  state: LoadState;
  loadingMore: boolean;
  error: ErrorCode | null;
}

export interface RecipientFilters {
  state: 'all' | RecipientState;
  channel: 'all' | Channel;
  search: string;
}

export interface RecipientsState {
  filters: RecipientFilters;
  offset: number;
  page: RecipientsPage | null;
  state: LoadState;
  error: ErrorCode | null;
}

/** One broadcast opened from 發送紀錄: its detail, a page of its recipients, and what the user does with it. */
export interface HistoryDetailState {
  id: string;
  state: LoadState;
  detail: BroadcastDetail | null;
  error: ErrorCode | null;
  recipients: RecipientsState;
  exporting: boolean;
  exportError: ErrorCode | null;
  /** The last export (its file name and rows), for the confirmation line. */
  exported: Pick<ExportedCsv, 'fileName' | 'rows'> | null;
  /** Retries sent from this view: their progress is shown here until closed. */
  sentRetries: string[];
}

export interface HistorySlice {
  history: HistoryListState;
  historyDetail: HistoryDetailState | null;
  /** The first page for the filters (history.list). */
  loadHistory: () => Promise<void>;
  setHistoryFilters: (patch: Partial<HistoryFilters>) => void;
  clearHistoryFilters: () => void;
  /** The next page (the cursor of the last one). */
  loadMoreHistory: () => Promise<void>;
  /** The pages shown, again (a broadcast ended): one call for up to 200 items, so the list does not jump. */
  refreshHistory: () => Promise<void>;
  openHistoryDetail: (id: string) => Promise<void>;
  closeHistoryDetail: () => void;
  reloadHistoryDetail: () => Promise<void>;
  setRecipientFilters: (patch: Partial<RecipientFilters>) => void;
  loadRecipients: (offset: number) => Promise<void>;
  /** history.export of the open broadcast: the CSV, or null (the error is in the detail state). */
  exportHistory: () => Promise<ExportedCsv | null>;
  /** A broadcast's progress (push or answer): the list and the open detail follow it. */
  applyHistoryProgress: (progress: BroadcastProgress) => void;
  /** A retry was sent from the open detail (its progress shows there). */
  noteRetrySent: (originId: string, broadcastId: string) => void;
}

/** The report's date presets; custom: the two dates the user picked. */
export type ReportPreset = 'today' | 'last7' | 'last30' | 'month' | 'year' | 'custom';

export interface ReportRange {
  preset: ReportPreset;
  /** YYYY-MM-DD, both days included ('' until the first load resolves a preset). */
  from: string;
  to: string;
}

export interface ReportSlice {
  reportRange: ReportRange;
  report: ReferralReport | null;
  reportState: LoadState;
  reportError: ErrorCode | null;
  /** A preset (its days resolved from today) or custom dates; the report is asked again. */
  setReportPreset: (preset: ReportPreset) => void;
  setReportDates: (from: string, to: string) => void;
  loadReport: () => Promise<void>;
}

export type AppStore = AppSlice &
  SettingsSlice &
  DraftsSlice &
  ComposerSlice &
  WorkspaceSlice &
  SessionSlice &
  EventsSlice &
  SelectionSlice &
  SyncSlice &
  BroadcastsSlice &
  HistorySlice &
  ReportSlice;

/** A slice creator over the whole bound store (zustand's slices pattern). */
export type SliceCreator<Slice> = StateCreator<AppStore, [], [], Slice>;

import { z } from 'zod';
import {
  AppInfo,
  BroadcastDetail,
  BroadcastPlan,
  ExportedCsv,
  HistoryPage,
  HistoryQuery,
  RecipientsPage,
  RecipientsQuery,
  ReferralReport,
  ReportQuery,
  BroadcastProblem,
  BroadcastProgress,
  BroadcastRef,
  PrepareInput,
  SendInput,
  AppStatus,
  Deleted,
  ComposeCheck,
  ComposedImage,
  Draft,
  DraftHead,
  DraftRef,
  DraftSaveInput,
  DraftSummary,
  ImageImportInput,
  TemplateCatalog,
  TemplatesInput,
  NoInput,
  Settings,
  EventList,
  EventSelection,
  SelectionSummary,
  SessionInfo,
  SettingsPatch,
  SignInInput,
  SyncStatus,
  WorkspaceInfo,
} from './schemas';

/**
 * Every method of the bridge, declared once: main implements them, both transports carry them, the renderer calls
 * them. Each takes exactly one input object and resolves to a Result of its output.
 */
export const methods = {
  'app.info': { input: NoInput, output: AppInfo },
  'settings.get': { input: NoInput, output: Settings },
  'settings.set': { input: SettingsPatch, output: Settings },
  'drafts.list': { input: NoInput, output: z.array(DraftSummary) },
  'drafts.get': { input: DraftRef, output: Draft },
  /** Autosave: creates a draft or patches one (absent fields stay); the image must come from compose.importImage. */
  'drafts.save': { input: DraftSaveInput, output: DraftHead },
  'drafts.delete': { input: DraftRef, output: Deleted },
  /** A copy of a draft (text, image, templates, selection) as a new draft. */
  'drafts.duplicate': { input: DraftRef, output: DraftHead },
  /**
   * Converts and stores one image (sharp): orientation applied, metadata stripped, a variant per channel. Refused
   * with image_too_large / image_unsupported / image_corrupt / image_too_many_pixels, storing nothing.
   */
  'compose.importImage': { input: ImageImportInput, output: ComposedImage },
  /** The WhatsApp templates of the workspace's numbers: cached for offline; `refresh` fetches them (online). */
  'compose.templates': { input: TemplatesInput, output: TemplateCatalog },
  /** Validates a stored draft as main will send it: recipients, links, template parameters, every limit. */
  'compose.check': { input: DraftRef, output: ComposeCheck },
  'workspace.get': { input: NoInput, output: WorkspaceInfo },
  /** Chooses the demo workspace: starts the sandbox inside main and points every client at it. */
  'workspace.useDemo': { input: NoInput, output: WorkspaceInfo },
  'session.get': { input: NoInput, output: SessionInfo },
  /** POST /v1/auth/login, then /v1/me and /v1/channels; tokens stay in main's vault. */
  'session.signIn': { input: SignInInput, output: SessionInfo },
  /** Wipes the tokens, the channel credentials and the events cache; drafts and history stay. */
  'session.signOut': { input: NoInput, output: SessionInfo },
  'events.list': { input: NoInput, output: EventList },
  /** Starts a sync now (the refresh button); progress arrives as sync.status. */
  'events.sync': { input: NoInput, output: SyncStatus },
  'events.syncStatus': { input: NoInput, output: SyncStatus },
  /** A broadcast method: refused unless the seed's access rule allows the user to broadcast. */
  'broadcast.summarize': { input: EventSelection, output: SelectionSummary },
  /**
   * After 發送: re-checks every selected event with the Inbox API, the LINE quotas and the sender's allowance, and
   * answers the confirmation (counts per channel, what is skipped and why, what is short, an estimate). Refused with
   * draft_not_ready unless compose.check is ready.
   */
  'broadcast.prepare': { input: PrepareInput, output: BroadcastPlan },
  /** Writes the broadcast (content + recipients) in one transaction and returns at once; main sends it. */
  'broadcast.send': { input: SendInput, output: BroadcastProgress },
  'broadcast.pause': { input: BroadcastRef, output: BroadcastProgress },
  'broadcast.resume': { input: BroadcastRef, output: BroadcastProgress },
  /** In-flight requests finish; nothing new starts; the rest is skipped (cancelled). */
  'broadcast.cancel': { input: BroadcastRef, output: BroadcastProgress },
  'broadcast.get': { input: BroadcastRef, output: BroadcastProgress },
  /** Broadcasts not finished yet (sending, paused, waiting), newest first: what the progress bar shows after a restart. */
  'broadcast.active': { input: NoInput, output: z.array(BroadcastProgress) },
  /** Why recipients failed or are unknown, grouped by reason (most first): the end notice's explanation. */
  'broadcast.problems': { input: BroadcastRef, output: z.array(BroadcastProblem) },
  /**
   * 重試失敗: a confirmation (as broadcast.prepare) for a new broadcast, linked to this one, to its failed recipients
   * whose events are still in progress; broadcast.send sends it.
   */
  'broadcast.retryFailed': { input: BroadcastRef, output: BroadcastPlan },
  /** 重送狀態不明: the same for its unknown recipients — explicit, as a customer may get the message twice. */
  'broadcast.resendUnknown': { input: BroadcastRef, output: BroadcastPlan },
  /** 發送紀錄: broadcasts newest first, filtered, a page at a time; works offline. */
  'history.list': { input: HistoryQuery, output: HistoryPage },
  'history.get': { input: BroadcastRef, output: BroadcastDetail },
  /** A page of a broadcast's recipients (state, time, request or message id, reason). */
  'history.recipients': { input: RecipientsQuery, output: RecipientsPage },
  /** The recipients of a broadcast as CSV (UTF-8 with BOM, formula cells neutralised). */
  'history.export': { input: BroadcastRef, output: ExportedCsv },
  /** 導購連結報表: total messages and referral links by day, channel and sender, over a date range. */
  'report.get': { input: ReportQuery, output: ReferralReport },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

/** Push events from main to the renderer. */
export const events = {
  /** The mode or the network changed. */
  'app.status': AppStatus,
  /** Settings changed (possibly from another window or transport). */
  'settings.changed': Settings,
  /** Signed in, out, or the token expired. */
  'session.changed': SessionInfo,
  /** The sync's progress and outcome. */
  'sync.status': SyncStatus,
  /** The events cache changed: reload the list. */
  'events.changed': z.object({ version: z.number().int() }),
  /** The workspace changed (chosen, started). */
  'workspace.changed': WorkspaceInfo,
  /** The drafts list changed. */
  'drafts.changed': z.object({ ids: z.array(z.string()) }),
  /** A broadcast's progress (at most every 100 ms each), and its final state once. */
  'broadcast.progress': BroadcastProgress,
} as const satisfies Record<string, z.ZodType>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

import { z } from 'zod';

/** LINE counts text length in UTF-16 code units, as JavaScript's `length` does. */
export const MAX_TEXT_LENGTH = 5000;

export const Language = z.enum(['zh-TW', 'en']);
export type Language = z.infer<typeof Language>;

/**
 * setup: no workspace chosen yet (first start); demo: the built-in demo workspace (a sandbox inside main, which works
 * offline too); connected: a real workspace; offline: a real workspace without network.
 */
export const AppMode = z.enum(['setup', 'demo', 'connected', 'offline']);
export type AppMode = z.infer<typeof AppMode>;

export const Transport = z.enum(['electron', 'preview']);
export type Transport = z.infer<typeof Transport>;

/** Methods that take no arguments still take an empty object, so every payload is checked the same way. */
export const NoInput = z.object({}).strict();

export const Id = z.uuid();

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  mode: AppMode,
  online: z.boolean(),
  dataDir: z.string(),
  transport: Transport,
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** Non-secret settings only: secrets live in main's vault and never cross the bridge. */
export const Settings = z.object({
  language: Language,
});
export type Settings = z.infer<typeof Settings>;

export const SettingsPatch = Settings.partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

export const DraftText = z.string().max(MAX_TEXT_LENGTH);

export const Draft = z.object({
  id: Id,
  text: DraftText,
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Draft = z.infer<typeof Draft>;

export const DraftSummary = z.object({
  id: Id,
  /** The first non-empty line of the text, trimmed to 80 characters. */
  title: z.string(),
  length: z.number().int().nonnegative(),
  updatedAt: z.number().int(),
});
export type DraftSummary = z.infer<typeof DraftSummary>;

export const DraftSaveInput = z
  .object({
    /** Absent: a new draft. Present: that draft is updated (not_found if it was deleted). */
    id: Id.optional(),
    text: DraftText,
  })
  .strict();
export type DraftSaveInput = z.infer<typeof DraftSaveInput>;

export const DraftRef = z.object({ id: Id }).strict();

export const Deleted = z.object({ deleted: z.boolean() });

export const WorkspaceKind = z.enum(['none', 'demo', 'remote']);
export type WorkspaceKind = z.infer<typeof WorkspaceKind>;

export const Role = z.enum(['sales_manager', 'sales_person', 'admin', 'agent']);
export type Role = z.infer<typeof Role>;

export const Plan = z.enum(['omo', 'standard']);
export type Plan = z.infer<typeof Plan>;

/** A login of the demo workspace (password "demo"), listed so a new user can try each role. */
export const DemoAccount = z.object({
  account: z.string(),
  name: z.string(),
  role: Role,
  plan: Plan,
  store: z.string().nullable(),
});
export type DemoAccount = z.infer<typeof DemoAccount>;

export const WorkspaceInfo = z.object({
  kind: WorkspaceKind,
  /** The Inbox API's base URL: the embedded sandbox's loopback origin in the demo. */
  inboxUrl: z.string().nullable(),
  /** The demo's sandbox is starting (it takes a moment on first use). */
  starting: z.boolean(),
  demoAccounts: z.array(DemoAccount),
});
export type WorkspaceInfo = z.infer<typeof WorkspaceInfo>;

export const Channel = z.enum(['line', 'whatsapp']);
export type Channel = z.infer<typeof Channel>;

/** A channel account of the workspace as the renderer may see it: a name and the last characters of its token. */
export const ChannelSummary = z.object({
  channel: Channel,
  /** LINE channel id or WhatsApp phone-number id. */
  id: z.string(),
  name: z.string(),
  /** WhatsApp: the display number; LINE: ''. */
  detail: z.string(),
  /** "…a1f": enough to tell two tokens apart, never enough to use one. */
  tokenHint: z.string().max(8),
});
export type ChannelSummary = z.infer<typeof ChannelSummary>;

/** Why a signed-in user may not broadcast (the seed's rule: OMO plan, sales manager or sales person only). */
export const BroadcastBlock = z.enum(['plan', 'role']);
export type BroadcastBlock = z.infer<typeof BroadcastBlock>;

export const SessionInfo = z.object({
  signedIn: z.boolean(),
  /** The token expired or was revoked: sign in again (drafts and history are kept). */
  expired: z.boolean(),
  inboxUrl: z.string().nullable(),
  account: z.string().nullable(),
  user: z.object({ id: z.string(), name: z.string(), role: Role }).nullable(),
  workspace: z.object({ id: z.string(), name: z.string(), plan: Plan }).nullable(),
  store: z.object({ id: z.string(), name: z.string() }).nullable(),
  canBroadcast: z.boolean(),
  broadcastBlock: BroadcastBlock.nullable(),
  channels: z.array(ChannelSummary),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const SignInInput = z
  .object({
    /** Absent: the demo workspace's sandbox. An https URL, or http on a loopback address (a local sandbox). */
    inboxUrl: z.string().min(1).max(2000).optional(),
    account: z.string().trim().min(1).max(200),
    password: z.string().min(1).max(200),
  })
  .strict();
export type SignInInput = z.infer<typeof SignInInput>;

export const SyncState = z.enum(['idle', 'syncing', 'backoff', 'offline', 'error', 'signed_out']);
export type SyncState = z.infer<typeof SyncState>;

export const SyncStatus = z.object({
  state: SyncState,
  /** The end of the last complete sync (epoch ms), what "last synced …" shows. */
  lastSyncedAt: z.number().nullable(),
  /** Events received by the sync under way. */
  fetched: z.number().int().nonnegative(),
  /** Malformed items skipped by the last sync (the rest were applied). */
  skipped: z.number().int().nonnegative(),
  /** Why the last attempt failed, as an error code the UI translates. */
  error: z.string().nullable(),
  /** When the next attempt is due (backoff), epoch ms. */
  nextAttemptAt: z.number().nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

/**
 * The in-progress events of the signed-in user, column by column: 100,000 rows cross the bridge as a few arrays of
 * primitives plus dictionaries, not 100,000 objects. Row i is (ids[i], names[i], …); the *Index columns point into
 * the dictionaries. Sorted by last message time, newest first.
 */
export const EventColumns = z.object({
  ids: z.array(z.string()),
  names: z.array(z.string()),
  /** 0 = LINE, 1 = WhatsApp. */
  channels: z.array(z.number().int().min(0).max(1)),
  accountIndex: z.array(z.number().int().nonnegative()),
  lastMessageAt: z.array(z.number()),
  storeIndex: z.array(z.number().int()),
  assigneeIndex: z.array(z.number().int()),
  /** Tag indices of each row. */
  tagIndex: z.array(z.array(z.number().int().nonnegative())),
  /** Whether the customer has an avatar (fetched by main, served under `avatarUrl(eventId)` of the bridge). */
  avatar: z.array(z.boolean()),
});
export type EventColumns = z.infer<typeof EventColumns>;

export const EventList = z.object({
  rows: EventColumns,
  /** -1 in storeIndex / assigneeIndex means none. */
  stores: z.array(z.object({ id: z.string(), name: z.string() })),
  assignees: z.array(z.object({ id: z.string(), name: z.string() })),
  tags: z.array(z.string()),
  accounts: z.array(z.object({ channel: Channel, id: z.string(), name: z.string() })),
  /** Bumped by every change of the cache, so the renderer knows what it holds. */
  version: z.number().int(),
  lastSyncedAt: z.number().nullable(),
});
export type EventList = z.infer<typeof EventList>;

export const MAX_SELECTION = 200_000;

export const EventSelection = z
  .object({ eventIds: z.array(z.string().min(1).max(200)).min(1).max(MAX_SELECTION) })
  .strict();

/** What a selection amounts to, per channel and account: the composer's summary. */
export const SelectionSummary = z.object({
  total: z.number().int(),
  line: z.number().int(),
  whatsapp: z.number().int(),
  accounts: z.array(z.object({ channel: Channel, id: z.string(), name: z.string(), count: z.number().int() })),
  /** Selected ids that are no longer in progress (or no longer in the cache): they will not be sent to. */
  dropped: z.number().int(),
});
export type SelectionSummary = z.infer<typeof SelectionSummary>;

export const AppStatus = z.object({
  mode: AppMode,
  online: z.boolean(),
});
export type AppStatus = z.infer<typeof AppStatus>;

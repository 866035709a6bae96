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

/** The session of nobody: before the first sign-in and after signing out. */
export const SIGNED_OUT_SESSION: SessionInfo = {
  signedIn: false,
  expired: false,
  inboxUrl: null,
  account: null,
  user: null,
  workspace: null,
  store: null,
  canBroadcast: false,
  broadcastBlock: null,
  channels: [],
};

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
 * the dictionaries. Sorted by last message time, newest first. This is the plain form (main's own, and what tests and
 * small lists use); events.list sends the packed form below.
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

/**
 * A column of small integers in {-1, 0, 1, …}, one per row. As a string: one UTF-16 code unit per row, the value being
 * `charCodeAt(row) - CODE_BASE` (so -1 is '#', and dictionaries of up to 92 entries stay one byte per row in UTF-8 JSON);
 * used whenever every value is at most CODE_MAX. Otherwise a plain array of the values.
 */
export const CODE_BASE = 0x24;
export const CODE_MAX = 0xffff - CODE_BASE;
export const RowCodes = z.union([z.string(), z.array(z.number().int().min(-1))]);
export type RowCodes = z.infer<typeof RowCodes>;

/**
 * Time differences as text: each number written least significant digit first in base 46, with TIME_DIGITS[0…45] for
 * its last digit and TIME_DIGITS[46…91] for the others (printable ASCII, nothing JSON escapes). 11 s is 3 characters.
 */
export const TIME_DIGITS = "!#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";
export const TIME_BASE = 46;

/**
 * The same rows, packed for the wire (what events.list sends): about 40 % of the plain form's JSON, and a few hundred
 * objects for the receiver to allocate instead of half a million. Per-row columns are dictionary codes (RowCodes) into
 * small tables; the channel of a row is its account's; times are differences.
 */
export const PackedEventColumns = z.object({
  encoding: z.literal('packed'),
  ids: z.array(z.string()),
  /** Distinct customer names, in order of first appearance; `nameCodes` points each row into it. */
  names: z.array(z.string()),
  nameCodes: RowCodes,
  /**
   * lastMessageAt[0] = deltas[0]; lastMessageAt[i] = lastMessageAt[i - 1] - deltas[i]. As text (TIME_DIGITS) when the
   * rows are newest first (every delta ≥ 0), else the numbers.
   */
  lastMessageDeltas: z.union([z.string(), z.array(z.number().int())]),
  /**
   * The distinct combinations of account (into EventList.accounts; it gives the channel), store and assignee (into
   * EventList.stores / .assignees, -1 = none) and whether the customer has an avatar (served under
   * `avatarUrl(eventId)`); `groupCodes` points each row into it.
   */
  groups: z.array(
    z.object({
      account: z.number().int().nonnegative(),
      store: z.number().int().min(-1),
      assignee: z.number().int().min(-1),
      avatar: z.boolean(),
    }),
  ),
  groupCodes: RowCodes,
  /** Distinct sets of tag indices (into EventList.tags); `tagSetCodes` points each row into it. */
  tagSets: z.array(z.array(z.number().int().nonnegative())),
  tagSetCodes: RowCodes,
});
export type PackedEventColumns = z.infer<typeof PackedEventColumns>;

function codeAt(codes: RowCodes, row: number): number {
  return typeof codes === 'string' ? codes.charCodeAt(row) - CODE_BASE : (codes[row] ?? Number.NaN);
}

/** Character code → its value as a TIME_DIGITS digit (-1: not one). */
const TIME_DIGIT_VALUE = new Int8Array(128).fill(-1);
for (let digit = 0; digit < TIME_DIGITS.length; digit += 1) TIME_DIGIT_VALUE[TIME_DIGITS.charCodeAt(digit)] = digit;

/** How many numbers a TIME_DIGITS text holds (its final digits), or -1 when it is not such a text. */
export function countTimeDeltas(text: string): number {
  let count = 0;
  let open = false;
  for (let at = 0; at < text.length; at += 1) {
    const digit = TIME_DIGIT_VALUE[text.charCodeAt(at)] ?? -1;
    if (digit < 0) return -1;
    open = digit >= TIME_BASE;
    if (!open) count += 1;
  }
  return open ? -1 : count;
}

/** Every per-row column of a packed list has one entry per id, and every code points into its dictionary. */
function checkPacked(
  rows: PackedEventColumns,
  sizes: { accounts: number; stores: number; assignees: number; tags: number },
  ctx: z.RefinementCtx,
): void {
  const count = rows.ids.length;
  const columns: Array<[string, RowCodes, number, number]> = [
    ['nameCodes', rows.nameCodes, 0, rows.names.length - 1],
    ['groupCodes', rows.groupCodes, 0, rows.groups.length - 1],
    ['tagSetCodes', rows.tagSetCodes, 0, rows.tagSets.length - 1],
  ];
  for (const [name, codes, min, max] of columns) {
    if (codes.length !== count) {
      ctx.addIssue({ code: 'custom', path: ['rows', name], message: `${codes.length} entries for ${count} rows` });
      continue;
    }
    for (let row = 0; row < count; row += 1) {
      const code = codeAt(codes, row);
      if (!(code >= min && code <= max)) {
        ctx.addIssue({ code: 'custom', path: ['rows', name, row], message: `code ${code} outside ${min}…${max}` });
        break;
      }
    }
  }
  const deltas = rows.lastMessageDeltas;
  const times = typeof deltas === 'string' ? countTimeDeltas(deltas) : deltas.length;
  if (times !== count) {
    ctx.addIssue({ code: 'custom', path: ['rows', 'lastMessageDeltas'], message: `${times} entries for ${count} rows` });
  }
  const badGroup = rows.groups.findIndex(
    (group) => group.account >= sizes.accounts || group.store >= sizes.stores || group.assignee >= sizes.assignees,
  );
  if (badGroup >= 0) ctx.addIssue({ code: 'custom', path: ['rows', 'groups', badGroup], message: 'an index outside its dictionary' });
  if (rows.tagSets.some((set) => set.some((tag) => tag >= sizes.tags))) {
    ctx.addIssue({ code: 'custom', path: ['rows', 'tagSets'], message: 'a tag index outside the tags' });
  }
}

export const EventList = z
  .object({
    rows: z.union([EventColumns, PackedEventColumns]),
    /** -1 in storeIndex / assigneeIndex means none. */
    stores: z.array(z.object({ id: z.string(), name: z.string() })),
    assignees: z.array(z.object({ id: z.string(), name: z.string() })),
    tags: z.array(z.string()),
    accounts: z.array(z.object({ channel: Channel, id: z.string(), name: z.string() })),
    /** Bumped by every change of the cache, so the renderer knows what it holds. */
    version: z.number().int(),
    lastSyncedAt: z.number().nullable(),
  })
  .superRefine((list, ctx) => {
    if ('encoding' in list.rows) {
      checkPacked(list.rows, { accounts: list.accounts.length, stores: list.stores.length, assignees: list.assignees.length, tags: list.tags.length }, ctx);
    }
  });
export type EventList = z.infer<typeof EventList>;
/** The list with its rows in the plain form (main builds it so; tests read it). */
export type PlainEventList = Omit<EventList, 'rows'> & { rows: EventColumns };
/** The list with its rows packed (what events.list sends). */
export type PackedEventList = Omit<EventList, 'rows'> & { rows: PackedEventColumns };

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

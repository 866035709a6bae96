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

/** Files larger than this are refused before decoding (image_too_large). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** Images with more pixels than this are refused before decoding them (image_too_many_pixels: a decompression bomb). */
export const MAX_IMAGE_PIXELS = 100_000_000;

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * A composed image as main stored it, content-addressed by the SHA-256 of its original: EXIF orientation applied,
 * metadata (GPS included) stripped, and one variant per use (LINE original ≤ 10 MB, LINE preview ≤ 1 MB,
 * WhatsApp ≤ 5 MB, a thumbnail for the UI).
 */
export const ComposedImage = z.object({
  sha256: Sha256,
  /** The LINE original's format (JPEG or PNG, what LINE takes). */
  format: z.enum(['jpeg', 'png']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Sizes in bytes of the variants. */
  bytes: z.number().int().positive(),
  previewBytes: z.number().int().positive(),
  whatsappBytes: z.number().int().positive(),
  /** What the user dropped: its format and size before conversion. */
  source: z.object({ format: z.string(), bytes: z.number().int().nonnegative() }),
});
export type ComposedImage = z.infer<typeof ComposedImage>;

/** The variants the renderer may display (through `imageUrl` of the bridge). */
export const ImageVariant = z.enum(['thumb', 'preview']);
export type ImageVariant = z.infer<typeof ImageVariant>;

/** A draft's image: the stored image and the name of the file it came from (shown, never used as a path). */
export const DraftImageRef = z
  .object({
    sha256: Sha256,
    name: z.string().max(255),
  })
  .strict();
export type DraftImageRef = z.infer<typeof DraftImageRef>;

export const DraftImage = DraftImageRef.extend({ image: ComposedImage });
export type DraftImage = z.infer<typeof DraftImage>;

/** A WhatsApp template parameter's value: a fixed text, or a customer field with a fallback when it is empty. */
export const TemplateParamValue = z.discriminatedUnion('source', [
  z.object({ source: z.literal('fixed'), text: z.string().max(1024) }).strict(),
  z.object({ source: z.literal('customer_name'), fallback: z.string().max(1024) }).strict(),
]);
export type TemplateParamValue = z.infer<typeof TemplateParamValue>;

/** WhatsApp phone-number ids, WABA ids and template ids are Graph ids: digits. */
export const GraphId = z.string().regex(/^\d{1,32}$/);

export const TemplateChoice = z
  .object({
    name: z.string().regex(/^[a-z0-9_]{1,512}$/),
    /** Meta's locale code, e.g. zh_TW. */
    language: z.string().regex(/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/),
  })
  .strict();
export type TemplateChoice = z.infer<typeof TemplateChoice>;

/** The template part for one WhatsApp number of the selection (templates belong to the number's business account). */
export const WhatsAppNumberDraft = z
  .object({
    phoneNumberId: GraphId,
    template: TemplateChoice.nullable(),
    /** By parameter key: "1", "2"… for a positional template, the parameter's name for a named one. */
    params: z
      .record(z.string().regex(/^[A-Za-z0-9_]{1,64}$/), TemplateParamValue)
      .refine((params) => Object.keys(params).length <= 100, 'at most 100 parameters'),
  })
  .strict();
export type WhatsAppNumberDraft = z.infer<typeof WhatsAppNumberDraft>;

export const WhatsAppDraft = z
  .object({ numbers: z.array(WhatsAppNumberDraft).max(100) })
  .strict()
  .refine((draft) => new Set(draft.numbers.map((number) => number.phoneNumberId)).size === draft.numbers.length, 'a number appears twice');
export type WhatsAppDraft = z.infer<typeof WhatsAppDraft>;

export const EMPTY_WHATSAPP_DRAFT: WhatsAppDraft = { numbers: [] };

export const MAX_SELECTION = 200_000;
const EventIds = z.array(z.string().min(1).max(200)).max(MAX_SELECTION);

/** A draft as drafts.save answers it: everything but the (possibly 100,000) selected event ids. */
export const DraftHead = z.object({
  id: Id,
  text: DraftText,
  image: DraftImage.nullable(),
  whatsapp: WhatsAppDraft,
  /** How many events the saved selection holds; null: the draft has no selection of its own. */
  selectionCount: z.number().int().nonnegative().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type DraftHead = z.infer<typeof DraftHead>;

/** A whole draft (drafts.get): its content, image, template part and saved selection. */
export const Draft = DraftHead.extend({
  /** The event ids it is meant for (null: none saved). */
  selection: EventIds.nullable(),
});
export type Draft = z.infer<typeof Draft>;

export const DraftSummary = z.object({
  id: Id,
  /** The first non-empty line of the text, trimmed to 80 characters. */
  title: z.string(),
  length: z.number().int().nonnegative(),
  /** The image's SHA-256 (for a thumbnail), or null. */
  imageSha256: Sha256.nullable(),
  /** The chosen WhatsApp templates' names. */
  templates: z.array(z.string()),
  selectionCount: z.number().int().nonnegative().nullable(),
  updatedAt: z.number().int(),
});
export type DraftSummary = z.infer<typeof DraftSummary>;

/**
 * Autosave: a new draft (no id) or a patch of one (with id; not_found if it was deleted). Absent fields are left as
 * they are, so the selection is sent once, not with every keystroke.
 */
export const DraftSaveInput = z
  .object({
    id: Id.optional(),
    text: DraftText.optional(),
    /** null removes the image; the image must have been stored by compose.importImage. */
    image: DraftImageRef.nullable().optional(),
    whatsapp: WhatsAppDraft.optional(),
    selection: EventIds.nullable().optional(),
  })
  .strict();
export type DraftSaveInput = z.infer<typeof DraftSaveInput>;

export const DraftRef = z.object({ id: Id }).strict();

/** compose.importImage: one file, as base64 (both transports carry text), with the name it had. */
export const ImageImportInput = z
  .object({
    name: z.string().max(255),
    /** Base64 of the file; a little over MAX_IMAGE_BYTES is let through so main can say image_too_large. */
    data: z.string().max(Math.ceil((MAX_IMAGE_BYTES * 1.05) / 3) * 4),
  })
  .strict();
export type ImageImportInput = z.infer<typeof ImageImportInput>;

export const TemplatesInput = z.object({ refresh: z.boolean() }).strict();

export const TemplateStatus = z.string();

/** Why a template cannot be sent from the app, beyond its status. */
export const TEMPLATE_UNSUPPORTED = [
  /** No BODY component, or an empty one. */
  'no_body',
  /** A video, document or location header, or a text header with a parameter: the app fills only an image header. */
  'header_format',
  /** A component the app does not fill (carousel, limited-time offer, or one it does not know). */
  'component_type',
  /** A button that needs a parameter when sent (a URL with a {{1}} suffix, a coupon code, an OTP, a catalog). */
  'button_parameters',
  /** Placeholders that are neither {{1}}…{{n}} in order nor valid names. */
  'param_format',
  /** More than 100 parameters. */
  'too_many_params',
] as const;
export const TemplateUnsupported = z.enum(TEMPLATE_UNSUPPORTED);
export type TemplateUnsupported = z.infer<typeof TemplateUnsupported>;

/** A template as the composer needs it, parsed from Meta's components. */
export const TemplateInfo = z.object({
  name: z.string(),
  language: z.string(),
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED…: only APPROVED ones can be sent. */
  status: TemplateStatus,
  category: z.string().nullable(),
  parameterFormat: z.enum(['POSITIONAL', 'NAMED']),
  /** NONE, TEXT (static), IMAGE (the composed image goes there), or OTHER (video, document, location, a text header with a parameter). */
  header: z.object({ format: z.enum(['NONE', 'TEXT', 'IMAGE', 'OTHER']), text: z.string().nullable() }),
  body: z.string(),
  footer: z.string().nullable(),
  buttons: z.array(z.string()),
  /** The body's parameters in order, with Meta's example values. */
  params: z.array(z.object({ key: z.string(), example: z.string().nullable() })),
  /** Why this template cannot be sent from the app (null: it can when APPROVED). */
  unsupported: TemplateUnsupported.nullable(),
});
export type TemplateInfo = z.infer<typeof TemplateInfo>;

export const NumberTemplates = z.object({
  phoneNumberId: z.string(),
  name: z.string(),
  displayNumber: z.string(),
  /** When the cached list was fetched (null: never). */
  fetchedAt: z.number().nullable(),
  /** Why the last refresh failed (an error code), when it did; the cached list is still shown. */
  error: z.string().nullable(),
  templates: z.array(TemplateInfo),
});
export type NumberTemplates = z.infer<typeof NumberTemplates>;

export const TemplateCatalog = z.object({ numbers: z.array(NumberTemplates) });
export type TemplateCatalog = z.infer<typeof TemplateCatalog>;

/** Why a draft cannot be sent yet; `param` names the template parameter when one is to blame. */
export const COMPOSE_PROBLEMS = [
  /** No event selected (or none still in progress). */
  'no_recipients',
  /** LINE recipients but neither an image nor a text. */
  'line_empty',
  /** Over 5,000 UTF-16 units as typed, or once official links carry their UTM tags. */
  'text_too_long',
  'text_too_long_tagged',
  /** The draft's image is no longer stored. */
  'image_missing',
  /** No cached templates for the number (fetch them online once). */
  'wa_templates_unavailable',
  'wa_template_missing',
  /** The chosen template is not in the number's list any more. */
  'wa_template_unknown',
  'wa_template_not_approved',
  'wa_template_unsupported',
  'wa_header_image_missing',
  'wa_param_missing',
  /** A newline, a tab or more than four spaces in a row: Meta refuses it. */
  'wa_param_invalid',
  'wa_param_too_long',
] as const;
export const ComposeProblemCode = z.enum(COMPOSE_PROBLEMS);
export type ComposeProblemCode = z.infer<typeof ComposeProblemCode>;

export const ComposeProblem = z.object({ code: ComposeProblemCode, param: z.string().nullable() });
export type ComposeProblem = z.infer<typeof ComposeProblem>;

export const LinkKind = z.enum(['official', 'other']);
export type LinkKind = z.infer<typeof LinkKind>;

/** A link found in the text (linkify-it), as LINE will make it clickable. */
export const TextLink = z.object({
  /** UTF-16 offsets into the text. */
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  url: z.string(),
  /** 官網連結 (the workspace's official domains or their subdomains) or 非官網連結. */
  kind: LinkKind,
  /** The link as it will be sent to LINE customers when the workspace enables UTM (official links only), else null. */
  tagged: z.string().nullable(),
});
export type TextLink = z.infer<typeof TextLink>;

export const WhatsAppCheck = z.object({
  phoneNumberId: z.string(),
  name: z.string(),
  displayNumber: z.string(),
  recipients: z.number().int().nonnegative(),
  template: TemplateInfo.nullable(),
  problems: z.array(ComposeProblem),
  /** The template filled for the first customer of this number, as their phone shows it. */
  sample: z
    .object({
      customerName: z.string(),
      header: z.string().nullable(),
      body: z.string(),
      footer: z.string().nullable(),
    })
    .nullable(),
});
export type WhatsAppCheck = z.infer<typeof WhatsAppCheck>;

/** compose.check: what main makes of a stored draft: recipients, links, and every reason it cannot be sent yet. */
export const ComposeCheck = z.object({
  draftId: Id,
  /** The draft's updatedAt this check was made for. */
  updatedAt: z.number().int(),
  recipients: z.object({
    total: z.number().int().nonnegative(),
    line: z.number().int().nonnegative(),
    whatsapp: z.number().int().nonnegative(),
    /** Saved ids that are no longer in progress (or no longer cached). */
    dropped: z.number().int().nonnegative(),
  }),
  text: z.object({
    /** UTF-16 units, as LINE counts them. */
    length: z.number().int().nonnegative(),
    /** The length once official links carry their UTM tags (equal to length without UTM). */
    taggedLength: z.number().int().nonnegative(),
    max: z.number().int().positive(),
  }),
  links: z.array(TextLink),
  utm: z.boolean(),
  line: z.object({ recipients: z.number().int().nonnegative(), problems: z.array(ComposeProblem) }),
  whatsapp: z.array(WhatsAppCheck),
  /** Problems of the draft as a whole (no recipients). */
  problems: z.array(ComposeProblem),
  /** True when every part with recipients can be sent. */
  ready: z.boolean(),
});
export type ComposeCheck = z.infer<typeof ComposeCheck>;

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

// ---------------------------------------------------------------------------------------------------------------
// Broadcasts: the confirmation (prepare), the send, and its progress (DESIGN §4 Delivery semantics)

export const BroadcastState = z.enum([
  'queued',
  'sending',
  'paused',
  'waiting_for_network',
  'completed',
  'completed_with_failures',
  'cancelled',
  'expired',
]);
export type BroadcastState = z.infer<typeof BroadcastState>;

/** States a broadcast never leaves. */
export const FINAL_BROADCAST_STATES: readonly BroadcastState[] = ['completed', 'completed_with_failures', 'cancelled', 'expired'];

export const RecipientState = z.enum(['pending', 'in_flight', 'accepted', 'failed', 'skipped', 'unknown']);
export type RecipientState = z.infer<typeof RecipientState>;

/** Why a selected event is not sent to (recipient state `skipped`). */
export const SKIP_REASONS = [
  /** The event left 處理中 (in progress) before the send: the seed's rule. */
  'not_in_progress',
  /** The Inbox API no longer knows the event, or no longer shows it to this user. */
  'not_found',
  /** A sales person's event now assigned to someone else. */
  'reassigned',
  /** The same customer (LINE user, WhatsApp number) is already a recipient through another event. */
  'duplicate',
  /** Left out to fit the LINE channel's monthly quota ("send to fewer"). */
  'over_quota',
  /** Left out to fit the sender's monthly allowance ("send to fewer"). */
  'over_allowance',
  /** The broadcast was cancelled before reaching them. */
  'cancelled',
  /** The broadcast expired before reaching them (a stale promotion is not sent). */
  'expired',
] as const;
export const SkipReason = z.enum(SKIP_REASONS);
export type SkipReason = z.infer<typeof SkipReason>;

export const SkippedEvent = z.object({
  eventId: z.string(),
  customerName: z.string(),
  channel: Channel,
  reason: SkipReason,
});
export type SkippedEvent = z.infer<typeof SkippedEvent>;

/** How many recipients are in each state. */
export const RecipientCounts = z.object({
  pending: z.number().int().nonnegative(),
  inFlight: z.number().int().nonnegative(),
  accepted: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  unknown: z.number().int().nonnegative(),
});
export type RecipientCounts = z.infer<typeof RecipientCounts>;

/** broadcast.prepare: the confirmation shown after 發送, made from a ready draft and a fresh status re-check. */
export const BroadcastPlan = z.object({
  planId: Id,
  /** The draft it is sent from (null for a retry of a broadcast whose draft is gone). */
  draftId: Id.nullable(),
  /** A retry (broadcast.retryFailed / resendUnknown): the broadcast it retries; null for a send from a draft. */
  originId: Id.nullable(),
  /** Who will get it after the re-check (before any "send to fewer"). */
  recipients: z.object({ total: z.number().int(), line: z.number().int(), whatsapp: z.number().int() }),
  /** The first 200 events left out, with the reason; `skippedCount` is all of them. */
  skipped: z.array(SkippedEvent).max(200),
  skippedCount: z.number().int().nonnegative(),
  /** Per LINE channel with recipients: the monthly quota left (null: unlimited, or unknown when LINE did not answer). */
  lineQuota: z.array(z.object({ channelId: z.string(), name: z.string(), needed: z.number().int(), remaining: z.number().int().nullable() })),
  /** The sender's monthly allowance (null limit: none). */
  allowance: z.object({ monthlyLimit: z.number().int().nullable(), usedThisMonth: z.number().int(), remaining: z.number().int().nullable() }),
  /** How many recipients fit every LINE quota and the allowance; `shortBy` = total − sendable. */
  sendable: z.number().int().nonnegative(),
  shortBy: z.number().int().nonnegative(),
  /** At the paced rates, how long the send should take. */
  estimatedSeconds: z.number().nonnegative(),
  /** The plan is good until then (epoch ms); broadcast.send refuses it afterwards (plan_expired). */
  validUntil: z.number(),
  /** The broadcast's expiry if sent now (the workspace's setting, default 24 h). */
  expiresAt: z.number(),
});
export type BroadcastPlan = z.infer<typeof BroadcastPlan>;

export const PrepareInput = z.object({ draftId: Id }).strict();

export const SendInput = z
  .object({
    planId: Id,
    /** true: send to the `sendable` recipients only (the others are skipped over_quota / over_allowance). */
    fit: z.boolean(),
  })
  .strict();

export const BroadcastRef = z.object({ id: Id }).strict();

/** Why a broadcast waits or stopped short, for the UI. */
export const BroadcastNote = z.enum(['line_quota', 'waiting_for_network', 'expired', 'cancelled', 'rate_limited']);
export type BroadcastNote = z.infer<typeof BroadcastNote>;

/** A broadcast's live state (push `broadcast.progress`, at most every 100 ms per broadcast). */
export const BroadcastProgress = z.object({
  id: Id,
  draftId: z.string().nullable(),
  state: BroadcastState,
  note: BroadcastNote.nullable(),
  total: z.number().int().nonnegative(),
  counts: RecipientCounts,
  line: RecipientCounts,
  whatsapp: RecipientCounts,
  /** Recipients finished per second over the last few seconds. */
  ratePerSecond: z.number().nonnegative(),
  /** Seconds left at that rate (null: unknown, paused or finished). */
  etaSeconds: z.number().nonnegative().nullable(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  expiresAt: z.number(),
});
export type BroadcastProgress = z.infer<typeof BroadcastProgress>;

/**
 * Why recipients of a broadcast failed or are unknown, grouped: `reason` is a stable code the UI translates (LINE's
 * and Meta's answers mapped in main: line_quota, line_rejected, wa_undeliverable, wa_timeout, …); `detail` is the
 * service's own words for the first of them, when it said any (LINE's message), shown as is.
 */
export const BroadcastProblem = z.object({
  channel: Channel,
  state: z.enum(['failed', 'unknown']),
  reason: z.string(),
  detail: z.string().nullable(),
  count: z.number().int().positive(),
});
export type BroadcastProblem = z.infer<typeof BroadcastProblem>;

// ---------------------------------------------------------------------------------------------------------------
// Sent history (發送紀錄) and the referral-link report (報表)

/** Why a broadcast exists: sent from a draft, or a retry of another one's failed or unknown recipients. */
export const BroadcastKind = z.enum(['original', 'retry_failed', 'resend_unknown']);
export type BroadcastKind = z.infer<typeof BroadcastKind>;

export const HistoryQuery = z
  .object({
    /** Epoch ms, inclusive (created at or after). */
    from: z.number().int().nonnegative().optional(),
    /** Epoch ms, exclusive. */
    to: z.number().int().nonnegative().optional(),
    channel: Channel.optional(),
    /** 'active': queued, sending, paused or waiting; 'failures': finished with failed or unknown recipients. */
    state: z.enum(['active', 'completed', 'failures', 'cancelled', 'expired']).optional(),
    /** Matches the text and the sender's name (case-insensitive). */
    search: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(200),
    /** From the previous page's nextCursor. */
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type HistoryQuery = z.infer<typeof HistoryQuery>;

export const HistoryItem = z.object({
  id: Id,
  kind: BroadcastKind,
  /** The broadcast this one retries (kind ≠ original). */
  originId: z.string().nullable(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  senderId: z.string(),
  senderName: z.string(),
  channels: z.array(Channel),
  imageSha256: Sha256.nullable(),
  /** The first non-empty line of the text (or the first template's name for a WhatsApp-only broadcast). */
  title: z.string(),
  state: BroadcastState,
  note: BroadcastNote.nullable(),
  total: z.number().int().nonnegative(),
  counts: RecipientCounts,
});
export type HistoryItem = z.infer<typeof HistoryItem>;

export const HistoryPage = z.object({
  items: z.array(HistoryItem),
  nextCursor: z.string().nullable(),
});
export type HistoryPage = z.infer<typeof HistoryPage>;

/** How the platform's report of a broadcast stands (PUT /v1/broadcasts/{id}). */
export const ReportSync = z.object({
  state: z.enum(['not_due', 'pending', 'reported']),
  reportedAt: z.number().nullable(),
  attempts: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
});
export type ReportSync = z.infer<typeof ReportSync>;

/** One broadcast as sent: its content (with the UTM-tagged text LINE got), its retries, the platform report. */
export const BroadcastDetail = z.object({
  item: HistoryItem,
  content: z.object({
    text: z.string().nullable(),
    /** The text as LINE customers got it (official links tagged), or null without text. */
    lineText: z.string().nullable(),
    links: z.array(z.object({ url: z.string(), kind: LinkKind })),
    whatsapp: z.array(
      z.object({
        phoneNumberId: z.string(),
        template: z.object({ name: z.string(), language: z.string() }),
        body: z.string().nullable(),
        links: z.array(z.object({ url: z.string(), kind: LinkKind })),
      }),
    ),
  }),
  /** Per channel. */
  byChannel: z.object({ line: RecipientCounts, whatsapp: RecipientCounts }),
  /** Broadcasts made from this one's failures (newest first). */
  retries: z.array(HistoryItem),
  problems: z.array(BroadcastProblem),
  report: ReportSync,
  /** Failed recipients whose events are still 處理中 in the cache (what "retry failed" would send to). */
  retryableFailed: z.number().int().nonnegative(),
  unknown: z.number().int().nonnegative(),
});
export type BroadcastDetail = z.infer<typeof BroadcastDetail>;

export const RecipientsQuery = z
  .object({
    id: Id,
    state: RecipientState.optional(),
    channel: Channel.optional(),
    /** Matches the customer's name (case-insensitive). */
    search: z.string().max(200).optional(),
    offset: z.number().int().nonnegative(),
    limit: z.number().int().min(1).max(500),
  })
  .strict();
export type RecipientsQuery = z.infer<typeof RecipientsQuery>;

export const RecipientEntry = z.object({
  eventId: z.string(),
  channel: Channel,
  channelAccount: z.string(),
  customerName: z.string(),
  state: RecipientState,
  /** A stable code the UI translates (skip reasons, line_*, wa_*), and the service's own words when there are any. */
  reason: z.string().nullable(),
  detail: z.string().nullable(),
  /** When the row last changed (sent, answered, skipped). */
  at: z.number(),
  /** LINE's x-line-request-id of the request that carried it. */
  requestId: z.string().nullable(),
  /** WhatsApp's message id (wamid). */
  messageId: z.string().nullable(),
});
export type RecipientEntry = z.infer<typeof RecipientEntry>;

export const RecipientsPage = z.object({ rows: z.array(RecipientEntry), total: z.number().int().nonnegative() });
export type RecipientsPage = z.infer<typeof RecipientsPage>;

export const ExportedCsv = z.object({
  fileName: z.string(),
  /** UTF-8 text starting with a BOM (so Excel opens zh-TW), cells that start with = + - @ neutralised. */
  csv: z.string(),
  rows: z.number().int().nonnegative(),
});
export type ExportedCsv = z.infer<typeof ExportedCsv>;

export const ReportQuery = z
  .object({
    /** Epoch ms, inclusive; `to` exclusive; at most 400 days apart. */
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative(),
    /** The user's UTC offset in minutes (Taiwan: 480): days are the user's calendar days. */
    utcOffsetMinutes: z.number().int().min(-840).max(840),
  })
  .strict()
  .refine((query) => query.to > query.from && query.to - query.from <= 400 * 86_400_000, 'from < to, at most 400 days');
export type ReportQuery = z.infer<typeof ReportQuery>;

export const ReportCounters = z.object({
  /** 總訊息數目: recipients who accepted a message (one per recipient, whatever the number of bubbles). */
  messages: z.number().int().nonnegative(),
  /** 導購連結數量, split: each link of an accepted message, per recipient. */
  officialLinks: z.number().int().nonnegative(),
  otherLinks: z.number().int().nonnegative(),
});
export type ReportCounters = z.infer<typeof ReportCounters>;

export const ReportRow = ReportCounters.extend({
  /** YYYY-MM-DD in the user's calendar. */
  day: z.string(),
  channel: Channel,
  senderId: z.string(),
  senderName: z.string(),
});
export type ReportRow = z.infer<typeof ReportRow>;

/** 導購連結報表: the seed's counters by day, channel and sender. */
export const ReferralReport = z.object({
  from: z.number(),
  to: z.number(),
  rows: z.array(ReportRow),
  totals: ReportCounters,
  /**
   * local: this computer's broadcasts; platform: the Inbox API's report of the store's senders (a sales manager,
   * online), with this computer's broadcasts not yet reported added.
   */
  source: z.enum(['local', 'platform']),
  /** Finished broadcasts whose counters have not reached the platform yet (offline, or it refused for now). */
  pendingReports: z.number().int().nonnegative(),
});
export type ReferralReport = z.infer<typeof ReferralReport>;

/**
 * An in-memory OmoBridge for component tests. It behaves like main's contract: inputs and outputs are checked with
 * the contract's own zod schemas, every call resolves to a Result, and changes are announced as push events.
 */
import {
  type AppInfo,
  type BroadcastProgress,
  type ComposeCheck,
  type ComposedImage,
  type DemoAccount,
  type Draft,
  type DraftHead,
  type DraftSummary,
  type ImageVariant,
  type ErrorCode,
  type PlainEventList,
  type EventName,
  type EventPayload,
  type MethodInput,
  type MethodName,
  type MethodOutput,
  type OmoBridge,
  type Result,
  type SessionInfo,
  type Settings,
  type SyncStatus,
  type TemplateCatalog,
  type WorkspaceInfo,
  err,
  events as eventSchemas,
  methods,
  ok,
} from '../../preload/contract';
import { packEventList } from '../../preload/contract/event-list-codec';
import { Failure, FakeBroadcasts, type ProgressStep } from './fake-broadcast';
import { computeCheck, fakeComposedImage, fakeTemplates, importRefusal } from './fake-compose';
import { FakeHistory, type HistoryRecord } from './fake-history';
import { SIGNED_OUT, makeEventList, sessionFor } from './fake-events';

/** Deterministic, schema-valid v4 UUIDs. */
export function fakeId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export const FAKE_START = Date.UTC(2025, 0, 15, 9, 30);

/** The demo sandbox's loopback origin, as main would report it. */
export const DEMO_INBOX_URL = 'http://127.0.0.1:41234';

/** A few of the seed's demo logins: each role, both plans, and one account without a store. */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  { account: 'manager@demo', name: '陳怡君', role: 'sales_manager', plan: 'omo', store: '台北信義店' },
  { account: 'sales@demo', name: '林志豪', role: 'sales_person', plan: 'omo', store: '台北信義店' },
  { account: 'agent@demo', name: '張家豪', role: 'agent', plan: 'omo', store: '台北信義店' },
  { account: 'admin@demo', name: '黃淑芬', role: 'admin', plan: 'omo', store: null },
  { account: 'standard@demo', name: '李小華', role: 'sales_person', plan: 'standard', store: '巷口小舖 本店' },
];

export function demoWorkspace(fields: Partial<WorkspaceInfo> = {}): WorkspaceInfo {
  return { kind: 'demo', inboxUrl: DEMO_INBOX_URL, starting: false, demoAccounts: DEMO_ACCOUNTS, ...fields };
}

export const NO_WORKSPACE: WorkspaceInfo = { kind: 'none', inboxUrl: null, starting: false, demoAccounts: [] };

export interface FakeBridgeOptions {
  appInfo?: Partial<AppInfo>;
  settings?: Settings;
  drafts?: Array<Pick<Draft, 'text'> & Partial<Draft>>;
  /** The WhatsApp templates main has cached (default: a small catalog for two numbers). */
  templates?: TemplateCatalog;
  /** The workspace tags official links with UTM parameters. */
  utm?: boolean;
  /** The workspace's official domains (default shop.example.com). */
  officialDomains?: string[];
  /** Defaults follow appInfo.mode: none on 'setup', the demo otherwise. */
  workspace?: WorkspaceInfo;
  /** The fake clock; each call advances it by one second unless given. */
  now?: () => number;
  /** Signed in as this demo account at start (or a whole SessionInfo); default signed out. */
  signedInAs?: string | SessionInfo;
  /** The events main has cached: a list, or how many rows to generate. Default 40. */
  events?: PlainEventList | number;
  /** events.list answers in the packed form, as main does (default); false: the plain form, which the contract allows too. */
  packedEvents?: boolean;
  syncStatus?: Partial<SyncStatus>;
  /** The broadcasts main has kept (發送紀錄); default none. */
  history?: HistoryRecord[];
}

/** The demo password, as the sandbox has it. */
export const DEMO_PASSWORD = 'demo';

type Handler<M extends MethodName> = (input: MethodInput<M>) => MethodOutput<M>;
type Handlers = { [M in MethodName]: Handler<M> };

interface Call {
  method: MethodName;
  input: unknown;
}

export class FakeBridge implements OmoBridge {
  readonly calls: Call[] = [];
  appInfo: AppInfo;
  settings: Settings;
  workspace: WorkspaceInfo;
  readonly drafts = new Map<string, Draft>();
  session: SessionInfo;
  /** What main has cached, in the plain form (events.list packs it unless `packedEvents` is false). */
  eventList: PlainEventList;
  readonly packedEvents: boolean;
  syncStatus: SyncStatus;
  /** Images stored by compose.importImage, by SHA-256. */
  readonly images = new Map<string, ComposedImage>();
  templates: TemplateCatalog;
  utm: boolean;
  officialDomains: string[];
  /** compose.check answers this instead of computing (a stale or a hand-made answer). */
  cannedCheck: ((draft: Draft) => ComposeCheck) | null = null;
  /** broadcast.*: what the re-check and the quotas say, the plans made, and the broadcasts main is sending. */
  readonly sending = new FakeBroadcasts();
  /** history.* and report.get: the broadcasts kept, their recipients, the report's rows. */
  readonly history = new FakeHistory();

  private nextId = 1;
  private clock = FAKE_START;
  private readonly now: () => number;
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly failures = new Map<MethodName, ErrorCode[]>();
  private readonly holds = new Map<MethodName, Promise<void>>();

  constructor(options: FakeBridgeOptions = {}) {
    this.appInfo = {
      name: 'OMO Broadcast',
      version: '0.1.0',
      mode: 'demo',
      online: true,
      dataDir: '/home/sales/.config/omo-broadcast',
      transport: 'preview',
      platform: 'linux',
      ...options.appInfo,
    };
    this.settings = options.settings ?? { language: 'zh-TW' };
    this.workspace = options.workspace ?? (this.appInfo.mode === 'setup' ? NO_WORKSPACE : demoWorkspace());
    this.now = options.now ?? (() => (this.clock += 1000));
    const signedInAs = options.signedInAs;
    this.session =
      typeof signedInAs === 'string'
        ? this.sessionOf(signedInAs)
        : (signedInAs ?? SIGNED_OUT);
    const events = options.events ?? 40;
    this.eventList = typeof events === 'number' ? makeEventList(events) : events;
    this.packedEvents = options.packedEvents ?? true;
    this.syncStatus = {
      state: this.session.signedIn ? 'idle' : 'signed_out',
      lastSyncedAt: this.eventList.lastSyncedAt,
      fetched: 0,
      skipped: 0,
      error: null,
      nextAttemptAt: null,
      ...options.syncStatus,
    };
    this.templates = options.templates ?? fakeTemplates(FAKE_START - 60 * 60_000);
    this.utm = options.utm ?? false;
    this.officialDomains = options.officialDomains ?? ['shop.example.com'];
    this.history.add(...(options.history ?? []));
    for (const draft of options.drafts ?? []) {
      const id = draft.id ?? fakeId(this.nextId++);
      const time = draft.updatedAt ?? this.now();
      if (draft.image) this.images.set(draft.image.sha256, draft.image.image);
      this.drafts.set(id, {
        id,
        text: draft.text,
        image: draft.image ?? null,
        whatsapp: draft.whatsapp ?? { numbers: [] },
        selection: draft.selection ?? null,
        selectionCount: draft.selection ? draft.selection.length : null,
        createdAt: draft.createdAt ?? time,
        updatedAt: time,
      });
    }
  }

  /** A stored draft as drafts.save answers it (without the selection's ids). */
  private head(draft: Draft): DraftHead {
    const { selection: _selection, ...head } = draft;
    return head;
  }

  private summary(draft: Draft): DraftSummary {
    const line = draft.text.split(/\r?\n/).find((candidate) => candidate.trim().length > 0)?.trim() ?? '';
    return {
      id: draft.id,
      title: line.slice(0, 80),
      length: draft.text.length,
      imageSha256: draft.image?.sha256 ?? null,
      templates: draft.whatsapp.numbers.flatMap((number) => (number.template ? [number.template.name] : [])),
      selectionCount: draft.selection ? draft.selection.length : null,
      updatedAt: draft.updatedAt,
    };
  }

  /** The next call of `method` resolves to this error instead of running. */
  failNext(method: MethodName, code: ErrorCode): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), code]);
  }

  /** Calls of `method` wait until the returned function is called. */
  hold(method: MethodName): () => void {
    let release: () => void = () => undefined;
    this.holds.set(method, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.holds.delete(method);
      release();
    };
  }

  callsOf(method: MethodName): unknown[] {
    return this.calls.filter((call) => call.method === method).map((call) => call.input);
  }

  listenerCount(event: EventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  avatarUrl(eventId: string): string {
    return `omo-media://avatar/${encodeURIComponent(eventId)}`;
  }

  imageUrl(sha256: string, variant: ImageVariant): string {
    return `omo-media://image/${sha256}/${variant}`;
  }

  private sessionOf(account: string): SessionInfo {
    const demo = this.workspace.demoAccounts.find((candidate) => candidate.account === account);
    if (!demo) throw new Error(`no demo account ${account}`);
    return sessionFor(demo, this.workspace.inboxUrl ?? 'http://127.0.0.1:41234');
  }

  /** Main's cache changed (a sync): the new list, its version bumped, and events.changed pushed. */
  replaceEvents(list: PlainEventList): void {
    this.eventList = { ...list, version: this.eventList.version + 1 };
    this.emit('events.changed', { version: this.eventList.version });
  }

  /** Main found the token expired: session.changed with expired (the account stays, for the form). */
  expireSession(): void {
    this.session = { ...SIGNED_OUT, expired: true, account: this.session.account, inboxUrl: this.session.inboxUrl };
    this.emit('session.changed', this.session);
  }

  setSyncStatus(patch: Partial<SyncStatus>): void {
    this.syncStatus = { ...this.syncStatus, ...patch };
    this.emit('sync.status', this.syncStatus);
  }

  /** Main reports a broadcast's progress: recipients done, state changes; pushed as broadcast.progress. */
  progress(id: string, change: ProgressStep): BroadcastProgress {
    const progress = this.sending.step(id, change, this.now());
    this.emit('broadcast.progress', progress);
    return progress;
  }

  /** The one broadcast broadcast.send started (a test sends once). */
  lastBroadcastId(): string {
    const ids = [...this.sending.broadcasts.keys()];
    const id = ids[ids.length - 1];
    if (id === undefined) throw new Error('nothing was sent');
    return id;
  }

  private checkOf(draft: Draft): ComposeCheck {
    if (this.cannedCheck) return this.cannedCheck(draft);
    return computeCheck(draft, {
      events: this.eventList,
      catalog: this.templates,
      utm: this.utm,
      officialDomains: this.officialDomains,
    });
  }

  private requireBroadcaster(): void {
    if (!this.session.signedIn) throw new Failure('not_signed_in');
    if (this.session.broadcastBlock === 'plan') throw new Failure('forbidden_plan');
    if (!this.session.canBroadcast) throw new Failure('forbidden_role');
  }

  /** Sends a push event, as main would. */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    // Checked like main's pushes; the schema's output is the payload type again.
    const checked = eventSchemas[event].parse(payload) as EventPayload<E>;
    for (const listener of this.listeners.get(event) ?? []) (listener as (payload: EventPayload<E>) => void)(checked);
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (payload: never) => void);
    this.listeners.set(event, set);
    return () => set.delete(listener as (payload: never) => void);
  }

  async invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>> {
    this.calls.push({ method, input });
    await this.holds.get(method);
    await Promise.resolve();
    const failure = this.failures.get(method)?.shift();
    if (failure) return err(failure, `fake failure of ${method}`);
    const parsed = methods[method].input.safeParse(input);
    if (!parsed.success) return err('invalid_input', parsed.error.message);
    try {
      const handler = this.handlers[method] as Handler<M>;
      const output = handler(parsed.data as MethodInput<M>);
      // Outputs are checked too: a fake that drifts from the contract would make the tests lie.
      methods[method].output.parse(output);
      return ok(output);
    } catch (error) {
      if (error instanceof Failure) return err(error.code, error.message);
      throw error;
    }
  }

  private announce<E extends EventName>(event: E, payload: EventPayload<E>): void {
    // Main's pushes travel separately from the call's answer; deliver them after it.
    setTimeout(() => this.emit(event, payload), 0);
  }

  private readonly handlers: Handlers = {
    'app.info': () => this.appInfo,
    'settings.get': () => this.settings,
    'settings.set': (patch) => {
      if (patch.language !== undefined) this.settings = { ...this.settings, language: patch.language };
      this.announce('settings.changed', this.settings);
      return this.settings;
    },
    'drafts.list': () => [...this.drafts.values()].sort((a, b) => b.updatedAt - a.updatedAt).map((draft) => this.summary(draft)),
    'drafts.get': ({ id }) => {
      const draft = this.drafts.get(id);
      if (!draft) throw new Failure('not_found');
      return draft;
    },
    // Like main: a new draft, or a patch of one where absent fields stay as they are.
    'drafts.save': ({ id, text, image, whatsapp, selection }) => {
      const now = this.now();
      if (image && !this.images.has(image.sha256)) throw new Failure('invalid_input');
      let draft: Draft;
      if (id === undefined) {
        draft = {
          id: fakeId(this.nextId++),
          text: text ?? '',
          image: null,
          whatsapp: { numbers: [] },
          selection: null,
          selectionCount: null,
          createdAt: now,
          updatedAt: now,
        };
      } else {
        const existing = this.drafts.get(id);
        if (!existing) throw new Failure('not_found');
        draft = { ...existing, updatedAt: now };
      }
      if (text !== undefined) draft.text = text;
      if (image !== undefined) draft.image = image === null ? null : { ...image, image: this.images.get(image.sha256) as ComposedImage };
      if (whatsapp !== undefined) draft.whatsapp = whatsapp;
      if (selection !== undefined) {
        draft.selection = selection;
        draft.selectionCount = selection === null ? null : selection.length;
      }
      this.drafts.set(draft.id, draft);
      this.announce('drafts.changed', { ids: [draft.id] });
      return this.head(draft);
    },
    'drafts.delete': ({ id }) => {
      const deleted = this.drafts.delete(id);
      if (deleted) this.announce('drafts.changed', { ids: [id] });
      return { deleted };
    },
    'drafts.duplicate': ({ id }) => {
      const existing = this.drafts.get(id);
      if (!existing) throw new Failure('not_found');
      const now = this.now();
      const copy: Draft = { ...existing, id: fakeId(this.nextId++), createdAt: now, updatedAt: now };
      this.drafts.set(copy.id, copy);
      this.announce('drafts.changed', { ids: [copy.id] });
      return this.head(copy);
    },
    // Like main: refused by what the file is (here: by its name), storing nothing; else stored by its hash.
    'compose.importImage': ({ name, data }) => {
      const refusal = importRefusal(name);
      if (refusal) throw new Failure(refusal);
      const image = fakeComposedImage(name, data);
      this.images.set(image.sha256, image);
      return image;
    },
    'compose.templates': ({ refresh }) => {
      if (refresh) {
        if (!this.appInfo.online) throw new Failure('unreachable');
        const fetchedAt = this.now();
        this.templates = { numbers: this.templates.numbers.map((number) => ({ ...number, fetchedAt, error: null })) };
      }
      return this.templates;
    },
    'compose.check': ({ id }) => {
      const draft = this.drafts.get(id);
      if (!draft) throw new Failure('not_found');
      return this.checkOf(draft);
    },
    'workspace.get': () => this.workspace,
    'session.get': () => this.session,
    // Like main: demo logins (password "demo") in the demo; with an Inbox URL, a workspace of one's own.
    'session.signIn': ({ inboxUrl, account, password }) => {
      if (inboxUrl !== undefined) {
        if (!/^https:\/\/|^http:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(inboxUrl)) throw new Failure('invalid_inbox_url');
        if (inboxUrl.includes('unreachable')) throw new Failure('unreachable');
        if (inboxUrl.includes('not-an-inbox')) throw new Failure('bad_server_response');
      } else if (this.workspace.kind !== 'demo') {
        throw new Failure('invalid_inbox_url');
      }
      const demo = this.workspace.demoAccounts.find((candidate) => candidate.account === account) ??
        (inboxUrl !== undefined && account === 'remote@example.com'
          ? { account, name: 'Remote Sales', role: 'sales_person' as const, plan: 'omo' as const, store: '台北信義店' }
          : undefined);
      if (!demo || password !== DEMO_PASSWORD) throw new Failure('invalid_credentials');
      this.session = sessionFor(demo, inboxUrl ?? this.workspace.inboxUrl ?? '');
      this.syncStatus = { ...this.syncStatus, state: 'idle' };
      if (inboxUrl !== undefined && this.workspace.kind !== 'demo') {
        this.workspace = { kind: 'remote', inboxUrl, starting: false, demoAccounts: [] };
        this.appInfo = { ...this.appInfo, mode: 'connected' };
        this.announce('workspace.changed', this.workspace);
        this.announce('app.status', { mode: 'connected', online: this.appInfo.online });
      }
      this.announce('session.changed', this.session);
      return this.session;
    },
    'session.signOut': () => {
      this.session = SIGNED_OUT;
      this.eventList = makeEventList(0, { version: this.eventList.version + 1, lastSyncedAt: null });
      this.syncStatus = { ...this.syncStatus, state: 'signed_out', lastSyncedAt: null };
      this.announce('session.changed', this.session);
      return this.session;
    },
    'events.list': () => {
      if (!this.session.signedIn && !this.session.expired) throw new Failure('not_signed_in');
      return this.packedEvents ? packEventList(this.eventList) : this.eventList;
    },
    'events.sync': () => {
      if (!this.session.signedIn) throw new Failure('not_signed_in');
      this.syncStatus = { ...this.syncStatus, state: 'syncing', fetched: 0 };
      return this.syncStatus;
    },
    'events.syncStatus': () => this.syncStatus,
    'broadcast.summarize': ({ eventIds }) => {
      this.requireBroadcaster();
      const rows = new Map(this.eventList.rows.ids.map((id, row) => [id, row]));
      const perAccount = new Map<number, number>();
      let line = 0;
      let whatsapp = 0;
      let dropped = 0;
      for (const id of eventIds) {
        const row = rows.get(id);
        if (row === undefined) {
          dropped += 1;
          continue;
        }
        if (this.eventList.rows.channels[row] === 0) line += 1;
        else whatsapp += 1;
        const account = this.eventList.rows.accountIndex[row] ?? 0;
        perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
      }
      const accounts = [...perAccount].map(([account, count]) => {
        const info = this.eventList.accounts[account] ?? { channel: 'line' as const, id: '?', name: '?' };
        return { ...info, count };
      });
      return { total: line + whatsapp, line, whatsapp, accounts, dropped };
    },
    // Like main: the re-check with the Inbox API needs the network; the answer is the confirmation.
    'broadcast.prepare': ({ draftId }) => {
      this.requireBroadcaster();
      const draft = this.drafts.get(draftId);
      if (!draft) throw new Failure('not_found');
      if (!this.appInfo.online) throw new Failure('unreachable');
      return this.sending.prepare(draft, this.checkOf(draft), this.eventList, this.now(), fakeId(this.nextId++));
    },
    'broadcast.send': ({ planId, fit }) => {
      this.requireBroadcaster();
      const progress = this.sending.send(planId, fit, this.now(), fakeId(this.nextId++));
      this.history.recordSend(planId, progress);
      return progress;
    },
    'broadcast.pause': ({ id }) => this.sending.pause(id),
    'broadcast.resume': ({ id }) => this.sending.resume(id),
    'broadcast.cancel': ({ id }) => this.sending.cancel(id, this.now()),
    'broadcast.get': ({ id }) => this.sending.get(id),
    'broadcast.active': () => this.sending.active(),
    'broadcast.problems': ({ id }) => this.sending.problemsOf(id),
    // Like main: a retry is a send (the access rule, the re-check online), made from the history's recipients.
    'broadcast.retryFailed': ({ id }) => {
      this.requireBroadcaster();
      if (!this.appInfo.online) throw new Failure('unreachable');
      return this.history.retryPlan(id, 'retry_failed', this.sending, this.now(), fakeId(this.nextId++));
    },
    'broadcast.resendUnknown': ({ id }) => {
      this.requireBroadcaster();
      if (!this.appInfo.online) throw new Failure('unreachable');
      return this.history.retryPlan(id, 'resend_unknown', this.sending, this.now(), fakeId(this.nextId++));
    },
    // Like main: the history is local, so it answers offline and signed out too.
    'history.list': (query) => this.history.list(query),
    'history.get': ({ id }) => this.history.detail(id),
    'history.recipients': (query) => this.history.recipients(query),
    'history.export': ({ id }) => this.history.exportCsv(id),
    'report.get': (query) => this.history.report(query),
    // Like main: the choice is saved, the sandbox starts, and the new workspace and mode are pushed.
    'workspace.useDemo': () => {
      this.workspace = demoWorkspace();
      this.appInfo = { ...this.appInfo, mode: 'demo' };
      this.announce('workspace.changed', this.workspace);
      this.announce('app.status', { mode: 'demo', online: this.appInfo.online });
      return this.workspace;
    },
  };
}

export function installBridge(bridge: FakeBridge): FakeBridge {
  Object.defineProperty(window, 'omo', { value: bridge, configurable: true, writable: true });
  return bridge;
}

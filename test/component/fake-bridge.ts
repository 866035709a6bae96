/**
 * An in-memory OmoBridge for component tests. It behaves like main's contract: inputs and outputs are checked with
 * the contract's own zod schemas, every call resolves to a Result, and changes are announced as push events.
 */
import {
  type AppInfo,
  type DemoAccount,
  type Draft,
  type ErrorCode,
  type EventName,
  type EventPayload,
  type MethodInput,
  type MethodName,
  type MethodOutput,
  type OmoBridge,
  type Result,
  type Settings,
  type WorkspaceInfo,
  err,
  events as eventSchemas,
  methods,
  ok,
} from '../../preload/contract';

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
  /** Defaults follow appInfo.mode: none on 'setup', the demo otherwise. */
  workspace?: WorkspaceInfo;
  /** The fake clock; each call advances it by one second unless given. */
  now?: () => number;
}

type Handler<M extends MethodName> = (input: MethodInput<M>) => MethodOutput<M>;
type Handlers = { [M in MethodName]: Handler<M> };

class Failure extends Error {
  constructor(readonly code: ErrorCode) {
    super(code);
  }
}

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
    for (const draft of options.drafts ?? []) {
      const id = draft.id ?? fakeId(this.nextId++);
      const time = draft.updatedAt ?? this.now();
      this.drafts.set(id, { id, text: draft.text, createdAt: draft.createdAt ?? time, updatedAt: time });
    }
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
    'drafts.list': () =>
      [...this.drafts.values()]
        .sort((a, b) => b.updatedAt - a.updatedAt)
        .map((draft) => {
          const line = draft.text.split(/\r?\n/).find((candidate) => candidate.trim().length > 0)?.trim() ?? '';
          return { id: draft.id, title: line.slice(0, 80), length: draft.text.length, updatedAt: draft.updatedAt };
        }),
    'drafts.get': ({ id }) => {
      const draft = this.drafts.get(id);
      if (!draft) throw new Failure('not_found');
      return draft;
    },
    'drafts.save': ({ id, text }) => {
      const now = this.now();
      let draft: Draft;
      if (id === undefined) {
        draft = { id: fakeId(this.nextId++), text, createdAt: now, updatedAt: now };
      } else {
        const existing = this.drafts.get(id);
        if (!existing) throw new Failure('not_found');
        draft = { ...existing, text, updatedAt: now };
      }
      this.drafts.set(draft.id, draft);
      this.announce('drafts.changed', { ids: [draft.id] });
      return draft;
    },
    'drafts.delete': ({ id }) => {
      const deleted = this.drafts.delete(id);
      if (deleted) this.announce('drafts.changed', { ids: [id] });
      return { deleted };
    },
    'workspace.get': () => this.workspace,
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

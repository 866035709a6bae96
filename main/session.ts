import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  type BroadcastBlock,
  ChannelSummary,
  Plan,
  Role,
  SIGNED_OUT_SESSION,
  type SessionInfo,
  type SignInInput,
} from '../preload/contract';
import { LINE_API_BASE_URL } from './channels/line/client';
import { GRAPH_BASE_URL } from './channels/whatsapp/client';
import type { Clock } from './clock';
import {
  Channels,
  type InboxClient,
  InboxSettings,
  InboxError,
  type LoginResponse,
  type Me,
  createInboxClient,
  isUnauthorized,
  validateInboxUrl,
} from './inbox/client';
import type { Logger } from './log';
import type { NetworkStatus } from './network';
import { AppFailure } from './rpc';
import { DEMO_PASSWORD } from './sandbox/seed';
import type { Database } from './store/db';
import { deleteSettings, getSetting, setSettings } from './store/settings';
import type { Vault } from './vault';
import type { WorkspaceManager } from './workspace';

/**
 * Who is signed in to which workspace (DESIGN §6, issue 4 "Sign-in and credentials").
 *
 * Two halves, kept apart on purpose:
 * - the SECRET half (the access token and the channels' credentials) lives only in the vault, as one JSON entry, and
 *   in this module's memory; it is never written to SQLite, never logged, never returned across the bridge;
 * - the FACTS half (Inbox URL, account, user, workspace, store, channel names and token hints, expiry) lives in the
 *   settings table, so the UI can show who is signed in while offline and prefill the form after an expiry.
 * Both carry the same random `sessionId`, so a secret is never paired with another sign-in's facts.
 */

/** The settings key of the session's non-secret facts. */
export const SESSION_SETTINGS_KEY = 'session';
/** The vault entry of the session's secrets. */
export const SESSION_VAULT_KEY = 'session';

const BROADCAST_ROLES: ReadonlySet<string> = new Set(['sales_manager', 'sales_person']);

const StoredFacts = z.object({
  version: z.literal(1),
  sessionId: z.string().min(1),
  workspaceKind: z.enum(['demo', 'remote']),
  inboxUrl: z.string().min(1),
  account: z.string().min(1),
  user: z.object({ id: z.string(), name: z.string(), role: Role }),
  workspace: z.object({ id: z.string(), name: z.string(), plan: Plan }),
  store: z.object({ id: z.string(), name: z.string() }).nullable(),
  channels: z.array(ChannelSummary),
  /** When the token stops working (the server's epoch ms); null when unknown or already past at sign-in (skew). */
  expiresAt: z.number().nullable(),
  expired: z.boolean(),
  signedInAt: z.number(),
  /** GET /v1/settings: official domains, the UTM switch, the broadcast expiry (absent in records of older versions). */
  settings: InboxSettings.optional(),
});
type StoredFacts = z.output<typeof StoredFacts>;

const StoredSecret = z.object({
  version: z.literal(1),
  sessionId: z.string().min(1),
  accessToken: z.string().min(1),
  channels: Channels,
});
type StoredSecret = z.output<typeof StoredSecret>;

/** A LINE channel's credentials with the base URL resolved (the public API when the workspace names none). */
export interface LineCredentials {
  id: string;
  name: string;
  accessToken: string;
  apiBaseUrl: string;
}

export interface WhatsAppCredentials {
  phoneNumberId: string;
  wabaId: string;
  displayNumber: string;
  name: string;
  accessToken: string;
  graphVersion: string;
  apiBaseUrl: string;
}

export interface ChannelCredentials {
  line: LineCredentials[];
  whatsapp: WhatsAppCredentials[];
}

export interface SessionManager {
  info(): SessionInfo;
  signIn(input: SignInInput): Promise<SessionInfo>;
  signOut(): Promise<SessionInfo>;
  /** Start-up: the demo signs in again by itself; a remote session keeps its token and refreshes when online. */
  resume(): Promise<void>;
  /** Re-reads /v1/me and /v1/channels with the current token (a 401 expires the session); offline errors keep what is stored. */
  refresh(): Promise<SessionInfo>;
  /** An authenticated client for the current session; null when signed out or expired. */
  client(): InboxClient | null;
  /** The LINE and WhatsApp credentials, for the send engine only; null when not signed in. */
  channelCredentials(): ChannelCredentials | null;
  /** A stable key of (inbox, workspace id, user id); kept while expired, null after sign-out. */
  identity(): string | null;
  /** The token was refused: back to sign-in, keeping the non-secret facts (and drafts and history, other tables). */
  markExpired(): void;
  /** The workspace's settings (official domains, UTM, expiry), as last fetched; defaults when never fetched. */
  workspaceSettings(): InboxSettings;
  /** Throws AppFailure not_signed_in / forbidden_plan / forbidden_role unless the user may broadcast. */
  assertCanBroadcast(): void;
  /** Every secret value this run has held, for a log redactor (see createFileLogger's `secrets`). */
  secretValues(): Iterable<string>;
  close(): void;
}

export interface SessionDeps {
  db: Database;
  vault: Vault;
  logger: Logger;
  clock: Clock;
  network: NetworkStatus;
  workspace: WorkspaceManager;
  onChange(info: SessionInfo): void;
  /** Per request; tests shorten it. */
  timeoutMs?: number;
}

const SIGNED_OUT: SessionInfo = SIGNED_OUT_SESSION;

/** "…a1f": enough to tell two tokens apart, never enough to use one; nothing at all of a suspiciously short token. */
export function tokenHint(token: string): string {
  return token.length >= 12 ? `…${token.slice(-3)}` : '…';
}

/** The seed's rule: plan omo AND role sales manager or sales person; the plan is named first when both fail. */
export function broadcastBlockOf(plan: Plan, role: Role): BroadcastBlock | null {
  if (plan !== 'omo') return 'plan';
  if (!BROADCAST_ROLES.has(role)) return 'role';
  return null;
}

function summariesOf(channels: Channels): ChannelSummary[] {
  return [
    ...channels.line.map((line) => ({ channel: 'line' as const, id: line.id, name: line.name, detail: '', tokenHint: tokenHint(line.accessToken) })),
    ...channels.whatsapp.map((number) => ({
      channel: 'whatsapp' as const,
      id: number.phoneNumberId,
      name: number.name,
      detail: number.displayNumber,
      tokenHint: tokenHint(number.accessToken),
    })),
  ];
}

function secretsOf(secret: StoredSecret): string[] {
  return [secret.accessToken, ...secret.channels.line.map((c) => c.accessToken), ...secret.channels.whatsapp.map((n) => n.accessToken)];
}

interface Target {
  kind: 'demo' | 'remote';
  /** The normalised Inbox URL. */
  url: string;
}

interface Fetched {
  accessToken: string;
  expiresAt: number;
  me: Me;
  channels: Channels;
  /** null when /v1/settings failed: the workspace still works, without official domains or UTM. */
  settings: InboxSettings | null;
}

/** What the app assumes before /v1/settings has answered once: no official domain, no UTM, a day's expiry. */
export const DEFAULT_WORKSPACE_SETTINGS: InboxSettings = { officialDomains: [], utmEnabled: false, broadcastExpiryHours: 24 };

/** setTimeout's limit; a later expiry re-arms the timer when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createSessionManager(deps: SessionDeps): SessionManager {
  const { db, vault, logger, clock, workspace } = deps;
  let facts: StoredFacts | null = readFacts();
  let secret: StoredSecret | null = null;
  let cachedClient: { token: string; client: InboxClient } | null = null;
  let expiryTimer: NodeJS.Timeout | null = null;
  let closed = false;
  /** Sign-in, sign-out, resume and refresh run one at a time: each reads, awaits, then commits. */
  let queue: Promise<unknown> = Promise.resolve();
  const seenSecrets = new Set<string>();

  function readFacts(): StoredFacts | null {
    const raw = getSetting(db, SESSION_SETTINGS_KEY);
    if (raw === undefined) return null;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = undefined;
    }
    const parsed = StoredFacts.safeParse(value);
    if (!parsed.success) {
      // A damaged or foreign record: treat as signed out rather than guess; the user signs in again.
      logger.warn('session: stored facts unreadable; signed out');
      return null;
    }
    return parsed.data;
  }

  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const pastExpiry = (current: StoredFacts): boolean => current.expiresAt !== null && clock.now() >= current.expiresAt;

  /** A session belongs to the workspace it was made in: after a switch (demo ⇄ remote) it is not the current one. */
  const belongsToWorkspace = (current: StoredFacts): boolean => {
    if (workspace.kind() !== current.workspaceKind) return false;
    return current.workspaceKind === 'demo' || workspace.info().inboxUrl === current.inboxUrl;
  };

  const isActive = (current: StoredFacts | null): current is StoredFacts =>
    current !== null && !current.expired && secret !== null && secret.sessionId === current.sessionId && !pastExpiry(current) && belongsToWorkspace(current);

  const info = (): SessionInfo => {
    const current = facts;
    // After close() the database is closed: a late caller (start-up work still settling) sees nobody signed in.
    if (closed || current === null || !belongsToWorkspace(current)) return SIGNED_OUT;
    const signedIn = isActive(current);
    const block = broadcastBlockOf(current.workspace.plan, current.user.role);
    return {
      signedIn,
      expired: current.expired || pastExpiry(current),
      inboxUrl: current.inboxUrl,
      account: current.account,
      user: current.user,
      workspace: current.workspace,
      store: current.store,
      canBroadcast: signedIn && block === null,
      broadcastBlock: block,
      // Channel hints describe credentials held now; after an expiry they are gone from the vault.
      channels: signedIn ? current.channels : [],
    };
  };

  const changed = (): void => {
    if (!closed) deps.onChange(info());
  };

  const writeFacts = (next: StoredFacts): void => {
    setSettings(db, [[SESSION_SETTINGS_KEY, JSON.stringify(next)]], clock.now());
    facts = next;
  };

  const remember = (next: StoredSecret): void => {
    secret = next;
    cachedClient = null;
    for (const value of secretsOf(next)) seenSecrets.add(value);
  };

  const clearTimer = (): void => {
    if (expiryTimer !== null) clearTimeout(expiryTimer);
    expiryTimer = null;
  };

  /** Tells the UI when the token's lifetime ends, without waiting for the next request to be refused. */
  const armTimer = (): void => {
    clearTimer();
    const expiresAt = facts?.expiresAt ?? null;
    if (expiresAt === null || closed) return;
    const delay = expiresAt - clock.now();
    if (delay <= 0) return;
    expiryTimer = setTimeout(() => {
      expiryTimer = null;
      if (facts !== null && pastExpiry(facts)) markExpired();
      else armTimer();
    }, Math.min(delay, MAX_TIMER_MS));
    expiryTimer.unref();
  };

  const deleteSecret = (): void => {
    // Fire and forget: the in-memory token is already gone; a failed delete is logged (the next sign-in overwrites it).
    vault.delete(SESSION_VAULT_KEY).catch((error: unknown) => logger.error('session: vault delete failed', { error }));
  };

  function markExpired(): void {
    const current = facts;
    if (closed || current === null || current.expired) return;
    secret = null;
    cachedClient = null;
    clearTimer();
    writeFacts({ ...current, expired: true });
    deleteSecret();
    logger.info('session expired', { workspaceId: current.workspace.id, userId: current.user.id });
    changed();
  }

  /** Expires the session only if `token` is still its token: a late 401 of a replaced session changes nothing. */
  const expireToken = (token: string): void => {
    if (secret?.accessToken === token) markExpired();
  };

  const originOf = (url: string): string => {
    try {
      return new URL(url).origin;
    } catch {
      return url;
    }
  };

  /** Sign-in failures as Result codes; the message names the step and status, never the password or a token. */
  const signInFailure = (error: unknown, step: 'login' | 'profile', url: string): unknown => {
    if (!(error instanceof InboxError)) return error;
    const where = originOf(url);
    logger.warn('sign-in failed', { inbox: where, step, kind: error.kind, status: error.status, code: error.code });
    switch (error.kind) {
      case 'invalid_credentials':
        return new AppFailure('invalid_credentials', 'The account or password is incorrect');
      case 'unauthorized':
      case 'token_expired':
        // At login, a 401 is a refusal of the credentials; right after it, a refused fresh token is not a sane API.
        return step === 'login'
          ? new AppFailure('invalid_credentials', 'The account or password is incorrect')
          : new AppFailure('bad_server_response', `${where} refused the token it had just issued`);
      case 'unreachable':
      case 'timeout':
        return new AppFailure('unreachable', `The workspace at ${where} could not be reached (${error.code ?? error.kind})`);
      case 'server':
        return new AppFailure('unreachable', `The workspace at ${where} had a problem (HTTP ${error.status ?? '?'}); try again later`);
      default:
        return new AppFailure('bad_server_response', `${where} did not answer as an Inbox API: ${error.message}`);
    }
  };

  const fetchSession = async (url: string, account: string, password: string): Promise<Fetched> => {
    const anonymous = createInboxClient({ baseUrl: url, ...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}) });
    let login: LoginResponse;
    try {
      login = await anonymous.login(account, password);
    } catch (error) {
      throw signInFailure(error, 'login', url);
    }
    const authed = createInboxClient({
      baseUrl: url,
      accessToken: login.accessToken,
      ...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}),
    });
    try {
      const [me, channels, settings] = await Promise.all([authed.me(), authed.channels(), fetchSettings(authed)]);
      return { accessToken: login.accessToken, expiresAt: login.expiresAt, me, channels, settings };
    } catch (error) {
      throw signInFailure(error, 'profile', url);
    }
  };

  /** GET /v1/settings; a failure is logged and leaves the settings unknown rather than refusing the sign-in. */
  const fetchSettings = async (client: InboxClient): Promise<InboxSettings | null> => {
    try {
      return await client.settings();
    } catch (error) {
      if (isUnauthorized(error)) throw error;
      logger.warn('session: workspace settings unavailable', { error });
      return null;
    }
  };

  const resolveTarget = async (inboxUrl: string | undefined): Promise<Target> => {
    if (inboxUrl === undefined) {
      if (workspace.kind() !== 'demo') {
        throw new AppFailure('demo_unavailable', 'The demo workspace is not chosen; enter your workspace’s Inbox URL');
      }
      // A demo still starting is awaited (useDemo is idempotent); one that cannot start says demo_unavailable.
      const origin = workspace.demoOrigin() ?? (await workspace.useDemo()).inboxUrl;
      if (origin === null) throw new AppFailure('demo_unavailable', 'The demo workspace is not running');
      return { kind: 'demo', url: origin };
    }
    const url = validateInboxUrl(inboxUrl);
    // Typing the demo's own address is still the demo: its sandbox must keep running.
    if (url === workspace.demoOrigin()) return { kind: 'demo', url };
    return { kind: 'remote', url };
  };

  /** Makes a fetched session the current one: vault first (the only place of the secrets), then the facts. */
  const commit = async (target: Target, account: string, fetched: Fetched): Promise<void> => {
    if (closed) throw new AppFailure('internal', 'The app is closing');
    const sessionId = randomUUID();
    const nextSecret: StoredSecret = { version: 1, sessionId, accessToken: fetched.accessToken, channels: fetched.channels };
    try {
      await vault.set(SESSION_VAULT_KEY, JSON.stringify(nextSecret));
    } catch (error) {
      logger.error('session: the vault refused the secrets', { error });
      throw new AppFailure('internal', 'Secure storage is not available, so the app cannot keep the sign-in; see the log');
    }
    if (target.kind === 'remote') await workspace.useRemote(target.url);
    const now = clock.now();
    // A token already past its expiry by our clock means the clocks disagree: the server's 401 decides instead.
    const expiresAt = fetched.expiresAt > now ? fetched.expiresAt : null;
    if (closed) return;
    writeFacts({
      version: 1,
      sessionId,
      workspaceKind: target.kind,
      inboxUrl: target.url,
      account,
      user: { id: fetched.me.user.id, name: fetched.me.user.name, role: fetched.me.user.role },
      workspace: { id: fetched.me.workspace.id, name: fetched.me.workspace.name, plan: fetched.me.workspace.plan },
      store: { id: fetched.me.store.id, name: fetched.me.store.name },
      channels: summariesOf(fetched.channels),
      expiresAt,
      expired: false,
      signedInAt: now,
      ...(fetched.settings === null ? {} : { settings: fetched.settings }),
    });
    remember(nextSecret);
    armTimer();
    logger.info('signed in', {
      inbox: originOf(target.url),
      workspaceKind: target.kind,
      workspaceId: fetched.me.workspace.id,
      userId: fetched.me.user.id,
      role: fetched.me.user.role,
      plan: fetched.me.workspace.plan,
      channels: fetched.channels.line.length + fetched.channels.whatsapp.length,
    });
    changed();
  };

  const loadSecret = async (current: StoredFacts): Promise<StoredSecret | null> => {
    let raw: string | null;
    try {
      raw = await vault.get(SESSION_VAULT_KEY);
    } catch (error) {
      logger.warn('session: the vault could not be read', { error });
      return null;
    }
    if (raw === null) return null;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = undefined;
    }
    const parsed = StoredSecret.safeParse(value);
    if (!parsed.success || parsed.data.sessionId !== current.sessionId) {
      logger.warn('session: the vault entry does not belong to the stored session');
      return null;
    }
    return parsed.data;
  };

  const refreshNow = async (): Promise<void> => {
    const current = facts;
    const held = secret;
    if (!isActive(current) || held === null) return;
    const client = clientFor(current, held);
    let me: Me;
    let channels: Channels;
    let settings: InboxSettings | null;
    try {
      [me, channels, settings] = await Promise.all([client.me(), client.channels(), fetchSettings(client)]);
    } catch (error) {
      // A 401 has already expired the session (the client's onUnauthorized); anything else keeps what is stored.
      if (!isUnauthorized(error)) logger.warn('session: refresh failed; keeping the stored session', { error });
      return;
    }
    // Another sign-in or an expiry happened meanwhile: these answers belong to a session that is gone.
    if (closed || facts?.sessionId !== current.sessionId || secret !== held) return;
    const nextSecret: StoredSecret = { ...held, channels };
    try {
      await vault.set(SESSION_VAULT_KEY, JSON.stringify(nextSecret));
    } catch (error) {
      logger.warn('session: the refreshed channels could not be stored', { error });
      return;
    }
    if (closed || facts?.sessionId !== current.sessionId) return;
    writeFacts({
      ...current,
      user: { id: me.user.id, name: me.user.name, role: me.user.role },
      workspace: { id: me.workspace.id, name: me.workspace.name, plan: me.workspace.plan },
      store: { id: me.store.id, name: me.store.name },
      channels: summariesOf(channels),
      ...(settings === null ? {} : { settings }),
    });
    remember(nextSecret);
    changed();
  };

  function clientFor(current: StoredFacts, held: StoredSecret): InboxClient {
    if (cachedClient?.token === held.accessToken) return cachedClient.client;
    const token = held.accessToken;
    const client = createInboxClient({
      baseUrl: current.inboxUrl,
      accessToken: token,
      ...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}),
      onUnauthorized: () => expireToken(token),
    });
    cachedClient = { token, client };
    return client;
  }

  return {
    info,

    signIn(input) {
      return exclusive(async () => {
        const target = await resolveTarget(input.inboxUrl);
        const fetched = await fetchSession(target.url, input.account, input.password);
        await commit(target, input.account, fetched);
        return info();
      });
    },

    signOut() {
      return exclusive(async () => {
        const current = facts;
        secret = null;
        cachedClient = null;
        clearTimer();
        try {
          await vault.delete(SESSION_VAULT_KEY);
        } catch (error) {
          // Still sign out: a leftover entry is unusable without facts of the same sessionId.
          logger.error('session: vault delete failed on sign-out', { error });
        }
        if (closed) return info();
        deleteSettings(db, [SESSION_SETTINGS_KEY]);
        facts = null;
        if (current !== null) logger.info('signed out', { workspaceId: current.workspace.id, userId: current.user.id });
        changed();
        return info();
      });
    },

    resume() {
      return exclusive(async () => {
        const current = facts;
        if (current === null || closed) return;
        if (current.workspaceKind === 'demo') {
          // The demo's sandbox is new on every start (new port, old tokens dead) and its password is public.
          if (workspace.kind() !== 'demo') return;
          const origin = workspace.demoOrigin();
          try {
            if (origin === null) throw new AppFailure('demo_unavailable', 'The demo workspace is not running');
            const fetched = await fetchSession(origin, current.account, DEMO_PASSWORD);
            await commit({ kind: 'demo', url: origin }, current.account, fetched);
          } catch (error) {
            logger.warn('session: the demo could not sign in again', { error });
            markExpired();
          }
          return;
        }
        const held = current.expired ? null : await loadSecret(current);
        if (closed) return;
        if (held === null) {
          // No usable token (expired before, or the OS key store lost it): the facts stay to prefill the form.
          if (current.expired) changed();
          else markExpired();
          return;
        }
        remember(held);
        armTimer();
        if (pastExpiry(current)) {
          markExpired();
          return;
        }
        if (deps.network.isOnline()) await refreshNow();
        changed();
      });
    },

    refresh() {
      return exclusive(async () => {
        await refreshNow();
        return info();
      });
    },

    client() {
      const current = facts;
      const held = secret;
      if (current !== null && !current.expired && held !== null && pastExpiry(current)) markExpired();
      if (!isActive(current) || held === null) return null;
      return clientFor(current, held);
    },

    channelCredentials() {
      const current = facts;
      const held = secret;
      if (!isActive(current) || held === null) return null;
      return {
        line: held.channels.line.map((line) => ({
          id: line.id,
          name: line.name,
          accessToken: line.accessToken,
          apiBaseUrl: line.apiBaseUrl ?? LINE_API_BASE_URL,
        })),
        whatsapp: held.channels.whatsapp.map((number) => ({
          phoneNumberId: number.phoneNumberId,
          wabaId: number.wabaId,
          displayNumber: number.displayNumber,
          name: number.name,
          accessToken: number.accessToken,
          graphVersion: number.graphVersion,
          apiBaseUrl: number.apiBaseUrl ?? GRAPH_BASE_URL,
        })),
      };
    },

    identity() {
      const current = facts;
      if (current === null) return null;
      // The demo's port changes on every start; its world (workspace and user ids) does not.
      const inbox = current.workspaceKind === 'demo' ? 'demo' : current.inboxUrl;
      return JSON.stringify([inbox, current.workspace.id, current.user.id]);
    },

    markExpired,

    workspaceSettings() {
      const current = facts;
      if (current === null || !belongsToWorkspace(current)) return DEFAULT_WORKSPACE_SETTINGS;
      return current.settings ?? DEFAULT_WORKSPACE_SETTINGS;
    },

    assertCanBroadcast() {
      const current = info();
      if (!current.signedIn || current.user === null || current.workspace === null) {
        throw new AppFailure(
          'not_signed_in',
          current.expired ? 'The sign-in has expired; sign in again to broadcast' : 'Sign in to your workspace to broadcast',
        );
      }
      const block = broadcastBlockOf(current.workspace.plan, current.user.role);
      if (block === 'plan') {
        throw new AppFailure('forbidden_plan', `Broadcasting needs the OMO plan; this workspace is on the ${current.workspace.plan} plan`);
      }
      if (block === 'role') {
        throw new AppFailure('forbidden_role', 'Only sales managers and sales persons may broadcast');
      }
    },

    secretValues() {
      return seenSecrets;
    },

    close() {
      closed = true;
      clearTimer();
      secret = null;
      cachedClient = null;
    },
  };
}

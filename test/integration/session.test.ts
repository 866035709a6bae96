import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventList, Result, SessionInfo, SyncStatus, WorkspaceInfo } from '../../preload/contract';
import { type App, type AppDeps, DATABASE_FILE, createApp } from '../../main/app';
import type { Clock } from '../../main/clock';
import { createFileLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { type Sandbox, startSandbox } from '../../main/sandbox/server';
import { SESSION_SETTINGS_KEY, SESSION_VAULT_KEY } from '../../main/session';
import { MemoryVault } from '../../main/vault';
import { createTempDir } from '../helpers/tmp';

/**
 * Sign-in, the seed's access rule and token expiry, through the bridge (app.dispatch) of a real createApp against
 * real sandboxes on 127.0.0.1: one started on its own (a "remote" workspace at its URL) and the demo's own.
 */

const cleanups: Array<() => Promise<void> | void> = [];
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 4242 });
});

afterAll(async () => {
  await sandbox.close();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Opened {
  app: App;
  dir: string;
  vault: MemoryVault;
  network: ManualNetworkStatus;
  logFile: string;
  pushed: string[];
}

function tempDir(): string {
  const temp = createTempDir('session');
  cleanups.push(() => temp.cleanup());
  return temp.dir;
}

function open(dir: string, extra: Partial<AppDeps> & { vault?: MemoryVault; network?: ManualNetworkStatus } = {}): Opened {
  const vault = extra.vault ?? new MemoryVault();
  const network = extra.network ?? new ManualNetworkStatus(true);
  const logger = createFileLogger({ dir: path.join(dir, 'logs'), level: 'debug' });
  const app = createApp({ dataDir: dir, version: '0.0.0-test', transport: 'preview', logger, ...extra, vault, network });
  const pushed: string[] = [];
  app.subscribe((event, payload) => pushed.push(JSON.stringify({ event, payload })));
  cleanups.push(async () => {
    await app.close();
    logger.close();
  });
  return { app, dir, vault, network, logFile: logger.file, pushed };
}

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

async function session(app: App): Promise<SessionInfo> {
  return value<SessionInfo>(await app.dispatch('session.get', {}));
}

/** `inboxUrl` null: no Inbox URL (the demo's sandbox). */
async function signIn(app: App, account: string, inboxUrl: string | null = sandbox.origin, password = 'demo') {
  return app.dispatch('session.signIn', { ...(inboxUrl !== null ? { inboxUrl } : {}), account, password });
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await read();
    if (done(current)) return current;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function syncToIdle(app: App): Promise<SyncStatus> {
  value(await app.dispatch('events.sync', {}));
  return waitFor(
    async () => value<SyncStatus>(await app.dispatch('events.syncStatus', {})),
    (status) => (status.state === 'idle' && status.lastSyncedAt !== null) || status.state === 'error' || status.state === 'signed_out',
    'the sync to finish',
  );
}

/** Every secret the sandbox's world holds for channels, plus the Inbox tokens the vault holds. */
function channelTokens(): string[] {
  const { world } = sandbox.context;
  return [...world.lineChannels.map((c) => c.accessToken), ...world.whatsappNumbers.map((n) => n.accessToken)];
}

async function vaultTokens(vault: MemoryVault): Promise<string[]> {
  const raw = await vault.get(SESSION_VAULT_KEY);
  if (raw === null) return [];
  const secret = JSON.parse(raw) as { accessToken: string; channels: { line: Array<{ accessToken: string }>; whatsapp: Array<{ accessToken: string }> } };
  return [secret.accessToken, ...secret.channels.line.map((c) => c.accessToken), ...secret.channels.whatsapp.map((n) => n.accessToken)];
}

/** A throwaway HTTP server answering every request with `reply`. */
async function fakeServer(reply: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    reply(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function control(pathname: string, body: unknown): Promise<void> {
  const response = await fetch(`${sandbox.origin}${pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

const ACCOUNTS = [
  { account: 'manager@demo', role: 'sales_manager', plan: 'omo', allowed: true, block: null },
  { account: 'sales@demo', role: 'sales_person', plan: 'omo', allowed: true, block: null },
  { account: 'sales2@demo', role: 'sales_person', plan: 'omo', allowed: true, block: null },
  { account: 'agent@demo', role: 'agent', plan: 'omo', allowed: false, block: 'role' },
  { account: 'admin@demo', role: 'admin', plan: 'omo', allowed: false, block: 'role' },
  { account: 'standard@demo', role: 'sales_person', plan: 'standard', allowed: false, block: 'plan' },
] as const;

describe('signing in to a sandbox started on its own (its URL as the Inbox URL)', () => {
  it('works end to end for each demo account, and the seed’s role × plan rule is enforced by main', async () => {
    const { app } = open(tempDir());
    await app.ready;
    for (const expected of ACCOUNTS) {
      const info = value<SessionInfo>(await signIn(app, expected.account));
      expect(info).toMatchObject({
        signedIn: true,
        expired: false,
        inboxUrl: sandbox.origin,
        account: expected.account,
        user: { role: expected.role },
        workspace: { plan: expected.plan },
        canBroadcast: expected.allowed,
        broadcastBlock: expected.block,
      });
      expect(await session(app)).toEqual(info);
      expect(info.channels.length).toBeGreaterThan(0);
      for (const channel of info.channels) expect(channel.tokenHint).toMatch(/^….{3}$/);
      expect(value<WorkspaceInfo>(await app.dispatch('workspace.get', {}))).toMatchObject({ kind: 'remote', inboxUrl: sandbox.origin });

      // The events arrive (read-only for the refused roles), and the broadcast method answers per the rule.
      expect((await syncToIdle(app)).state).toBe('idle');
      const list = value<EventList>(await app.dispatch('events.list', {}));
      expect(list.rows.ids.length).toBeGreaterThan(0);
      const eventIds = list.rows.ids.slice(0, 5);
      const summary = await app.dispatch('broadcast.summarize', { eventIds });
      if (expected.allowed) {
        expect(summary).toMatchObject({ ok: true, value: { total: eventIds.length, dropped: 0 } });
      } else {
        expect(summary).toMatchObject({ ok: false, error: { code: expected.block === 'plan' ? 'forbidden_plan' : 'forbidden_role' } });
      }
    }

    expect(value<SessionInfo>(await app.dispatch('session.signOut', {}))).toMatchObject({ signedIn: false, account: null });
    expect(await app.dispatch('broadcast.summarize', { eventIds: ['ev-1'] })).toMatchObject({
      ok: false,
      error: { code: 'not_signed_in' },
    });
  });

  it('refuses a wrong password, an unreachable or non-https URL and a server that is not the Inbox API, changing nothing', async () => {
    const { app, vault } = open(tempDir());
    await app.ready;
    const notInbox = await fakeServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ hello: 'world' }));
    });
    const htmlSite = await fakeServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>not here</html>');
    });
    const failing = await fakeServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', message: 'down' } }));
    });

    const cases: Array<[string | null, string, string]> = [
      [sandbox.origin, 'wrong-password', 'invalid_credentials'],
      [await closedPortUrl(), 'demo', 'unreachable'],
      ['http://example.com', 'demo', 'invalid_inbox_url'],
      ['ftp://127.0.0.1/', 'demo', 'invalid_inbox_url'],
      ['https://user:pw@inbox.example', 'demo', 'invalid_inbox_url'],
      ['not a url', 'demo', 'invalid_inbox_url'],
      [notInbox, 'demo', 'bad_server_response'],
      [htmlSite, 'demo', 'bad_server_response'],
      [failing, 'demo', 'unreachable'],
      // No inbox URL means the demo, which this app has not chosen.
      [null, 'demo', 'demo_unavailable'],
    ];
    for (const [inboxUrl, password, code] of cases) {
      const result = await signIn(app, 'sales@demo', inboxUrl, password);
      expect(result, `${inboxUrl ?? '(demo)'}`).toMatchObject({ ok: false, error: { code } });
      if (!result.ok) expect(result.error.message).not.toContain('wrong-password');
      expect(await session(app)).toMatchObject({ signedIn: false, account: null });
      expect(await vault.get(SESSION_VAULT_KEY)).toBeNull();
      expect(value<WorkspaceInfo>(await app.dispatch('workspace.get', {})).kind).toBe('none');
    }

    // A failed sign-in leaves the session in place as it was.
    value(await signIn(app, 'sales@demo'));
    const before = await session(app);
    const stored = await vault.get(SESSION_VAULT_KEY);
    expect(await signIn(app, 'manager@demo', sandbox.origin, 'nope')).toMatchObject({ ok: false, error: { code: 'invalid_credentials' } });
    expect(await signIn(app, 'manager@demo', notInbox)).toMatchObject({ ok: false, error: { code: 'bad_server_response' } });
    expect(await session(app)).toEqual(before);
    expect(await vault.get(SESSION_VAULT_KEY)).toBe(stored);
  });

  it('never lets a token cross the bridge, reach the log or the SQLite file; they live in the vault only', async () => {
    const dir = tempDir();
    const { app, vault, pushed, logFile } = open(dir);
    await app.ready;
    const results: unknown[] = [];
    for (const account of ['manager@demo', 'standard@demo', 'sales@demo']) {
      results.push(await signIn(app, account));
      results.push(await app.dispatch('session.get', {}));
    }
    await syncToIdle(app);
    const secrets = [...(await vaultTokens(vault)), ...channelTokens()];
    // The vault holds the Inbox token and the channel tokens of the workspace signed in to.
    expect((await vaultTokens(vault)).length).toBeGreaterThan(1);
    results.push(await app.dispatch('workspace.get', {}), await app.dispatch('app.info', {}));
    results.push(await app.dispatch('session.signOut', {}));
    results.push(await signIn(app, 'manager@demo'));
    secrets.push(...(await vaultTokens(vault)));
    await app.close();

    const bridge = JSON.stringify(results) + pushed.join('\n');
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('signed in');
    const databaseBytes = Buffer.concat(
      [DATABASE_FILE, `${DATABASE_FILE}-wal`].map((name) => path.join(dir, name)).filter(existsSync).map((file) => readFileSync(file)),
    );
    // The non-secret facts are there (so the reading below is of the right file), the secrets are not.
    expect(databaseBytes.includes('manager@demo')).toBe(true);
    for (const secret of new Set(secrets)) {
      expect(secret.length).toBeGreaterThan(10);
      expect(bridge.includes(secret), 'bridge').toBe(false);
      expect(log.includes(secret), 'log').toBe(false);
      expect(databaseBytes.includes(secret), 'database').toBe(false);
    }
  });

  it('signs out: the vault entry and the session settings are gone, drafts stay', async () => {
    const dir = tempDir();
    const { app, vault } = open(dir);
    value(await signIn(app, 'sales@demo'));
    value(await app.dispatch('drafts.save', { text: 'kept across sign-out' }));
    expect(await vault.get(SESSION_VAULT_KEY)).not.toBeNull();

    const info = value<SessionInfo>(await app.dispatch('session.signOut', {}));
    expect(info).toMatchObject({ signedIn: false, expired: false, account: null, inboxUrl: null, channels: [] });
    expect(await vault.get(SESSION_VAULT_KEY)).toBeNull();
    expect(value<unknown[]>(await app.dispatch('drafts.list', {}))).toHaveLength(1);
    await app.close();

    const db = new BetterSqlite3(path.join(dir, DATABASE_FILE), { readonly: true });
    try {
      expect(db.prepare('SELECT value FROM settings WHERE key = ?').get(SESSION_SETTINGS_KEY)).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('a remote session survives a restart: kept offline, refreshed online', async () => {
    const dir = tempDir();
    const vault = new MemoryVault();
    const first = open(dir, { vault });
    value(await signIn(first.app, 'sales2@demo'));
    const before = await session(first.app);
    await first.app.close();

    const offline = open(dir, { vault, network: new ManualNetworkStatus(false) });
    await offline.app.ready;
    expect(await session(offline.app)).toEqual(before);
    expect(value<{ mode: string }>(await offline.app.dispatch('app.info', {})).mode).toBe('offline');
    await offline.app.close();

    const online = open(dir, { vault });
    await online.app.ready;
    expect(await session(online.app)).toMatchObject({ signedIn: true, account: 'sales2@demo', user: { id: 'u-sales2' } });
    expect((await syncToIdle(online.app)).state).toBe('idle');
  });
});

describe('an expired or revoked token', () => {
  it('a revoked token, met by the next sync, leads back to sign-in without losing drafts', async () => {
    const { app, vault, pushed } = open(tempDir());
    value(await signIn(app, 'sales@demo'));
    await syncToIdle(app);
    const draft = value<{ id: string }>(await app.dispatch('drafts.save', { text: '新品到貨！' }));

    await control('/_sandbox/inbox/revoke-tokens', { account: 'sales@demo' });
    value(await app.dispatch('events.sync', {}));
    const info = await waitFor(() => session(app), (current) => current.expired, 'the session to expire');
    expect(info).toMatchObject({
      signedIn: false,
      expired: true,
      account: 'sales@demo',
      inboxUrl: sandbox.origin,
      user: { id: 'u-sales' },
      canBroadcast: false,
      channels: [],
    });
    expect(pushed.some((line) => line.includes('"session.changed"') && line.includes('"expired":true'))).toBe(true);
    expect(await vault.get(SESSION_VAULT_KEY)).toBeNull();
    expect(value<Array<{ id: string }>>(await app.dispatch('drafts.list', {})).map((d) => d.id)).toEqual([draft.id]);
    expect(await app.dispatch('broadcast.summarize', { eventIds: ['x'] })).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });

    // Signing in again works and the draft is still there.
    expect(value<SessionInfo>(await signIn(app, 'sales@demo'))).toMatchObject({ signedIn: true, expired: false });
    expect(value<unknown[]>(await app.dispatch('drafts.list', {}))).toHaveLength(1);
  });

  it('a token the server says expired (its clock past 12 h) is found at the next start', async () => {
    const own = await startSandbox({ seed: 9 });
    cleanups.push(() => own.close());
    const dir = tempDir();
    const vault = new MemoryVault();
    const first = open(dir, { vault });
    value(await signIn(first.app, 'manager@demo', own.origin));
    value(await first.app.dispatch('drafts.save', { text: 'draft before expiry' }));
    await first.app.close();

    const advanced = await fetch(`${own.origin}/_sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: 13 * 60 * 60 * 1000 }),
    });
    expect(advanced.status).toBe(200);

    const second = open(dir, { vault });
    await second.app.ready;
    expect(await session(second.app)).toMatchObject({ signedIn: false, expired: true, account: 'manager@demo', inboxUrl: own.origin });
    expect(value<unknown[]>(await second.app.dispatch('drafts.list', {}))).toHaveLength(1);
    expect(await vault.get(SESSION_VAULT_KEY)).toBeNull();
  });

  it('a token past its expiresAt by the app’s clock counts as expired without asking the server', async () => {
    let now = Date.now();
    const clock: Clock = { now: () => now };
    const { app } = open(tempDir(), { clock });
    value(await signIn(app, 'sales@demo'));
    expect((await session(app)).signedIn).toBe(true);
    now += 12 * 60 * 60 * 1000 + 1000;
    expect(await session(app)).toMatchObject({ signedIn: false, expired: true, account: 'sales@demo' });
    expect(await app.dispatch('broadcast.summarize', { eventIds: ['x'] })).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
  });
});

describe('the demo workspace', () => {
  it('signs in without an Inbox URL, and signs in again by itself after a restart (new sandbox, new port)', async () => {
    const dir = tempDir();
    const first = open(dir, { defaultWorkspace: 'demo' });
    await first.app.ready;
    const demo = value<WorkspaceInfo>(await first.app.dispatch('workspace.get', {}));
    expect(demo.kind).toBe('demo');
    const info = value<SessionInfo>(await signIn(first.app, 'sales@demo', null));
    expect(info).toMatchObject({ signedIn: true, inboxUrl: demo.inboxUrl, account: 'sales@demo', canBroadcast: true });
    await first.app.close();

    // A fresh vault: the demo needs no stored secret (its password is public and never stored).
    const second = open(dir, { defaultWorkspace: 'demo' });
    await second.app.ready;
    const again = await session(second.app);
    const port = value<WorkspaceInfo>(await second.app.dispatch('workspace.get', {})).inboxUrl;
    expect(again).toMatchObject({ signedIn: true, expired: false, account: 'sales@demo', inboxUrl: port });
    expect(port).not.toBe(demo.inboxUrl);
  });

  it('typing the demo’s own URL stays in the demo; another URL switches to a remote workspace and stops the demo', async () => {
    const { app } = open(tempDir(), { defaultWorkspace: 'demo' });
    await app.ready;
    const demoUrl = value<WorkspaceInfo>(await app.dispatch('workspace.get', {})).inboxUrl ?? '';
    expect(value<SessionInfo>(await signIn(app, 'manager@demo', `${demoUrl}/`))).toMatchObject({ signedIn: true, inboxUrl: demoUrl });
    expect(value<WorkspaceInfo>(await app.dispatch('workspace.get', {})).kind).toBe('demo');

    value(await signIn(app, 'sales@demo', sandbox.origin));
    expect(value<WorkspaceInfo>(await app.dispatch('workspace.get', {}))).toMatchObject({ kind: 'remote', inboxUrl: sandbox.origin });
    await expect(fetch(`${demoUrl}/_sandbox/health`)).rejects.toThrow();
    expect(await signIn(app, 'sales@demo', null)).toMatchObject({ ok: false, error: { code: 'demo_unavailable' } });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { type App, type AppDeps, createApp } from '../../main/app';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { MemoryVault } from '../../main/vault';
import { createTempDir } from '../helpers/tmp';

const opened: App[] = [];
const dirs: Array<{ cleanup: () => void }> = [];

function open(dataDir: string, extra: Partial<AppDeps> = {}): App {
  const app = createApp({
    dataDir,
    version: '0.0.0-test',
    transport: 'preview',
    vault: new MemoryVault(),
    network: new ManualNetworkStatus(true),
    logger: silentLogger,
    ...extra,
  });
  opened.push(app);
  return app;
}

function tempDir(): string {
  const temp = createTempDir('omo-workspace-');
  dirs.push(temp);
  return temp.dir;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((app) => app.close()));
  for (const dir of dirs.splice(0)) dir.cleanup();
});

describe('the demo workspace', () => {
  it('is offered on a first start: mode setup, no workspace', async () => {
    const app = open(tempDir());
    await app.ready;
    expect(await app.dispatch('app.info', {})).toMatchObject({ ok: true, value: { mode: 'setup' } });
    expect(await app.dispatch('workspace.get', {})).toMatchObject({ ok: true, value: { kind: 'none', inboxUrl: null } });
  });

  it('starts the sandbox inside main on a loopback port, and its Inbox API answers the demo logins', async () => {
    const app = open(tempDir());
    const pushed: string[] = [];
    app.subscribe((event, payload) => pushed.push(`${event}:${JSON.stringify(payload)}`));
    const result = await app.dispatch('workspace.useDemo', {});
    expect(result.ok).toBe(true);
    const info = (result as { value: { kind: string; inboxUrl: string; demoAccounts: Array<{ account: string; role: string; plan: string }> } }).value;
    expect(info.kind).toBe('demo');
    expect(info.inboxUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.demoAccounts.map((account) => account.account).sort()).toEqual(
      ['admin@demo', 'agent@demo', 'manager@demo', 'sales2@demo', 'sales@demo', 'standard@demo'].sort(),
    );
    expect(info.demoAccounts.find((account) => account.account === 'standard@demo')?.plan).toBe('standard');
    expect(pushed.some((line) => line.startsWith('app.status:') && line.includes('"mode":"demo"'))).toBe(true);

    const login = await fetch(`${info.inboxUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'sales@demo', password: 'demo' }),
    });
    expect(login.status).toBe(200);
    expect(await app.dispatch('app.info', {})).toMatchObject({ ok: true, value: { mode: 'demo' } });
  });

  it('is remembered: the next start brings the sandbox back up by itself', async () => {
    const dir = tempDir();
    const first = open(dir);
    await first.dispatch('workspace.useDemo', {});
    await first.close();

    const second = open(dir);
    await second.ready;
    const info = await second.dispatch('workspace.get', {});
    expect(info).toMatchObject({ ok: true, value: { kind: 'demo', starting: false } });
    const url = (info as { value: { inboxUrl: string } }).value.inboxUrl;
    expect((await fetch(`${url}/_sandbox/health`)).status).toBe(200);
  });

  it('opens by itself where the host asks for it (the preview host)', async () => {
    const app = open(tempDir(), { defaultWorkspace: 'demo' });
    await app.ready;
    expect(await app.dispatch('app.info', {})).toMatchObject({ ok: true, value: { mode: 'demo' } });
  });

  it('reports a sandbox that cannot start as demo_unavailable, and the app keeps answering', async () => {
    const app = open(tempDir(), { startSandbox: () => Promise.reject(new Error('port in use')) });
    expect(await app.dispatch('workspace.useDemo', {})).toMatchObject({ ok: false, error: { code: 'demo_unavailable' } });
    expect(await app.dispatch('drafts.save', { text: 'still here' })).toMatchObject({ ok: true });
  });

  it('keeps syncing without a network: the demo lives on loopback', async () => {
    const network = new ManualNetworkStatus(false);
    const app = open(tempDir(), { defaultWorkspace: 'demo', network });
    await app.ready;
    expect(await app.dispatch('session.signIn', { account: 'sales@demo', password: 'demo' })).toMatchObject({ ok: true });
    await expect
      .poll(async () => ((await app.dispatch('events.syncStatus', {})) as { value: { state: string; lastSyncedAt: number | null } }).value)
      .toMatchObject({ state: 'idle', lastSyncedAt: expect.any(Number) });
    const list = (await app.dispatch('events.list', {})) as { value: { rows: { ids: string[] } } };
    expect(list.value.rows.ids.length).toBeGreaterThan(0);
    expect(await app.dispatch('app.info', {})).toMatchObject({ ok: true, value: { mode: 'demo', online: false } });
  });

  it('stops the sandbox when the app closes', async () => {
    const app = open(tempDir());
    const result = await app.dispatch('workspace.useDemo', {});
    const url = (result as { value: { inboxUrl: string } }).value.inboxUrl;
    await app.close();
    await expect(fetch(`${url}/_sandbox/health`)).rejects.toThrow();
  });
});

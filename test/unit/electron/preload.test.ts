import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as electron from 'electron';
import { IPC_EVENT_CHANNEL, MEDIA_SCHEME, type OmoBridge, methodNames } from '../../../preload/contract';
import { avatarEventIdOf, imageRefOf } from '../../../main/electron/media-protocol';
import type { FakeElectron } from './fake-electron';

// The preload runs against the fake: it only touches contextBridge and ipcRenderer.
vi.mock('electron', async () => (await import('./fake-electron')).createFakeElectron());

const fake = electron as unknown as FakeElectron;
let bridge: OmoBridge;
/** Methods and events that are not in the contract, reached around the types as a hostile page would. */
const loose = () => bridge as unknown as { invoke(method: string, input: unknown): Promise<unknown> };

beforeAll(async () => {
  await import('../../../preload/electron');
  bridge = fake.contextBridge.exposed['omo'] as OmoBridge;
});

describe('preload/electron.ts', () => {
  it('exposes exactly one key, omo, holding exactly avatarUrl, imageUrl, invoke and on', () => {
    expect(fake.contextBridge.exposeInMainWorld).toHaveBeenCalledOnce();
    expect(Object.keys(fake.contextBridge.exposed)).toEqual(['omo']);
    expect(Object.keys(bridge).sort()).toEqual(['avatarUrl', 'imageUrl', 'invoke', 'on']);
    expect(typeof bridge.avatarUrl).toBe('function');
    expect(typeof bridge.invoke).toBe('function');
    expect(typeof bridge.on).toBe('function');
    // Nothing exposed leaks the IPC object itself.
    expect(Object.values(bridge)).not.toContain(fake.ipcRenderer);
  });

  it('builds omo-media avatar URLs that the protocol handler in main reads back to the same event id', () => {
    for (const id of ['evt-1', 'evt 1/ä?#%', 'U1234abcd']) {
      const url = bridge.avatarUrl(id);
      expect(url.startsWith(`${MEDIA_SCHEME}://avatar/`)).toBe(true);
      expect(avatarEventIdOf(url)).toBe(id);
    }
  });

  it('builds omo-media image URLs that the protocol handler in main reads back to the same image and variant', () => {
    const sha = '0f'.repeat(32);
    for (const variant of ['thumb', 'preview'] as const) {
      expect(imageRefOf(bridge.imageUrl(sha, variant))).toEqual({ sha256: sha, variant });
    }
  });

  it('invokes omo:<method> with the input and resolves with main\'s Result', async () => {
    fake.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: { name: 'OMO Broadcast' } });
    await expect(bridge.invoke('app.info', {})).resolves.toEqual({ ok: true, value: { name: 'OMO Broadcast' } });
    expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith('omo:app.info', {});
    for (const method of methodNames) {
      await loose().invoke(method, {});
      expect(fake.ipcRenderer.invoke).toHaveBeenLastCalledWith(`omo:${method}`, {});
    }
  });

  it('refuses unknown methods without touching IPC', async () => {
    fake.ipcRenderer.invoke.mockClear();
    for (const method of ['shell.openExternal', 'event', '__proto__', 'constructor', 'toString', '', 'app.info ']) {
      await expect(loose().invoke(method, {}), method).resolves.toMatchObject({
        ok: false,
        error: { code: 'unknown_method' },
      });
    }
    await expect(loose().invoke(42 as unknown as string, {})).resolves.toMatchObject({ ok: false });
    expect(fake.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('turns a rejected invoke (no handler, main shutting down) into a disconnected Result', async () => {
    fake.ipcRenderer.invoke.mockRejectedValueOnce(new Error("No handler registered for 'omo:app.info'"));
    await expect(bridge.invoke('app.info', {})).resolves.toMatchObject({ ok: false, error: { code: 'disconnected' } });
  });

  it('listens on omo:event once and delivers only the payload, only to listeners of that event', () => {
    expect(fake.ipcRenderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(1);
    const drafts = vi.fn();
    const settings = vi.fn();
    const unsubscribeDrafts = bridge.on('drafts.changed', drafts);
    bridge.on('settings.changed', settings);
    expect(fake.ipcRenderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(1);

    fake.ipcRenderer.deliver(IPC_EVENT_CHANNEL, 'drafts.changed', { ids: ['a'] });
    expect(drafts.mock.calls).toEqual([[{ ids: ['a'] }]]);
    expect(settings).not.toHaveBeenCalled();

    unsubscribeDrafts();
    fake.ipcRenderer.deliver(IPC_EVENT_CHANNEL, 'drafts.changed', { ids: ['b'] });
    expect(drafts).toHaveBeenCalledTimes(1);

    fake.ipcRenderer.deliver(IPC_EVENT_CHANNEL, 'settings.changed', { language: 'en' });
    expect(settings.mock.calls).toEqual([[{ language: 'en' }]]);
  });

  it('ignores events with a bad name and keeps delivering after a listener throws', () => {
    const status = vi.fn();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    bridge.on('app.status', () => {
      throw new Error('broken listener');
    });
    bridge.on('app.status', status);
    fake.ipcRenderer.deliver(IPC_EVENT_CHANNEL, 42, { mode: 'demo', online: true });
    fake.ipcRenderer.deliver(IPC_EVENT_CHANNEL, '__proto__', {});
    expect(status).not.toHaveBeenCalled();
    fake.ipcRenderer.deliver(IPC_EVENT_CHANNEL, 'app.status', { mode: 'demo', online: true });
    expect(status.mock.calls).toEqual([[{ mode: 'demo', online: true }]]);
    expect(errors).toHaveBeenCalledOnce();
    errors.mockRestore();
  });

  it('unsubscribes each subscription independently, even of the same function', () => {
    const listener = vi.fn();
    const first = bridge.on('drafts.changed', listener);
    bridge.on('drafts.changed', listener);
    first();
    fake.ipcRenderer.deliver(IPC_EVENT_CHANNEL, 'drafts.changed', { ids: [] });
    expect(listener).toHaveBeenCalledOnce();
  });
});

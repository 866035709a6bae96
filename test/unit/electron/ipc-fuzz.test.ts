import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPC_INVOKE_PREFIX, methodNames } from '../../../preload/contract';
import { type App, createApp } from '../../../main/app';
import { isTrustedSenderFor, registerContractHandlers } from '../../../main/electron/ipc';
import { silentLogger } from '../../../main/log';
import { ManualNetworkStatus } from '../../../main/network';
import { MemoryVault } from '../../../main/vault';
import { allMalformedCalls } from '../../helpers/malformed';
import { type FakeElectron, createFakeElectron, fakeFrame } from './fake-electron';

/** The contract fuzz over the Electron transport: malformed payloads through ipcMain into the real core. */
const APP_PAGE = 'file:///opt/omo/out/renderer/index.html';
const trustedFrame = fakeFrame(APP_PAGE);

let dataDir: string;
let core: App;
let fake: FakeElectron;
let unregister: () => void;

beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'omo-ipc-fuzz-'));
  core = createApp({
    dataDir,
    version: '0.0.0-fuzz',
    transport: 'electron',
    vault: new MemoryVault(),
    network: new ManualNetworkStatus(true),
    logger: silentLogger,
  });
  fake = createFakeElectron();
  unregister = registerContractHandlers(fake.ipcMain, core.dispatch, isTrustedSenderFor((url) => url === APP_PAGE));
});

afterAll(() => {
  unregister();
  core.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const calls = allMalformedCalls();

describe('contract fuzz over IPC', () => {
  it('has at least one malformed payload for every method', () => {
    const covered = new Set(calls.map((call) => call.method));
    expect([...covered].sort()).toEqual([...methodNames].sort());
  });

  it.each(calls.map((call) => [call.method, JSON.stringify(call.payload) ?? 'undefined', call.payload] as const))(
    '%s(%s) answers invalid_input',
    async (method, _shown, payload) => {
      const result = await fake.ipcMain.invoke(IPC_INVOKE_PREFIX + method, trustedFrame, payload);
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    },
  );

  it('keeps answering after the fuzz: app.info, drafts.save and drafts.list still work', async () => {
    for (const { method, payload } of calls) await fake.ipcMain.invoke(IPC_INVOKE_PREFIX + method, trustedFrame, payload);

    await expect(fake.ipcMain.invoke('omo:app.info', trustedFrame, {})).resolves.toMatchObject({
      ok: true,
      value: { transport: 'electron', version: '0.0.0-fuzz' },
    });
    const saved = (await fake.ipcMain.invoke('omo:drafts.save', trustedFrame, { text: 'Still here' })) as {
      ok: boolean;
      value: { id: string };
    };
    expect(saved.ok).toBe(true);
    const listed = (await fake.ipcMain.invoke('omo:drafts.list', trustedFrame, {})) as {
      ok: boolean;
      value: Array<{ id: string; title: string }>;
    };
    expect(listed.ok).toBe(true);
    expect(listed.value).toContainEqual(expect.objectContaining({ id: saved.value.id, title: 'Still here' }));
  });
});

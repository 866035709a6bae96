import { describe, expect, it, vi } from 'vitest';
import { IPC_INVOKE_PREFIX, err, methodNames, ok } from '../../../preload/contract';
import { isTrustedSenderFor, registerContractHandlers } from '../../../main/electron/ipc';
import type { Dispatch } from '../../../main/rpc';
import { type FakeFrame, createFakeElectron, fakeFrame } from './fake-electron';

const APP_PAGE = 'file:///opt/omo/out/renderer/index.html';
const isAppUrl = (url: string) => url === APP_PAGE;
type SenderFrame = Parameters<ReturnType<typeof isTrustedSenderFor>>[0];
const asFrame = (frame: FakeFrame | null) => frame as unknown as SenderFrame;

function registered(dispatch: Dispatch = vi.fn(async () => ok({ fine: true }))) {
  const fake = createFakeElectron();
  const unregister = registerContractHandlers(fake.ipcMain, dispatch, isTrustedSenderFor(isAppUrl));
  return { fake, unregister, dispatch };
}

describe('isTrustedSenderFor', () => {
  const trusted = isTrustedSenderFor(isAppUrl);

  it('trusts only the top frame of the app page', () => {
    expect(trusted(asFrame(fakeFrame(APP_PAGE)))).toBe(true);
    expect(trusted(asFrame(fakeFrame(APP_PAGE, fakeFrame(APP_PAGE))))).toBe(false);
    expect(trusted(asFrame(fakeFrame('https://evil.example/')))).toBe(false);
    expect(trusted(null)).toBe(false);
  });

  it('does not trust a destroyed frame (whose properties throw)', () => {
    const destroyed = {
      get url(): string {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
      parent: null,
    };
    expect(trusted(destroyed as unknown as SenderFrame)).toBe(false);
  });
});

describe('registerContractHandlers', () => {
  it('registers one handler per contract method on omo:<method>', () => {
    const { fake } = registered();
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual(methodNames.map((name) => IPC_INVOKE_PREFIX + name).sort());
  });

  it('dispatches calls from the trusted frame with the method name and the raw input', async () => {
    const { fake, dispatch } = registered();
    const result = await fake.ipcMain.invoke('omo:drafts.get', fakeFrame(APP_PAGE), { id: 'x' });
    expect(result).toEqual({ ok: true, value: { fine: true } });
    expect(dispatch).toHaveBeenCalledExactlyOnceWith('drafts.get', { id: 'x' });
  });

  it.each([
    ['a sub-frame of the app', fakeFrame(APP_PAGE, fakeFrame(APP_PAGE))],
    ['a foreign page', fakeFrame('https://evil.example/')],
    ['a page that navigated to a file outside the app', fakeFrame('file:///etc/passwd')],
    ['a null frame (navigated or destroyed)', null],
  ])('refuses %s with forbidden_sender and never dispatches', async (_name, frame) => {
    const { fake, dispatch } = registered();
    for (const method of methodNames) {
      const result = await fake.ipcMain.invoke(IPC_INVOKE_PREFIX + method, frame, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    }
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('turns a throwing dispatcher into an internal error instead of a rejected invoke', async () => {
    const { fake } = registered(vi.fn(async () => Promise.reject(new Error('boom'))));
    await expect(fake.ipcMain.invoke('omo:app.info', fakeFrame(APP_PAGE), {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
  });

  it('passes the dispatcher errors through unchanged', async () => {
    const { fake } = registered(vi.fn(async () => err('not_found', 'No draft')));
    await expect(fake.ipcMain.invoke('omo:drafts.get', fakeFrame(APP_PAGE), {})).resolves.toEqual(
      err('not_found', 'No draft'),
    );
  });

  it('unregisters every handler, so registering again works', () => {
    const { fake, unregister, dispatch } = registered();
    unregister();
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(() => registerContractHandlers(fake.ipcMain, dispatch, () => true)).not.toThrow();
  });
});

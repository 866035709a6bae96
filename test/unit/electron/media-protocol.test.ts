import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MEDIA_SCHEME } from '../../../preload/contract';
import type { App } from '../../../main/app';
import {
  MEDIA_SCHEME_DEFINITION,
  answerMediaRequest,
  avatarEventIdOf,
  handleMediaProtocol,
  imageRefOf,
} from '../../../main/electron/media-protocol';
import { startElectronApp } from '../../../main/electron/start';
import type { Avatar } from '../../../main/media/avatars';
import type { ImageFile } from '../../../main/compose/images';
import { silentLogger } from '../../../main/log';
import { asElectron, createFakeElectron } from './fake-electron';

const PNG: Avatar = { body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]), contentType: 'image/png' };

/** The avatar source main's core provides: one known event (whose id needs encoding). */
const source = vi.fn(async (eventId: string): Promise<Avatar | null> => (eventId === 'evt 1/ä' ? PNG : null));
const AVATAR_URL = `${MEDIA_SCHEME}://avatar/${encodeURIComponent('evt 1/ä')}`;
const SHA = 'ab'.repeat(32);
const JPEG: ImageFile = { body: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), contentType: 'image/jpeg' };
const image = vi.fn(async (sha256: string, variant: string): Promise<ImageFile | null> =>
  sha256 === SHA && (variant === 'thumb' || variant === 'preview') ? JPEG : null,
);
const sources = { avatar: source, image };
const IMAGE_URL = `${MEDIA_SCHEME}://image/${SHA}/thumb`;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
  source.mockClear();
  image.mockClear();
});

describe('omo-media: requests', () => {
  it('answers an avatar with its bytes, type, cache and CSP headers', async () => {
    const response = await answerMediaRequest(new Request(AVATAR_URL), sources);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(PNG.body)).toBe(true);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toBe('private, max-age=86400');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(source).toHaveBeenCalledWith('evt 1/ä');
  });

  it.each([
    [`${MEDIA_SCHEME}://avatar/unknown`],
    [`${MEDIA_SCHEME}://avatar/`],
    [`${MEDIA_SCHEME}://avatar/a/b`],
    [`${MEDIA_SCHEME}://avatar/%E0%A4%A`],
    [`${MEDIA_SCHEME}://other/${encodeURIComponent('evt 1/ä')}`],
    [`${MEDIA_SCHEME}://media/avatar/x`],
    [`${MEDIA_SCHEME}://image/${SHA}/original`],
    [`${MEDIA_SCHEME}://image/${SHA}/whatsapp`],
    [`${MEDIA_SCHEME}://image/${'cd'.repeat(32)}/thumb`],
    [`${MEDIA_SCHEME}://image/${SHA.toUpperCase()}/thumb`],
    [`${MEDIA_SCHEME}://image/${SHA}/thumb/x`],
    [`${MEDIA_SCHEME}://image/%2E%2E%2F${SHA}/thumb`],
  ])('answers 404 for %s', async (url) => {
    const response = await answerMediaRequest(new Request(url), sources);
    expect(response.status).toBe(404);
  });

  it('answers a composed image variant with the image headers', async () => {
    const response = await answerMediaRequest(new Request(IMAGE_URL), sources);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(JPEG.body)).toBe(true);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(image).toHaveBeenCalledWith(SHA, 'thumb');
    expect(imageRefOf(`${MEDIA_SCHEME}://image/${SHA}/preview`)).toEqual({ sha256: SHA, variant: 'preview' });
  });

  it('answers 404 for methods other than GET and HEAD, and when the source throws', async () => {
    expect((await answerMediaRequest(new Request(AVATAR_URL, { method: 'POST', body: 'x' }), sources)).status).toBe(404);
    const broken = vi.fn(async (): Promise<Avatar | null> => {
      throw new Error('disk on fire');
    });
    expect((await answerMediaRequest(new Request(AVATAR_URL), { avatar: broken, image }, silentLogger)).status).toBe(404);
  });

  it('parses only omo-media://avatar/<id>', () => {
    expect(avatarEventIdOf(AVATAR_URL)).toBe('evt 1/ä');
    expect(avatarEventIdOf('https://avatar/x')).toBeNull();
    expect(avatarEventIdOf('not a url')).toBeNull();
  });

  it('handleMediaProtocol serves through protocol.handle, and 404s while the source is missing', async () => {
    const fake = createFakeElectron();
    fake.fireReady();
    let current: typeof sources | null = null;
    handleMediaProtocol(fake.protocol, () => current);
    expect((await fake.protocol.request(AVATAR_URL)).status).toBe(404);
    current = sources;
    expect((await fake.protocol.request(AVATAR_URL)).status).toBe(200);
    const head = await fake.protocol.request(AVATAR_URL, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('image/png');
  });
});

describe('the shell registers omo-media', () => {
  function start() {
    const userData = mkdtempSync(path.join(os.tmpdir(), 'omo-media-shell-'));
    const fake = createFakeElectron({ userData });
    const close = vi.fn(async () => {});
    // A stand-in core: only what the shell touches at start-up, plus the avatar source under test.
    const core = {
      dispatch: vi.fn(),
      subscribe: vi.fn(() => () => {}),
      avatar: source,
      image,
      close,
    } as unknown as App;
    const handle = startElectronApp(asElectron(fake), {
      preloadPath: '/opt/omo/out/preload/index.cjs',
      rendererDir: path.resolve('/opt/omo/out/renderer'),
      platform: 'linux',
      createLogger: () => ({ ...silentLogger, close: () => {} }),
      createApp: () => core,
    });
    cleanups.push(() => {
      fake.app.quit();
      rmSync(userData, { recursive: true, force: true });
    });
    return { fake, handle };
  }

  it('registers the scheme as privileged (standard, secure, no fetch, no CORS, no stream) before app ready', () => {
    const { fake } = start();
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledOnce();
    expect(fake.protocol.privileged).toEqual([
      {
        scheme: 'omo-media',
        privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, stream: false },
      },
    ]);
    expect(MEDIA_SCHEME_DEFINITION.scheme).toBe(MEDIA_SCHEME);
    // Not ready yet: the handler comes only once the core exists.
    expect(fake.protocol.handle).not.toHaveBeenCalled();
  });

  it('does not register anything in a second instance', () => {
    const userData = mkdtempSync(path.join(os.tmpdir(), 'omo-media-shell-'));
    cleanups.push(() => rmSync(userData, { recursive: true, force: true }));
    const fake = createFakeElectron({ userData, lock: false });
    startElectronApp(asElectron(fake), { preloadPath: '/p', rendererDir: '/r', platform: 'linux' });
    expect(fake.protocol.registerSchemesAsPrivileged).not.toHaveBeenCalled();
  });

  it('after ready, handles omo-media before the window opens: avatars answer, anything else is 404', async () => {
    const { fake, handle } = start();
    fake.fireReady();
    await handle.ready;
    expect(fake.protocol.handle).toHaveBeenCalledOnce();
    expect(fake.protocol.handle.mock.invocationCallOrder[0]).toBeLessThan(
      fake.BrowserWindow.created[0]?.loadFile.mock.invocationCallOrder[0] ?? 0,
    );

    const avatar = await fake.protocol.request(AVATAR_URL);
    expect(avatar.status).toBe(200);
    expect(Buffer.from(await avatar.arrayBuffer()).equals(PNG.body)).toBe(true);
    expect(avatar.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fake.protocol.request(`${MEDIA_SCHEME}://avatar/unknown`)).status).toBe(404);
    expect((await fake.protocol.request(`${MEDIA_SCHEME}://elsewhere/x`)).status).toBe(404);
    expect((await fake.protocol.request(IMAGE_URL)).status).toBe(200);

    // After quit, the closed core is no longer asked.
    fake.app.quit();
    expect((await fake.protocol.request(AVATAR_URL)).status).toBe(404);
    expect(source).toHaveBeenCalledTimes(2);
  });

  it('lets the renderer request omo-media: through the hardened session', async () => {
    const { fake, handle } = start();
    fake.fireReady();
    await handle.ready;
    expect(fake.session.defaultSession.isRequestAllowed(AVATAR_URL)).toBe(true);
    expect(fake.session.defaultSession.isRequestAllowed('https://profile.line-scdn.net/x')).toBe(false);
  });
});

import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { contentSecurityPolicy } from '../../../main/csp';
import { createAppUrlPolicy } from '../../../main/electron/app-url';
import {
  devServerPolicy,
  hardenAllWebContents,
  hardenSession,
  hardenWebContents,
  webPreferencesFor,
} from '../../../main/electron/security';
import { FakeEvent, FakeWebContents, createFakeElectron } from './fake-electron';

const RENDERER_DIR = '/opt/omo/resources/app.asar/out/renderer';
const APP_PAGE = pathToFileURL(`${RENDERER_DIR}/index.html`).href;
const urls = createAppUrlPolicy({ rendererDir: RENDERER_DIR, devTools: false });

type Harden = Parameters<typeof hardenWebContents>[0];
type HardenSession = Parameters<typeof hardenSession>[0];

function hardenedContents() {
  const contents = new FakeWebContents();
  const openExternal = vi.fn();
  hardenWebContents(contents as unknown as Harden, { isAppUrl: urls.isAppUrl, openExternal });
  return { contents, openExternal };
}

describe('webPreferencesFor', () => {
  const preferences = webPreferencesFor('/app/out/preload/index.cjs', { devTools: false });

  it.each([
    ['sandbox', true],
    ['contextIsolation', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webviewTag', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['experimentalFeatures', false],
    ['safeDialogs', true],
    ['navigateOnDragDrop', false],
    ['spellcheck', false],
  ] as const)('sets %s to %s', (flag, value) => {
    expect(preferences[flag]).toBe(value);
  });

  it('uses the given preload and enables DevTools only when asked (unpackaged builds)', () => {
    expect(preferences.preload).toBe('/app/out/preload/index.cjs');
    expect(preferences.devTools).toBe(false);
    expect(webPreferencesFor('/p.cjs', { devTools: true }).devTools).toBe(true);
  });
});

describe('hardenWebContents', () => {
  it.each(['will-navigate', 'will-redirect', 'will-frame-navigate'] as const)(
    'cancels %s to any page that is not the app',
    (event) => {
      const { contents } = hardenedContents();
      for (const url of [
        'https://evil.example/',
        'http://127.0.0.1:9999/',
        'file:///etc/passwd',
        pathToFileURL(`${RENDERER_DIR}/../main/index.js`).href,
        'javascript:alert(1)',
        'data:text/html,<script>alert(1)</script>',
        'not a url',
      ]) {
        expect(contents.navigate(event, url), url).toBe(true);
      }
      expect(contents.navigate(event, APP_PAGE)).toBe(false);
    },
  );

  it('denies every window.open and sends only http(s) links to the vetted opener', () => {
    const { contents, openExternal } = hardenedContents();
    const open = (url: string) => contents.windowOpenHandler?.({ url });

    expect(open('https://shop.example/new-arrivals')).toEqual({ action: 'deny' });
    expect(open('http://shop.example/')).toEqual({ action: 'deny' });
    expect(open('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(open(APP_PAGE)).toEqual({ action: 'deny' });

    expect(openExternal.mock.calls).toEqual([['https://shop.example/new-arrivals'], ['http://shop.example/']]);
  });

  it('blocks <webview> attachment', () => {
    const { contents } = hardenedContents();
    const attach = new FakeEvent();
    contents.emit('will-attach-webview', attach, {}, { src: 'https://evil.example' });
    expect(attach.defaultPrevented).toBe(true);
  });

  it('is applied to every webContents the app creates (app "web-contents-created")', () => {
    const fake = createFakeElectron();
    const openExternal = vi.fn();
    hardenAllWebContents(fake.app as unknown as Parameters<typeof hardenAllWebContents>[0], {
      isAppUrl: urls.isAppUrl,
      openExternal,
    });
    const contents = new FakeWebContents();
    fake.app.emit('web-contents-created', new FakeEvent(), contents);

    expect(contents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://a.example/' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://a.example/');
  });
});

describe('hardenSession', () => {
  function hardened(policy = urls, csp = contentSecurityPolicy()) {
    const fake = createFakeElectron();
    const session = fake.session.defaultSession;
    hardenSession(session as unknown as HardenSession, {
      isAppUrl: policy.isAppUrl,
      isAllowedRequest: policy.isAllowedRequest,
      csp,
    });
    return session;
  }

  it('denies every permission request, check and device permission', () => {
    const session = hardened();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid']) {
      const callback = vi.fn();
      session.permissionRequestHandler?.({}, permission, callback);
      expect(callback, permission).toHaveBeenCalledExactlyOnceWith(false);
      expect(session.permissionCheckHandler?.({}, permission, APP_PAGE, {})).toBe(false);
    }
    expect(session.devicePermissionHandler?.({ deviceType: 'usb', origin: APP_PAGE })).toBe(false);
  });

  it('cancels remote requests from the renderer and lets the app and inert local schemes through', () => {
    const session = hardened();
    for (const url of [
      'https://evil.example/x.js',
      'http://evil.example/',
      'ws://evil.example/socket',
      'wss://evil.example/socket',
      'http://127.0.0.1:9999/',
      'http://localhost:5173/',
      'ftp://evil.example/',
      'file:///etc/passwd',
      pathToFileURL(`${RENDERER_DIR}-evil/index.html`).href,
      'devtools://devtools/bundled/inspector.html',
      'chrome-extension://abc/x.js',
      'not a url',
    ]) {
      expect(session.isRequestAllowed(url), url).toBe(false);
    }
    for (const url of [
      APP_PAGE,
      pathToFileURL(`${RENDERER_DIR}/assets/index-abc123.js`).href,
      'data:image/png;base64,iVBORw0KGgo=',
      'blob:file:///2f0e5a0c-1111-4222-8333-944455556666',
      'omo-media://avatar/3f2a',
    ]) {
      expect(session.isRequestAllowed(url), url).toBe(true);
    }
  });

  it('adds exactly contentSecurityPolicy() as the CSP header of app responses, replacing any other', () => {
    const session = hardened();
    const headers = session.headersFor(APP_PAGE, {
      'content-security-policy': ["default-src *"],
      'Content-Type': ['text/html'],
    });
    expect(headers?.['Content-Security-Policy']).toEqual([contentSecurityPolicy()]);
    expect(headers?.['content-security-policy']).toBeUndefined();
    expect(headers?.['Content-Type']).toEqual(['text/html']);
  });

  it('leaves responses that are not the app alone', () => {
    const session = hardened();
    expect(session.headersFor('devtools://devtools/bundled/inspector.html')).toBeUndefined();
  });

  it('in development allows the dev server, its hot-reload socket and DevTools, and still blocks the internet', () => {
    const dev = createAppUrlPolicy({ rendererDir: RENDERER_DIR, devServerUrl: 'http://localhost:5173', devTools: true });
    const session = hardened(dev, devServerPolicy(contentSecurityPolicy()));
    expect(session.isRequestAllowed('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(session.isRequestAllowed('ws://localhost:5173/')).toBe(true);
    expect(session.isRequestAllowed('devtools://devtools/bundled/inspector.html')).toBe(true);
    expect(session.isRequestAllowed('http://localhost:5174/')).toBe(false);
    expect(session.isRequestAllowed('https://evil.example/')).toBe(false);
    expect(session.isRequestAllowed('ws://evil.example/')).toBe(false);
    expect(session.headersFor('http://localhost:5173/')?.['Content-Security-Policy']).toEqual([
      devServerPolicy(contentSecurityPolicy()),
    ]);
  });
});

describe('devServerPolicy', () => {
  it('relaxes only script-src for the Fast Refresh preamble and keeps connect-src and the rest', () => {
    const strict = contentSecurityPolicy();
    const dev = devServerPolicy(strict);
    expect(dev).toContain("script-src 'self' 'unsafe-inline'");
    expect(dev.replace(" 'unsafe-inline'", '')).toBe(strict);
    expect(dev).toContain("connect-src 'self'");
  });
});

import type { App, Session, WebContents, WebPreferences } from 'electron';
import { type Logger, silentLogger } from '../log';

/**
 * The renderer's web preferences (DESIGN §6). Every flag is spelled out, even Electron's defaults, so a test pins
 * each one and an upgrade that changes a default cannot weaken the window.
 */
export function webPreferencesFor(preloadPath: string, options: { devTools: boolean }): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    enableWebSQL: false,
    safeDialogs: true,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: options.devTools,
  };
}

export interface WebContentsPolicy {
  isAppUrl(url: string): boolean;
  /** The vetted opener (opener.ts); it checks the URL again. */
  openExternal(url: string): void;
}

type HardenableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** Keeps a webContents on the app's own pages: no navigation away, no new windows, no <webview>. */
export function hardenWebContents(contents: HardenableContents, policy: WebContentsPolicy): void {
  // A navigation can only lose the preload's guarantees; the app is one page, so anything foreign is refused.
  const refuseForeign = (event: { url: string; preventDefault(): void }): void => {
    if (!policy.isAppUrl(event.url)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => refuseForeign(event));
  contents.on('will-frame-navigate', (event) => refuseForeign(event));
  contents.on('will-redirect', (event) => refuseForeign(event));

  contents.setWindowOpenHandler(({ url }) => {
    // Links the user clicks open in the system browser; the app itself never gets a second window.
    if (/^https?:/i.test(url)) policy.openExternal(url);
    return { action: 'deny' };
  });

  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Hardens every webContents the app ever creates, whoever creates it. */
export function hardenAllWebContents(app: Pick<App, 'on'>, policy: WebContentsPolicy): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, policy));
}

export interface SessionPolicy {
  isAppUrl(url: string): boolean;
  /** What the renderer may request at all (app-url.ts); everything else is cancelled. */
  isAllowedRequest(url: string): boolean;
  /** The Content-Security-Policy header added to the app's own responses. */
  csp: string;
  logger?: Logger;
}

type HardenableSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler' | 'webRequest'
>;

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(unparsable)';
  }
}

/** Session-wide defences: no permissions, no remote requests, a CSP header on the app's responses. */
export function hardenSession(session: HardenableSession, policy: SessionPolicy): void {
  const logger = policy.logger ?? silentLogger;

  // The app needs no camera, microphone, notifications, geolocation, HID, USB or serial device.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  if (typeof session.setDevicePermissionHandler === 'function') session.setDevicePermissionHandler(() => false);

  // The renderer never reaches the network: main fetches, caches and serves through omo-media: (DESIGN §6).
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = policy.isAllowedRequest(details.url);
    if (!allowed) logger.warn('blocked a renderer request', { origin: originOf(details.url) });
    callback({ cancel: !allowed });
  });

  // Chromium does not run this for file: responses; renderer/index.html carries the same policy as a meta tag.
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!policy.isAppUrl(details.url)) {
      callback({});
      return;
    }
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      // Replace, not add to, whatever policy the server sent: the app's is the only one.
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [policy.csp];
    callback({ responseHeaders: headers });
  });
}

/**
 * The dev server's policy. Vite's React Fast Refresh injects an inline preamble ahead of the page's CSP meta tag;
 * a header would block it. Only that one directive is relaxed, only in development, and the meta tag (which comes
 * after the preamble) still holds every later script to 'self'.
 */
export function devServerPolicy(csp: string): string {
  return csp.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'");
}

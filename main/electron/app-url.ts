import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AppUrlOptions {
  /** The folder of the built renderer (out/renderer); file: URLs under it are the app's own. */
  rendererDir: string;
  /** electron-vite's dev server (ELECTRON_RENDERER_URL) in development; its origin is the app's own then. */
  devServerUrl?: string | undefined;
  /** DevTools are enabled (not packaged): their own devtools: and chrome-extension: pages must load. */
  devTools: boolean;
}

export interface AppUrlPolicy {
  /** A document of the app: what may be navigated to, and what may send IPC. */
  isAppUrl(url: string): boolean;
  /** What the renderer's session may request at all: app documents plus inert local schemes. */
  isAllowedRequest(url: string): boolean;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Whether `child` is `dir` itself or inside it, once both are resolved (so ../ cannot escape). */
function isInside(dir: string, child: string): boolean {
  const relative = path.relative(path.resolve(dir), path.resolve(child));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Local schemes that cannot reach the network: inline data, object URLs, and the images main serves itself. */
const INERT_SCHEMES = new Set(['data:', 'blob:', 'omo-media:']);
/** Only DevTools' own pages use these; packaged builds disable DevTools, so they are refused there. */
const DEVTOOLS_SCHEMES = new Set(['devtools:', 'chrome-extension:']);

export function createAppUrlPolicy(options: AppUrlOptions): AppUrlPolicy {
  const devServer = options.devServerUrl ? parse(options.devServerUrl) : null;

  const isAppUrl = (url: string): boolean => {
    const parsed = parse(url);
    if (!parsed) return false;
    if (parsed.protocol === 'file:') {
      // A file URL with a host is a network share (UNC path on Windows), never the app.
      if (parsed.host !== '') return false;
      try {
        return isInside(options.rendererDir, fileURLToPath(parsed));
      } catch {
        return false;
      }
    }
    return devServer !== null && parsed.origin === devServer.origin;
  };

  const isAllowedRequest = (url: string): boolean => {
    if (isAppUrl(url)) return true;
    const parsed = parse(url);
    if (!parsed) return false;
    if (INERT_SCHEMES.has(parsed.protocol)) return true;
    if (options.devTools && DEVTOOLS_SCHEMES.has(parsed.protocol)) return true;
    // Vite's hot-reload socket lives on the dev server's host and port.
    return devServer !== null && (parsed.protocol === 'ws:' || parsed.protocol === 'wss:') && parsed.host === devServer.host;
  };

  return { isAppUrl, isAllowedRequest };
}

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import { AVATAR_PATH, IMAGE_PATH, type WireMessage, type WireRequest } from '../../preload/contract';
import type { App } from '../app';
import { contentSecurityPolicy } from '../csp';
import type { Logger } from '../log';
import { imageResponseHeaders } from '../compose/images';
import { avatarResponseHeaders } from '../media/avatars';

export const PREVIEW_HOST = '127.0.0.1';
export const BRIDGE_PATH = '/__omo/bridge.js';
export const RPC_PATH = '/rpc';
/** Big enough for a draft's image later on; anything larger is refused by ws before it reaches the app. */
const MAX_FRAME_BYTES = 32 * 1024 * 1024;

export interface PreviewHostOptions {
  app: App;
  logger: Logger;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** The built bundle of preload/web.ts. */
  bridgeFile: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** Fixed in tests; random (256 bits) otherwise. */
  key?: string;
}

export interface PreviewHost {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly key: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

function sameSecret(given: string | null, key: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isWireRequest(value: unknown): value is WireRequest {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return candidate.type === 'call' && Number.isSafeInteger(candidate.id) && typeof candidate.method === 'string';
}

/**
 * Serves the real renderer to a browser on 127.0.0.1 and carries the contract over a WebSocket. Only a page that
 * knows the per-run key, from this host's own origin, gets a connection: a foreign page cannot drive the app.
 */
export async function startPreviewHost(options: PreviewHostOptions): Promise<PreviewHost> {
  const { app, logger } = options;
  const key = options.key ?? randomBytes(32).toString('base64url');
  const rendererRoot = path.resolve(options.rendererDir);
  let origin = '';
  let hostHeader = '';

  const refuse = (res: http.ServerResponse, status: number, text: string): void => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
  };

  const serveIndex = async (res: http.ServerResponse): Promise<void> => {
    const html = await readFile(path.join(rendererRoot, 'index.html'), 'utf8');
    // The bridge must exist before the renderer's module script runs, as a preload does in Electron.
    const injected = html.replace(/<script\b/i, `<script src=".${BRIDGE_PATH}"></script>\n    <script`);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': contentSecurityPolicy([`ws://${hostHeader}`]),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    res.end(injected);
  };

  const serveFile = async (res: http.ServerResponse, file: string, method: string): Promise<void> => {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return refuse(res, 404, 'Not found');
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    if (method === 'HEAD') return void res.end();
    res.end(await readFile(file));
  };

  /** `/media/avatar/<encoded event id>`: the id, or null for anything else under that path. */
  const avatarEventId = (pathname: string): string | null => {
    const encoded = pathname.slice(AVATAR_PATH.length);
    if (encoded.length === 0 || encoded.includes('/')) return null;
    try {
      return decodeURIComponent(encoded);
    } catch {
      return null;
    }
  };

  const serveAvatar = async (res: http.ServerResponse, url: URL, method: string): Promise<void> => {
    // Customers' faces are personal data: only the page holding the key may load them, as with the page itself.
    if (!sameSecret(url.searchParams.get('key'), key)) return refuse(res, 403, 'Wrong or missing key');
    const eventId = avatarEventId(url.pathname);
    const avatar = eventId === null ? null : await app.avatar(eventId);
    if (avatar === null) return refuse(res, 404, 'No avatar');
    res.writeHead(200, avatarResponseHeaders(avatar));
    if (method === 'HEAD') return void res.end();
    res.end(avatar.body);
  };

  /** `/media/image/<sha256>/<thumb|preview>`: a composed image's variant (the draft's thumbnail, the LINE preview). */
  const serveImage = async (res: http.ServerResponse, url: URL, method: string): Promise<void> => {
    if (!sameSecret(url.searchParams.get('key'), key)) return refuse(res, 403, 'Wrong or missing key');
    const match = /^([0-9a-f]{64})\/(thumb|preview)$/.exec(url.pathname.slice(IMAGE_PATH.length));
    const image = match?.[1] && match[2] ? await app.image(match[1], match[2]) : null;
    if (image === null) return refuse(res, 404, 'No image');
    res.writeHead(200, imageResponseHeaders(image));
    if (method === 'HEAD') return void res.end();
    res.end(image.body);
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      // A page on another host name (DNS rebinding) never reaches the app.
      if (req.headers.host !== hostHeader) return refuse(res, 421, 'Misdirected request');
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed');
      const url = new URL(req.url ?? '/', origin);
      if (url.pathname === '/' || url.pathname === '/index.html') {
        if (!sameSecret(url.searchParams.get('key'), key)) {
          return refuse(res, 403, 'Wrong or missing key: open the address the preview host printed.');
        }
        return serveIndex(res);
      }
      if (url.pathname.startsWith(AVATAR_PATH)) return serveAvatar(res, url, req.method);
      if (url.pathname.startsWith(IMAGE_PATH)) return serveImage(res, url, req.method);
      if (url.pathname === BRIDGE_PATH) return serveFile(res, options.bridgeFile, req.method);
      const file = path.resolve(rendererRoot, `.${decodeURIComponent(url.pathname)}`);
      if (!file.startsWith(rendererRoot + path.sep)) return refuse(res, 404, 'Not found');
      return serveFile(res, file, req.method);
    })().catch((error: unknown) => {
      logger.error('preview host request failed', { error, url: req.url?.split('?')[0] });
      if (!res.headersSent) refuse(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const allowed =
      url.pathname === RPC_PATH &&
      req.headers.host === hostHeader &&
      req.headers.origin === origin &&
      sameSecret(url.searchParams.get('key'), key);
    if (!allowed) {
      logger.warn('preview host refused a WebSocket', { origin: req.headers.origin ?? null, path: url.pathname });
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });

  const send = (ws: WebSocket, message: WireMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', (error) => logger.warn('preview socket error', { error }));
    ws.on('message', (data, isBinary) => {
      let request: unknown;
      try {
        request = isBinary ? undefined : JSON.parse(data.toString());
      } catch {
        request = undefined;
      }
      if (!isWireRequest(request)) {
        send(ws, { type: 'error', error: { code: 'invalid_input', message: 'Expected {type:"call", id, method, input}' } });
        return;
      }
      void app.dispatch(request.method, request.input).then((result) => send(ws, { type: 'result', id: request.id, result }));
    });
  });

  const unsubscribe = app.subscribe((name, payload) => {
    for (const ws of sockets) send(ws, { type: 'event', name, payload });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, PREVIEW_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hostHeader = `${PREVIEW_HOST}:${port}`;
  origin = `http://${hostHeader}`;

  return {
    url: `${origin}/?key=${key}`,
    origin,
    port,
    key,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

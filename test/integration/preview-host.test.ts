import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type WireMessage, methodNames } from '../../preload/contract';
import { type App, createApp } from '../../main/app';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { type PreviewHost, startPreviewHost } from '../../main/preview/server';
import { MemoryVault } from '../../main/vault';
import { allMalformedCalls } from '../helpers/malformed';

let dir: string;
let app: App;
let host: PreviewHost;

function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: host.port, path: pathname, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

/** Opens the RPC socket; resolves with the socket once open, or rejects with the HTTP status it was refused with. */
/** `origin: null` sends no Origin header at all. */
function connect(query: string, origin: string | null = host.origin): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/rpc${query}`, origin === null ? {} : { origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

class RpcClient {
  #nextId = 1;
  readonly #waiting = new Map<number, (message: WireMessage) => void>();
  readonly events: WireMessage[] = [];
  readonly errors: WireMessage[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as WireMessage;
      if (message.type === 'result') this.#waiting.get(message.id)?.(message);
      else if (message.type === 'event') this.events.push(message);
      else this.errors.push(message);
    });
  }

  call(method: string, input: unknown): Promise<Extract<WireMessage, { type: 'result' }>['result']> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#waiting.set(id, (message) => {
        if (message.type === 'result') resolve(message.result);
      });
      this.ws.send(JSON.stringify({ type: 'call', id, method, input }));
    });
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'omo-preview-'));
  const rendererDir = path.join(dir, 'renderer');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(rendererDir);
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><html><head><script type="module" src="./app.js"></script></head></html>');
  writeFileSync(path.join(rendererDir, 'app.js'), 'console.log("app")');
  writeFileSync(path.join(dir, 'bridge.js'), 'window.omo = {}');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside the renderer folder');
  app = createApp({ dataDir: path.join(dir, 'data'), version: '0.0.0-test', transport: 'preview', vault: new MemoryVault(), network: new ManualNetworkStatus(true), logger: silentLogger });
  host = await startPreviewHost({ app, logger: silentLogger, rendererDir, bridgeFile: path.join(dir, 'bridge.js'), key: 'k'.repeat(43) });
});

afterAll(async () => {
  await host.close();
  app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('preview host: HTTP', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying the key', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?key=${'k'.repeat(43)}`);
  });

  it('refuses the page without the key or with a wrong one', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/?key=wrong')).status).toBe(403);
    expect((await get(`/?key=${'k'.repeat(42)}x`)).status).toBe(403);
  });

  it('serves the page with the right key, the bridge injected before the renderer, and a strict CSP', async () => {
    const page = await get(`/?key=${host.key}`);
    expect(page.status).toBe(200);
    expect(page.body.indexOf('__omo/bridge.js')).toBeGreaterThan(-1);
    expect(page.body.indexOf('__omo/bridge.js')).toBeLessThan(page.body.indexOf('./app.js'));
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get(`/?key=${host.key}`, { host: `evil.example:${host.port}` })).status).toBe(421);
  });

  it('serves assets and the bridge, but nothing outside the renderer folder', async () => {
    expect((await get('/app.js')).status).toBe(200);
    expect((await get('/__omo/bridge.js')).body).toBe('window.omo = {}');
    expect((await get('/../secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404);
    expect((await get('/missing.js')).status).toBe(404);
  });
});

describe('preview host: the contract over WebSocket', () => {
  it('refuses a missing key, a wrong key, a foreign Origin and no Origin', async () => {
    await expect(connect('')).rejects.toThrow('refused 403');
    await expect(connect('?key=wrong')).rejects.toThrow('refused 403');
    await expect(connect(`?key=${host.key}`, 'http://evil.example')).rejects.toThrow('refused 403');
    await expect(connect(`?key=${host.key}`, `http://localhost:${host.port}`)).rejects.toThrow('refused 403');
    await expect(connect(`?key=${host.key}`, null)).rejects.toThrow('refused 403');
  });

  it('answers every method, and a malformed payload to every method with an invalid_input Result', async () => {
    const client = new RpcClient(await connect(`?key=${host.key}`));
    const calls = allMalformedCalls();
    expect(new Set(calls.map((call) => call.method))).toEqual(new Set(methodNames));
    for (const { method, payload } of calls) {
      const result = await client.call(method, payload);
      expect(result, `${method} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    // Garbage frames get an error message, not a crash.
    client.ws.send('not json');
    client.ws.send(JSON.stringify({ type: 'call', id: 'x', method: 'app.info' }));
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await client.call('no.such.method', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    // …and the app keeps answering.
    const info = await client.call('app.info', {});
    expect(info).toMatchObject({ ok: true, value: { transport: 'preview', version: '0.0.0-test' } });
    expect(client.errors).toHaveLength(3);
    client.ws.close();
  });

  it('pushes events to connected pages', async () => {
    const client = new RpcClient(await connect(`?key=${host.key}`));
    const saved = await client.call('drafts.save', { text: '新品到貨' });
    expect(saved.ok).toBe(true);
    await expect.poll(() => client.events.map((event) => (event.type === 'event' ? event.name : ''))).toContain('drafts.changed');
    client.ws.close();
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AVATAR_PATH, IMAGE_PATH } from '../../preload/contract';
import { type App, DATABASE_FILE, createApp } from '../../main/app';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { type PreviewHost, startPreviewHost } from '../../main/preview/server';
import { openDatabase } from '../../main/store/db';
import { upsertEvents } from '../../main/store/events';
import { MemoryVault } from '../../main/vault';
import { makeEvent } from '../unit/store/fixtures';

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>';
const AVATAR_CSP = "default-src 'none'; style-src 'unsafe-inline'";

let dir: string;
let app: App;
let host: PreviewHost;
let images: http.Server;
let imageHits = 0;

/** Ids with characters that need encoding, as LINE and WhatsApp ids never do but the route must not care. */
const PNG_EVENT = 'evt png/1';
const SVG_EVENT = 'evt-svg';
const NO_AVATAR_EVENT = 'evt-none';

function get(pathname: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, path: pathname, headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const avatarPath = (eventId: string, key: string | null = host.key): string =>
  `${AVATAR_PATH}${encodeURIComponent(eventId)}${key === null ? '' : `?key=${encodeURIComponent(key)}`}`;

beforeAll(async () => {
  images = http.createServer((req, res) => {
    imageHits++;
    if (req.url === '/a.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    else if (req.url === '/a.svg') res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(SVG);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  const imageOrigin = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;

  dir = mkdtempSync(path.join(os.tmpdir(), 'omo-preview-avatars-'));
  const rendererDir = path.join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><html><head><script type="module" src="./app.js"></script></head></html>');
  writeFileSync(path.join(dir, 'bridge.js'), 'window.omo = {}');
  const dataDir = path.join(dir, 'data');
  app = createApp({
    dataDir,
    version: '0.0.0-test',
    transport: 'preview',
    vault: new MemoryVault(),
    network: new ManualNetworkStatus(true),
    logger: silentLogger,
  });
  await app.ready;

  // The events arrive as a sync would write them; a second connection is fine under WAL.
  const db = openDatabase(path.join(dataDir, DATABASE_FILE));
  upsertEvents(db, [
    makeEvent(1, { id: PNG_EVENT, customerAvatarUrl: `${imageOrigin}/a.png` }),
    makeEvent(2, { id: SVG_EVENT, customerAvatarUrl: `${imageOrigin}/a.svg` }),
    makeEvent(3, { id: NO_AVATAR_EVENT, customerAvatarUrl: null }),
  ]);
  db.close();

  host = await startPreviewHost({ app, logger: silentLogger, rendererDir, bridgeFile: path.join(dir, 'bridge.js'), key: 'k'.repeat(43) });
});

afterAll(async () => {
  await host.close();
  await app.close();
  images.closeAllConnections();
  await new Promise<void>((resolve) => images.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('preview host: avatars', () => {
  it('serves a PNG avatar with the key: bytes, type, private caching, its own CSP and nosniff', async () => {
    const response = await get(avatarPath(PNG_EVENT));
    expect(response.status).toBe(200);
    expect(response.body.equals(PNG)).toBe(true);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['cache-control']).toBe('private, max-age=86400');
    expect(response.headers['content-security-policy']).toBe(AVATAR_CSP);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves an SVG avatar under the CSP that keeps a direct navigation from running anything', async () => {
    const response = await get(avatarPath(SVG_EVENT));
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe(SVG);
    expect(response.headers['content-type']).toBe('image/svg+xml');
    expect(response.headers['content-security-policy']).toBe(AVATAR_CSP);
  });

  it('fetches each image once: later requests come from main’s cache', async () => {
    const before = imageHits;
    await get(avatarPath(PNG_EVENT));
    await get(avatarPath(PNG_EVENT));
    expect(imageHits).toBe(before);
  });

  it('answers HEAD with the headers only', async () => {
    const response = await get(avatarPath(PNG_EVENT), {}, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.body.length).toBe(0);
  });

  it('refuses a missing or wrong key with 403, before looking anything up', async () => {
    expect((await get(avatarPath(PNG_EVENT, null))).status).toBe(403);
    expect((await get(avatarPath(PNG_EVENT, 'wrong'))).status).toBe(403);
    expect((await get(avatarPath('no-such-event', null))).status).toBe(403);
  });

  it('answers 404 for an unknown event, an event without an avatar, or a malformed path', async () => {
    expect((await get(avatarPath('no-such-event'))).status).toBe(404);
    expect((await get(avatarPath(NO_AVATAR_EVENT))).status).toBe(404);
    expect((await get(`${AVATAR_PATH}?key=${host.key}`)).status).toBe(404);
    expect((await get(`${AVATAR_PATH}a/b?key=${host.key}`)).status).toBe(404);
    expect((await get(`${AVATAR_PATH}%E0%A4%A?key=${host.key}`)).status).toBe(404);
  });

  it('refuses a foreign Host header like every other route', async () => {
    expect((await get(avatarPath(PNG_EVENT), { host: `evil.example:${host.port}` })).status).toBe(421);
  });
});

describe('the preview host serves composed images under /media/image/', () => {
  it('serves a stored image’s thumbnail and preview with the key, and nothing else', async () => {
    const stored = await app.images.importImage(PNG);
    const at = (variant: string, key: string | null = host.key): string =>
      `${IMAGE_PATH}${stored.sha256}/${variant}${key === null ? '' : `?key=${encodeURIComponent(key)}`}`;
    for (const variant of ['thumb', 'preview']) {
      const response = await get(at(variant));
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('image/jpeg');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.body.subarray(0, 2).toString('hex')).toBe('ffd8');
    }
    expect((await get(at('thumb', null))).status).toBe(403);
    expect((await get(at('thumb', 'wrong'))).status).toBe(403);
    expect((await get(at('original'))).status).toBe(404);
    expect((await get(at('whatsapp'))).status).toBe(404);
    expect((await get(`${IMAGE_PATH}${'cd'.repeat(32)}/thumb?key=${host.key}`)).status).toBe(404);
    expect((await get(`${IMAGE_PATH}..%2F${stored.sha256}/thumb?key=${host.key}`)).status).toBe(404);
  });
});

import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../main/log';
import { type AvatarCache, type AvatarCacheOptions, createAvatarCache, matchesContentType } from '../../../main/media/avatars';
import { ManualNetworkStatus } from '../../../main/network';
import { type Database, openDatabase } from '../../../main/store/db';
import { upsertEvents } from '../../../main/store/events';
import { makeTempDir } from '../../helpers/tmp';
import { makeEvent } from '../store/fixtures';

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><circle cx="24" cy="24" r="24"/></svg>';
const BIG = Buffer.concat([PNG.subarray(0, 8), Buffer.alloc(2 * 1024 * 1024, 7)]);

/** Requests per path, so a test can prove what came from disk or was never asked. */
const hits = new Map<string, number>();
let server: http.Server;
let origin: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(pathname, (hits.get(pathname) ?? 0) + 1);
    switch (pathname) {
      case '/a.png':
      case '/b.png':
        // A little latency, so the concurrent gets of one test overlap for real.
        setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG), 20);
        return;
      case '/a.svg':
        res.writeHead(200, { 'content-type': 'image/svg+xml; charset=utf-8' }).end(SVG);
        return;
      case '/page.svg':
        res.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<html><script>alert(1)</script></html>');
        return;
      case '/text.png':
        res.writeHead(200, { 'content-type': 'image/png' }).end('this is not a picture');
        return;
      case '/avatar.html':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
        return;
      case '/big.png':
        // Chunked, with no content-length: only counting the streamed bytes can stop it.
        res.writeHead(200, { 'content-type': 'image/png' });
        res.write(BIG.subarray(0, 1024 * 1024));
        res.end(BIG.subarray(1024 * 1024));
        return;
      case '/big-declared.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': BIG.length }).end(BIG);
        return;
      case '/slow.png':
        // Headers at once, then the body never finishes.
        res.writeHead(200, { 'content-type': 'image/png' });
        res.write(PNG.subarray(0, 8));
        return;
      case '/loop':
        res.writeHead(302, { location: '/loop' }).end();
        return;
      case '/hop':
        res.writeHead(301, { location: '/a.svg' }).end();
        return;
      case '/away':
        res.writeHead(302, { location: 'http://example.com/a.png' }).end();
        return;
      case '/to-file':
        res.writeHead(302, { location: 'file:///etc/passwd' }).end();
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => hits.clear());

interface Setup {
  cache: AvatarCache;
  db: Database;
  dir: string;
  network: ManualNetworkStatus;
  logger: Logger & { warn: ReturnType<typeof vi.fn> };
  fetchSpy: ReturnType<typeof vi.fn<typeof fetch>>;
  /** Another cache on the same database and folder, with fresh memory (as after a restart). */
  reopen(overrides?: Partial<AvatarCacheOptions>): AvatarCache;
  /** Inserts events whose avatar URLs are the given ones; returns their ids. */
  withAvatars(...urls: Array<string | null>): string[];
}

let nextEvent = 1;

/** The cached files; none when the folder was never created. */
function files(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

function setup(overrides: Partial<AvatarCacheOptions> = {}): Setup {
  const root = makeTempDir('avatars');
  const db = openDatabase(path.join(root, 'db.sqlite'));
  const dir = path.join(root, 'media', 'avatars');
  const network = new ManualNetworkStatus(true);
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const fetchSpy = vi.fn<typeof fetch>((input, init) => fetch(input, init));
  const make = (more: Partial<AvatarCacheOptions> = {}): AvatarCache =>
    createAvatarCache({ db, dir, logger, network, fetchImpl: fetchSpy, timeoutMs: 500, ...overrides, ...more });
  return {
    cache: make(),
    db,
    dir,
    network,
    logger,
    fetchSpy,
    reopen: make,
    withAvatars(...urls) {
      const rows = urls.map((url) => makeEvent(nextEvent++, { customerAvatarUrl: url }));
      upsertEvents(db, rows);
      return rows.map((row) => row.id);
    },
  };
}

describe('fetching and caching', () => {
  it('fetches a PNG once, caches it on disk named by the URL hash, and serves it from disk afterwards', async () => {
    const s = setup();
    const [id] = s.withAvatars(`${origin}/a.png`);
    const first = await s.cache.get(id ?? '');
    expect(first?.contentType).toBe('image/png');
    expect(first?.body.equals(PNG)).toBe(true);
    expect(hits.get('/a.png')).toBe(1);
    expect(files(s.dir)).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.png$/)]);

    // A fresh cache (an app restart) on the same folder: the file answers, the server is not asked again.
    const again = await s.reopen().get(id ?? '');
    expect(again?.body.equals(PNG)).toBe(true);
    expect(again?.contentType).toBe('image/png');
    expect(hits.get('/a.png')).toBe(1);
  });

  it('serves an SVG with its media type and no parameters', async () => {
    const s = setup();
    const [id] = s.withAvatars(`${origin}/a.svg`);
    const avatar = await s.cache.get(id ?? '');
    expect(avatar?.contentType).toBe('image/svg+xml');
    expect(avatar?.body.toString()).toBe(SVG);
    expect(files(s.dir)).toEqual([expect.stringMatching(/\.svg$/)]);
  });

  it('follows a redirect to an allowed URL', async () => {
    const s = setup();
    const [id] = s.withAvatars(`${origin}/hop`);
    expect((await s.cache.get(id ?? ''))?.contentType).toBe('image/svg+xml');
    expect(hits.get('/a.svg')).toBe(1);
  });

  it('shares one fetch among concurrent gets of the same URL (a grid of 40 rows)', async () => {
    const s = setup();
    const ids = s.withAvatars(...Array.from({ length: 40 }, () => `${origin}/b.png`));
    const avatars = await Promise.all(ids.map((id) => s.cache.get(id)));
    expect(avatars.every((avatar) => avatar?.body.equals(PNG))).toBe(true);
    expect(hits.get('/b.png')).toBe(1);
    expect(s.fetchSpy).toHaveBeenCalledTimes(1);
  });

  it('answers null for an unknown event, an event without an avatar, and odd ids', async () => {
    const s = setup();
    const [none] = s.withAvatars(null);
    await expect(s.cache.get(none ?? '')).resolves.toBeNull();
    await expect(s.cache.get('no-such-event')).resolves.toBeNull();
    await expect(s.cache.get('')).resolves.toBeNull();
    await expect(s.cache.get('x'.repeat(10_000))).resolves.toBeNull();
    expect(s.fetchSpy).not.toHaveBeenCalled();
  });

  it('clear() removes the files, so the next get fetches again', async () => {
    const s = setup();
    const [id] = s.withAvatars(`${origin}/a.svg`);
    await s.cache.get(id ?? '');
    s.cache.clear();
    expect(files(s.dir)).toEqual([]);
    await s.cache.get(id ?? '');
    expect(hits.get('/a.svg')).toBe(2);
  });
});

describe('offline', () => {
  it('serves a cached avatar and answers null for an uncached one without any request', async () => {
    const s = setup();
    const [cached, uncached] = s.withAvatars(`${origin}/a.png`, `${origin}/b.png`);
    await s.cache.get(cached ?? '');
    s.network.set(false);
    expect((await s.cache.get(cached ?? ''))?.body.equals(PNG)).toBe(true);
    await expect(s.cache.get(uncached ?? '')).resolves.toBeNull();
    expect(hits.get('/b.png')).toBeUndefined();
    expect(s.fetchSpy).toHaveBeenCalledTimes(1);

    // Back online, the uncached one is fetched at once: being offline is not a failure to remember.
    s.network.set(true);
    expect((await s.cache.get(uncached ?? ''))?.body.equals(PNG)).toBe(true);
  });
});

describe('refusals', () => {
  const refused: Array<[string, string, string]> = [
    ['text labelled image/png', '/text.png', 'the bytes are not image/png'],
    ['HTML labelled image/svg+xml', '/page.svg', 'the bytes are not image/svg+xml'],
    ['a type that is not an image we show', '/avatar.html', 'not an image type'],
    ['a streamed body over the cap', '/big.png', 'larger than'],
    ['a declared length over the cap', '/big-declared.png', 'larger than'],
    ['a body that never finishes (timeout)', '/slow.png', 'timed out'],
    ['a redirect loop', '/loop', 'too many redirects'],
    ['a redirect to plain http off loopback', '/away', 'redirected to a URL that is not allowed'],
    ['a redirect to file:', '/to-file', 'redirected to a URL that is not allowed'],
    ['a 404', '/missing.png', 'HTTP 404'],
  ];
  it.each(refused)('refuses %s', async (_label, pathname, reason) => {
    const s = setup();
    const [id] = s.withAvatars(`${origin}${pathname}`);
    const started = Date.now();
    await expect(s.cache.get(id ?? '')).resolves.toBeNull();
    // The timeout (500 ms here) bounds every refusal.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(files(s.dir)).toEqual([]);
    expect(s.logger.warn).toHaveBeenCalledOnce();
    expect(s.logger.warn.mock.calls[0]?.[1]).toMatchObject({ reason: expect.stringContaining(reason) });
  });

  it('follows at most a few redirects of a loop', async () => {
    const s = setup();
    const [id] = s.withAvatars(`${origin}/loop`);
    await s.cache.get(id ?? '');
    expect(hits.get('/loop')).toBe(4);
  });

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:image/png;base64,iVBORw0KGgo=',
    'ftp://127.0.0.1/a.png',
    'http://example.com/a.png',
    'http://192.168.1.10/a.png',
    'https://user:secret@cdn.example.test/a.png',
    'not a url',
  ])('refuses %s without a request', async (url) => {
    const s = setup();
    const [id] = s.withAvatars(url);
    await expect(s.cache.get(id ?? '')).resolves.toBeNull();
    expect(s.fetchSpy).not.toHaveBeenCalled();
  });

  it('logs a failure once per URL, without its query string, and retries only after a few minutes', async () => {
    let now = 1_000_000;
    const s = setup({ now: () => now, retryAfterMs: 5 * 60_000 });
    const url = `${origin}/text.png?access=sig-abcdef123456&expires=1`;
    const [one, two] = s.withAvatars(url, url);
    await s.cache.get(one ?? '');
    await s.cache.get(two ?? '');
    now += 60_000;
    await s.cache.get(one ?? '');
    expect(hits.get('/text.png')).toBe(1);
    expect(s.logger.warn).toHaveBeenCalledOnce();
    const logged = JSON.stringify(s.logger.warn.mock.calls);
    expect(logged).toContain('/text.png');
    expect(logged).not.toContain('sig-abcdef123456');
    expect(logged).not.toContain('?');

    now += 5 * 60_000;
    await s.cache.get(one ?? '');
    expect(hits.get('/text.png')).toBe(2);
    expect(s.logger.warn).toHaveBeenCalledOnce();
  });

  it('never throws, even with a closed database', async () => {
    const s = setup();
    const [id] = s.withAvatars(`${origin}/a.png`);
    s.db.close();
    await expect(s.cache.get(id ?? '')).resolves.toBeNull();
  });

  it('survives a fetch that throws synchronously or ignores the abort signal', async () => {
    const s = setup();
    const [id] = s.withAvatars(`${origin}/a.png`);
    const throwing = s.reopen({ fetchImpl: () => { throw new Error('boom'); } });
    await expect(throwing.get(id ?? '')).resolves.toBeNull();
    const hanging = s.reopen({ fetchImpl: () => new Promise<Response>(() => {}), timeoutMs: 50 });
    await expect(hanging.get(id ?? '')).resolves.toBeNull();
  });
});

describe('matchesContentType', () => {
  it('checks the magic numbers of each raster type and the opening of an SVG', () => {
    expect(matchesContentType(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]), 'image/jpeg')).toBe(true);
    expect(matchesContentType(PNG, 'image/jpeg')).toBe(false);
    expect(matchesContentType(Buffer.from('GIF89a\x01\x00'), 'image/gif')).toBe(true);
    expect(matchesContentType(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 '), 'image/webp')).toBe(true);
    expect(matchesContentType(Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt '), 'image/webp')).toBe(false);
    expect(matchesContentType(Buffer.from(`\ufeff<?xml version="1.0"?>\n${SVG}`), 'image/svg+xml')).toBe(true);
    expect(matchesContentType(Buffer.from('<svg'), 'image/svg+xml')).toBe(false);
    expect(matchesContentType(Buffer.from([0x3c, 0x73, 0x76, 0x67, 0x20, 0xff, 0x3e]), 'image/svg+xml')).toBe(false);
    expect(matchesContentType(PNG, 'image/bmp')).toBe(false);
  });
});

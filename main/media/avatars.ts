import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log';
import type { NetworkStatus } from '../network';
import type { Database } from '../store/db';
import { statementsFor } from '../store/statements';

/** An image ready to serve: the verified bytes and their media type (no parameters). */
export interface Avatar {
  body: Buffer;
  contentType: string;
}

export interface AvatarCacheOptions {
  db: Database;
  /** Where fetched images live (user data/media/avatars); created on the first write. */
  dir: string;
  logger: Logger;
  network: NetworkStatus;
  /** Tests inject their own; the global fetch otherwise. */
  fetchImpl?: typeof fetch;
  /** For the whole fetch, redirects and body included. */
  timeoutMs?: number;
  maxBytes?: number;
  /** How long a failed URL is left alone before it is tried again. */
  retryAfterMs?: number;
  now?: () => number;
}

export interface AvatarCache {
  /** The event's customer avatar from disk, else fetched (online only); null when there is none. Never throws. */
  get(eventId: string): Promise<Avatar | null>;
  /** Forgets everything, files included: another account must not see this one's customers. */
  clear(): void;
}

/**
 * Headers for serving an avatar to the renderer (preview host and omo-media: alike). An SVG opened directly must not
 * run script, so the image gets a policy of its own; nosniff keeps the browser to the verified type.
 */
export function avatarResponseHeaders(avatar: Avatar): Record<string, string> {
  return {
    'content-type': avatar.contentType,
    'content-length': String(avatar.body.length),
    'cache-control': 'private, max-age=86400',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'x-content-type-options': 'nosniff',
  };
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_RETRY_AFTER_MS = 5 * 60_000;
const MAX_REDIRECTS = 3;
/** Event ids are platform ids; anything far longer is not one and is not worth a query. */
const MAX_EVENT_ID_LENGTH = 256;
/** Bounds the memory of failures and "already logged" marks on a long-running app. */
const MAX_REMEMBERED_FAILURES = 5_000;

/** The served types and the file extension each is cached under (the extension records the type on disk). */
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/svg+xml': 'svg',
};
const TYPE_BY_EXTENSION = new Map(Object.entries(EXTENSIONS).map(([type, ext]) => [ext, type]));

const statements = statementsFor((db: Database) => ({
  avatarUrl: db
    .prepare<[string], string | null>('SELECT customer_avatar_url FROM events WHERE id = ?')
    .pluck(),
}));

/** Why a fetch was refused; the message is logged (never with the URL's query string). */
class Refusal extends Error {}

function startsWith(bytes: Buffer, prefix: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + prefix.length) return false;
  return prefix.every((byte, index) => bytes[offset + index] === byte);
}

const ascii = (text: string): number[] => [...text].map((char) => char.charCodeAt(0));

/** Whether the bytes really are what the server labelled them: a mislabelled file is not shown. */
export function matchesContentType(bytes: Buffer, contentType: string): boolean {
  switch (contentType) {
    case 'image/jpeg':
      return startsWith(bytes, [0xff, 0xd8, 0xff]);
    case 'image/png':
      return startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'image/gif':
      return startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'));
    case 'image/webp':
      return startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8);
    case 'image/svg+xml':
      return looksLikeSvg(bytes);
    default:
      return false;
  }
}

/** Well-formed UTF-8 text that opens as an SVG document (it is only ever shown through <img>, where script is off). */
function looksLikeSvg(bytes: Buffer): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return false;
  }
  if (text.includes('\u0000')) return false;
  const trimmed = text.trim();
  const opening = trimmed.startsWith('<svg') || trimmed.startsWith('<?xml');
  return opening && /<svg[\s>]/.test(trimmed) && trimmed.endsWith('>');
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** The renderer's images come from https; plain http only from the loopback sandbox. */
function allowedUrl(raw: string, base?: URL): URL | null {
  let url: URL;
  try {
    url = base === undefined ? new URL(raw) : new URL(raw, base);
  } catch {
    return null;
  }
  // Credentials in an image URL are never legitimate, and would end up in logs and caches.
  if (url.username !== '' || url.password !== '') return null;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  return null;
}

/** What is logged of a URL: no query or fragment, where signed URLs keep their credentials. */
function loggableUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(unparsable)';
  }
}

function mediaType(header: string | null): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function describe(error: unknown): string {
  if (error instanceof Refusal) return error.message;
  if (error instanceof Error && error.name === 'AbortError') return 'timed out';
  // Network errors from fetch carry the reason in `cause` (ECONNREFUSED, certificate errors…).
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** Reads at most `maxBytes`; one byte more and the stream is cancelled and the image refused. */
async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new Refusal(`larger than ${maxBytes} bytes`);
  }
  if (response.body === null) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new Refusal(`larger than ${maxBytes} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks, total);
}

export function createAvatarCache(options: AvatarCacheOptions): AvatarCache {
  const { db, logger, network } = options;
  const dir = path.resolve(options.dir);
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const retryAfterMs = options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  const now = options.now ?? Date.now;

  /** One load per URL at a time: a grid of 40 rows asking at once costs one read or fetch each. */
  const inFlight = new Map<string, Promise<Avatar | null>>();
  /** URL hash → when it may be tried again. */
  const failedUntil = new Map<string, number>();
  /** URL hashes whose failure was logged already: a broken URL must not flood the log on every render. */
  const logged = new Set<string>();
  /** Bumped by clear(): a fetch started before it must not write its file back afterwards. */
  let generation = 0;

  const lookUpUrl = (eventId: string): string | null => {
    if (eventId.length === 0 || eventId.length > MAX_EVENT_ID_LENGTH) return null;
    const url = statements(db).avatarUrl.get(eventId);
    return typeof url === 'string' && url.length > 0 ? url : null;
  };

  const readCached = async (hash: string): Promise<Avatar | null> => {
    for (const [ext, contentType] of TYPE_BY_EXTENSION) {
      try {
        const body = await readFile(path.join(dir, `${hash}.${ext}`));
        return { body, contentType };
      } catch {
        // Not cached under this type; try the next.
      }
    }
    return null;
  };

  const writeCached = async (hash: string, avatar: Avatar, startedIn: number): Promise<void> => {
    if (startedIn !== generation) return;
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${hash}.${EXTENSIONS[avatar.contentType] ?? 'bin'}`);
    // Written aside and renamed: a crash mid-write never leaves a truncated image that would be served forever.
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, avatar.body);
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw error;
    }
  };

  const download = async (url: string): Promise<Avatar> => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Refusal(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    });
    const attempt = async (): Promise<Avatar> => {
      let current = allowedUrl(url);
      if (current === null) throw new Refusal('not an https (or loopback http) URL');
      for (let hop = 0; ; hop++) {
        // Redirects are followed by hand so every hop is held to the same scheme and host rules.
        const response = await fetchImpl(current, {
          redirect: 'manual',
          signal: controller.signal,
          headers: { accept: Object.keys(EXTENSIONS).join(', ') },
        });
        if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
          await response.body?.cancel().catch(() => {});
          if (hop >= MAX_REDIRECTS) throw new Refusal('too many redirects');
          current = allowedUrl(response.headers.get('location') ?? '', current);
          if (current === null) throw new Refusal('redirected to a URL that is not allowed');
          continue;
        }
        if (!response.ok) {
          await response.body?.cancel().catch(() => {});
          throw new Refusal(`HTTP ${response.status}`);
        }
        const contentType = mediaType(response.headers.get('content-type'));
        if (EXTENSIONS[contentType] === undefined) {
          await response.body?.cancel().catch(() => {});
          throw new Refusal(`not an image type we show (${contentType || 'none'})`);
        }
        const body = await readCapped(response, maxBytes);
        if (!matchesContentType(body, contentType)) throw new Refusal(`the bytes are not ${contentType}`);
        return { body, contentType };
      }
    };
    try {
      // The race also covers an injected fetch that ignores the abort signal.
      return await Promise.race([attempt(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const remember = (collection: { size: number; clear(): void }): void => {
    // A crude bound: forgetting old failures only means they are tried (and logged) once more.
    if (collection.size >= MAX_REMEMBERED_FAILURES) collection.clear();
  };

  const load = async (url: string, hash: string): Promise<Avatar | null> => {
    const cached = await readCached(hash);
    if (cached !== null) return cached;
    // Offline, an uncached avatar is a placeholder: no request that is sure to fail, and no failure remembered.
    if (!network.isOnline()) return null;
    const retryAt = failedUntil.get(hash);
    if (retryAt !== undefined && now() < retryAt) return null;
    const startedIn = generation;
    try {
      const avatar = await download(url);
      failedUntil.delete(hash);
      await writeCached(hash, avatar, startedIn).catch((error: unknown) => {
        // The image is still served this time; it is fetched again next time.
        logger.warn('avatar could not be cached on disk', { error });
      });
      return avatar;
    } catch (error) {
      remember(failedUntil);
      failedUntil.set(hash, now() + retryAfterMs);
      if (!logged.has(hash)) {
        remember(logged);
        logged.add(hash);
        logger.warn('avatar fetch failed', { url: loggableUrl(url), reason: describe(error) });
      }
      return null;
    }
  };

  return {
    async get(eventId) {
      try {
        const url = typeof eventId === 'string' ? lookUpUrl(eventId) : null;
        if (url === null) return null;
        const hash = createHash('sha256').update(url).digest('hex');
        let pending = inFlight.get(hash);
        if (pending === undefined) {
          const loading = load(url, hash).finally(() => {
            // clear() may have started a newer load for this URL meanwhile; that one stays.
            if (inFlight.get(hash) === loading) inFlight.delete(hash);
          });
          pending = loading;
          inFlight.set(hash, loading);
        }
        return await pending;
      } catch (error) {
        // A closed database or a disk error must not break the page: the renderer shows initials instead.
        logger.warn('avatar lookup failed', { error });
        return null;
      }
    },
    clear() {
      generation++;
      inFlight.clear();
      failedUntil.clear();
      logged.clear();
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch (error) {
        logger.warn('avatar cache could not be cleared', { error });
      }
    },
  };
}

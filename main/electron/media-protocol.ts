import type { CustomScheme, Protocol } from 'electron';
import { MEDIA_SCHEME } from '../../preload/contract';
import { type Logger, silentLogger } from '../log';
import { type ImageFile, imageResponseHeaders } from '../compose/images';
import { type Avatar, avatarResponseHeaders } from '../media/avatars';

/**
 * omo-media: behaves like https for the renderer (standard URL parsing, a secure context) but cannot be fetched,
 * read cross-origin or streamed: it only ever fills <img> tags (DESIGN §6).
 */
export const MEDIA_SCHEME_DEFINITION: CustomScheme = {
  scheme: MEDIA_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, stream: false },
};

/** The host part of `omo-media://avatar/<encoded event id>`. */
export const AVATAR_HOST = 'avatar';
/** The host part of `omo-media://image/<sha256>/<thumb|preview>`: a composed image's variant. */
export const IMAGE_HOST = 'image';

export type AvatarSource = (eventId: string) => Promise<Avatar | null>;
export type ImageSource = (sha256: string, variant: string) => Promise<ImageFile | null>;

/** What main's core serves on omo-media: (App.avatar and App.image). */
export interface MediaSources {
  avatar: AvatarSource;
  image: ImageSource;
}

/** Must run before the app's 'ready': Electron accepts privileged schemes only then. */
export function registerMediaScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([MEDIA_SCHEME_DEFINITION]);
}

function notFound(): Response {
  return new Response('Not found', {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  });
}

/** The event id of an avatar URL, or null for any other omo-media: URL. */
export function avatarEventIdOf(rawUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${MEDIA_SCHEME}:` || url.hostname !== AVATAR_HOST) return null;
  const encoded = url.pathname.slice(1);
  if (encoded.length === 0 || encoded.includes('/')) return null;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

/** The image and variant of an image URL, or null for any other omo-media: URL. */
export function imageRefOf(rawUrl: string): { sha256: string; variant: 'thumb' | 'preview' } | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${MEDIA_SCHEME}:` || url.hostname !== IMAGE_HOST) return null;
  const match = /^\/([0-9a-f]{64})\/(thumb|preview)$/.exec(url.pathname);
  return match?.[1] && (match[2] === 'thumb' || match[2] === 'preview') ? { sha256: match[1], variant: match[2] } : null;
}

/** Answers one omo-media: request: a cached avatar or a composed image's variant, or 404 for anything else. Never throws. */
export async function answerMediaRequest(
  request: Pick<Request, 'url' | 'method'>,
  sources: MediaSources,
  logger: Logger = silentLogger,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return notFound();
  const eventId = avatarEventIdOf(request.url);
  const image = eventId === null ? imageRefOf(request.url) : null;
  if (eventId === null && image === null) return notFound();
  try {
    const found: Avatar | ImageFile | null =
      eventId !== null ? await sources.avatar(eventId) : image === null ? null : await sources.image(image.sha256, image.variant);
    if (found === null) return notFound();
    // Copied into a plain ArrayBuffer-backed view: the cache's Buffer may share Node's pooled memory.
    const body = request.method === 'HEAD' ? null : new Uint8Array(found.body);
    const headers = eventId !== null ? avatarResponseHeaders(found) : imageResponseHeaders(found as ImageFile);
    return new Response(body, { status: 200, headers });
  } catch (error) {
    logger.warn('omo-media request failed', { error });
    return notFound();
  }
}

/** After 'ready': serves omo-media: from main's caches. `sources` is null until the core exists (404 meanwhile). */
export function handleMediaProtocol(
  protocol: Pick<Protocol, 'handle'>,
  sources: () => MediaSources | null,
  logger: Logger = silentLogger,
): void {
  protocol.handle(MEDIA_SCHEME, (request) => {
    const current = sources();
    return current === null ? notFound() : answerMediaRequest(request, current, logger);
  });
}

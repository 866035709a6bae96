/**
 * The composer's image intake (issue 5): one dropped file becomes the variants LINE and WhatsApp take, stored in a
 * folder of the user data, content-addressed by the SHA-256 of the LINE original.
 *
 * Decisions (the renderer is never trusted with any of them):
 * - Accepted: JPEG, PNG, WebP (first frame), GIF (first frame), AVIF, and HEIC when this build's libvips decodes
 *   HEVC (the prebuilt sharp does not: such files are refused as image_unsupported, saying so). The format is
 *   sniffed from the first bytes before any decoder runs, so SVG (scripts, external references), PDF, TIFF
 *   (a scanner format with many exotic codecs), BMP, JPEG 2000, JPEG XL, RAW and anything else never reach one;
 *   sharp's own header reading must then agree.
 * - Order of checks: size (> MAX_IMAGE_BYTES → image_too_large, before any parsing), format, then the header's
 *   width × height (> MAX_IMAGE_PIXELS → image_too_many_pixels, before decoding a pixel; sharp's limitInputPixels
 *   enforces it again), then one strict decode (failOn 'error': truncated or corrupt data → image_corrupt).
 * - The decode applies EXIF orientation, converts to 8-bit sRGB, caps the long side at 4096 px and keeps the pixels
 *   in memory once; every variant is encoded from them. Outputs carry no metadata at all (sharp strips EXIF — GPS
 *   included —, XMP, IPTC and ICC unless asked to keep them).
 * - Variants (byte limits in decimal megabytes, the stricter reading of LINE's and Meta's "MB"):
 *   original (LINE)  JPEG q90, else q82, then downscaled until ≤ 10 MB; PNG instead when the image has real
 *                    transparency and the PNG fits;
 *   preview (LINE)   JPEG q80, long side ≤ 1024 px, ≤ 1 MB (downscaled further if noise makes it bigger);
 *   whatsapp         the original's bytes when they fit 5 MB, else JPEG q80 downscaled until ≤ 5 MB;
 *   thumb (UI)       JPEG q75, long side ≤ 320 px.
 *   JPEG outputs are flattened onto white.
 * - Files: `<sha>.<jpg|png>`, `<sha>-preview.jpg`, `<sha>-whatsapp.<jpg|png>`, `<sha>-thumb.jpg`, each written to a
 *   temp file, flushed and renamed; the row is inserted last, so a row never names a missing file. A failure removes
 *   what this import wrote.
 * - Imports and collections run one at a time (a promise chain): one decoded image in memory at once, and a
 *   collection never mistakes an import's files for strays.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { open, readFile, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { type ComposedImage, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS } from '../../preload/contract';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import { AppFailure } from '../rpc';
import type { Database } from '../store/db';
import { type ImageRow, deleteImage, getImage, insertImage, listImageShas, listUnreferencedImages } from '../store/images';

export type StoredVariant = 'original' | 'preview' | 'whatsapp' | 'thumb';

export interface ImageFile {
  body: Buffer;
  contentType: 'image/jpeg' | 'image/png';
}

export interface ImageStore {
  /**
   * Converts and stores one dropped file; throws AppFailure(image_too_large | image_unsupported | image_corrupt |
   * image_too_many_pixels), leaving nothing behind. Same content twice → same sha, stored once.
   */
  importImage(bytes: Buffer): Promise<ComposedImage>;
  get(sha256: string): ComposedImage | null;
  /**
   * A variant's bytes (null when the image or the file is missing). For serving the thumbnail/preview to the
   * renderer and for the send engine.
   */
  read(sha256: string, variant: StoredVariant): Promise<ImageFile | null>;
  /** Absolute path of a variant file (for the send engine's uploads), or null. */
  pathOf(sha256: string, variant: StoredVariant): string | null;
  /**
   * Deletes images no draft or broadcast refers to that were created more than graceMs ago (default 1 h; 0 at
   * start-up), and stray files in the folder that have no row (a crash between writing files and the row). Returns
   * how many images were removed. Never throws (logs).
   */
  collect(options?: { graceMs?: number }): Promise<number>;
}

export interface ImageStoreDeps {
  db: Database;
  /** The images folder (created if missing). Only files named like ours are ever deleted from it. */
  dir: string;
  clock: Clock;
  logger: Logger;
}

/** LINE: originalContentUrl ≤ 10 MB, previewImageUrl ≤ 1 MB; WhatsApp: image ≤ 5 MB. */
export const VARIANT_MAX_BYTES = { original: 10_000_000, preview: 1_000_000, whatsapp: 5_000_000 } as const;
/** Long-side caps: beyond 4096 px no phone screen shows more, and the decoded pixels stay ≤ 64 MiB. */
export const ORIGINAL_LONG_SIDE = 4096;
export const PREVIEW_LONG_SIDE = 1024;
export const THUMB_LONG_SIDE = 320;
const ORIGINAL_QUALITIES = [90, 82] as const;
const PREVIEW_QUALITY = 80;
const WHATSAPP_QUALITY = 80;
const THUMB_QUALITY = 75;
const PNG_COMPRESSION = 6;
/** Enough for any real picture: each step shrinks by at least 10 %, usually straight to the target. */
const MAX_FIT_ATTEMPTS = 12;
const DEFAULT_GRACE_MS = 60 * 60 * 1000;

const SHA256 = /^[0-9a-f]{64}$/;
const VARIANTS: readonly StoredVariant[] = ['original', 'preview', 'whatsapp', 'thumb'];
/** Our file names (and their temp files): anything else in the folder is not ours and is left alone. */
const FILE_NAME = /^([0-9a-f]{64})(-preview|-whatsapp|-thumb)?\.(jpg|png)(\.[0-9a-f]+\.tmp)?$/;

const WHITE = { r: 255, g: 255, b: 255 };

type SniffedFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'heif';
type OutputFormat = 'jpeg' | 'png';

/** ISO-BMFF brands of HEIF still images: HEIC (HEVC) and AVIF (AV1). Video brands (isom, mp42, qt) are not. */
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1', 'avif', 'avis']);

function startsWith(bytes: Buffer, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((byte, index) => bytes[offset + index] === byte);
}

function ascii(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('latin1', start, end);
}

/** The format by its magic bytes, or null for anything the composer does not take. */
export function sniffImageFormat(bytes: Buffer): SniffedFormat | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 6 && (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')) return 'gif';
  if (bytes.length >= 16 && ascii(bytes, 4, 8) === 'ftyp') {
    // ftyp: size, 'ftyp', major brand, minor version, compatible brands…
    const boxEnd = Math.min(bytes.readUInt32BE(0), bytes.length, 256);
    const brands = [ascii(bytes, 8, 12)];
    for (let offset = 16; offset + 4 <= boxEnd; offset += 4) brands.push(ascii(bytes, offset, offset + 4));
    if (brands.some((brand) => HEIF_BRANDS.has(brand))) return 'heif';
  }
  return null;
}

/** Decoded pixels: 8-bit sRGB, 3 or 4 channels, orientation applied. */
interface Pixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
  /** Some pixel is not fully opaque (an alpha channel that is all 255 does not count). */
  transparent: boolean;
}

interface Encoded {
  data: Buffer;
  format: OutputFormat;
  width: number;
  height: number;
}

function hasTransparentPixel(data: Buffer, channels: number): boolean {
  if (channels !== 4) return false;
  for (let index = 3; index < data.length; index += 4) if (data[index] !== 255) return true;
  return false;
}

function pipelineFrom(pixels: Pixels, longSide: number): Sharp {
  let image = sharp(pixels.data, {
    raw: { width: pixels.width, height: pixels.height, channels: pixels.channels },
  });
  if (longSide < Math.max(pixels.width, pixels.height)) {
    image = image.resize(longSide, longSide, { fit: 'inside' });
  }
  return image;
}

async function encode(pixels: Pixels, format: OutputFormat, longSide: number, quality: number): Promise<Encoded> {
  let image = pipelineFrom(pixels, longSide);
  if (format === 'jpeg') {
    if (pixels.channels === 4) image = image.flatten({ background: WHITE });
    image = image.jpeg({ quality });
  } else {
    image = image.png({ compressionLevel: PNG_COMPRESSION });
  }
  const { data, info } = await image.toBuffer({ resolveWithObject: true });
  return { data, format, width: info.width, height: info.height };
}

/**
 * A JPEG of at most maxBytes: each quality at the capped size first, then smaller sizes at the last quality, each
 * sized from the last attempt's bytes per pixel (with 10 % headroom) so noisy pictures converge in a step or two.
 */
async function encodeJpegWithin(
  pixels: Pixels,
  options: { maxBytes: number; longSide: number; qualities: readonly number[] },
): Promise<Encoded> {
  let longSide = Math.min(options.longSide, Math.max(pixels.width, pixels.height));
  const qualities = options.qualities.length > 0 ? options.qualities : [WHATSAPP_QUALITY];
  const lastQuality = qualities[qualities.length - 1] ?? WHATSAPP_QUALITY;
  let attempts = 0;
  for (const quality of qualities) {
    const encoded = await encode(pixels, 'jpeg', longSide, quality);
    attempts += 1;
    if (encoded.data.length <= options.maxBytes) return encoded;
    if (quality === lastQuality) {
      let last = encoded;
      while (attempts < MAX_FIT_ATTEMPTS) {
        const factor = Math.min(0.9, Math.sqrt((options.maxBytes * 0.9) / last.data.length));
        longSide = Math.max(16, Math.floor(Math.max(last.width, last.height) * factor));
        last = await encode(pixels, 'jpeg', longSide, lastQuality);
        attempts += 1;
        if (last.data.length <= options.maxBytes) return last;
      }
    }
  }
  // Unreachable for pixels: a 16 px JPEG is a few hundred bytes.
  throw new Error(`images: no JPEG of ≤ ${options.maxBytes} bytes after ${attempts} attempts`);
}

function fileName(sha256: string, variant: StoredVariant, row: Pick<ImageRow, 'format' | 'whatsappFormat'>): string {
  const extension = (format: OutputFormat): string => (format === 'png' ? 'png' : 'jpg');
  switch (variant) {
    case 'original':
      return `${sha256}.${extension(row.format)}`;
    case 'preview':
      return `${sha256}-preview.jpg`;
    case 'whatsapp':
      return `${sha256}-whatsapp.${extension(row.whatsappFormat)}`;
    case 'thumb':
      return `${sha256}-thumb.jpg`;
  }
}

function contentTypeOf(variant: StoredVariant, row: ImageRow): ImageFile['contentType'] {
  const format = variant === 'original' ? row.format : variant === 'whatsapp' ? row.whatsappFormat : 'jpeg';
  return format === 'png' ? 'image/png' : 'image/jpeg';
}

function toComposedImage(row: ImageRow): ComposedImage {
  return {
    sha256: row.sha256,
    format: row.format,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
    previewBytes: row.previewBytes,
    whatsappBytes: row.whatsappBytes,
    source: { format: row.sourceFormat, bytes: row.sourceBytes },
  };
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const HEIC_UNSUPPORTED =
  'This HEIC photo is compressed with HEVC, which this build of the image library cannot decode. ' +
  'Export it as JPEG (or set the camera to "Most Compatible") and try again.';

/** Reads the header only: format, dimensions, and for HEIF which codec. */
async function readHeader(bytes: Buffer, sniffed: SniffedFormat): Promise<Metadata> {
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch (error) {
    if (sniffed === 'heif') {
      throw new AppFailure('image_unsupported', `This HEIF image cannot be read here (${errorMessage(error)}).`);
    }
    throw new AppFailure('image_corrupt', `The ${sniffed.toUpperCase()} file's header cannot be read.`);
  }
  if (metadata.format !== sniffed) {
    throw new AppFailure('image_corrupt', `The file looks like ${sniffed.toUpperCase()} but is not one.`);
  }
  if (!(metadata.width > 0 && metadata.height > 0)) {
    throw new AppFailure('image_corrupt', 'The image header gives no size.');
  }
  if (metadata.width * metadata.height > MAX_IMAGE_PIXELS) {
    throw new AppFailure(
      'image_too_many_pixels',
      `The image is ${metadata.width} × ${metadata.height} pixels; at most ${MAX_IMAGE_PIXELS.toLocaleString('en-US')} ` +
        'pixels are accepted.',
    );
  }
  return metadata;
}

/** The one decode: orientation applied, 8-bit sRGB, long side capped, first frame only. */
async function decode(bytes: Buffer, metadata: Metadata): Promise<Pixels> {
  try {
    const { data, info } = await sharp(bytes, {
      failOn: 'error',
      limitInputPixels: MAX_IMAGE_PIXELS,
      autoOrient: true,
      pages: 1,
    })
      .resize(ORIGINAL_LONG_SIDE, ORIGINAL_LONG_SIDE, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 && info.channels !== 4) throw new Error(`unexpected ${info.channels} channels`);
    return {
      data,
      width: info.width,
      height: info.height,
      channels: info.channels,
      transparent: hasTransparentPixel(data, info.channels),
    };
  } catch (error) {
    if (metadata.format === 'heif' && metadata.compression === 'hevc') {
      throw new AppFailure('image_unsupported', HEIC_UNSUPPORTED);
    }
    if (/pixel limit/i.test(errorMessage(error))) {
      throw new AppFailure('image_too_many_pixels', 'The image has too many pixels.');
    }
    throw new AppFailure('image_corrupt', 'The image is damaged or incomplete and cannot be decoded.');
  }
}

function sourceFormatOf(metadata: Metadata): string {
  if (metadata.format !== 'heif') return metadata.format;
  if (metadata.compression === 'av1') return 'avif';
  if (metadata.compression === 'hevc') return 'heic';
  return 'heif';
}

interface Variants {
  original: Encoded;
  preview: Encoded;
  whatsapp: Encoded;
  thumb: Encoded;
}

async function encodeVariants(pixels: Pixels): Promise<Variants> {
  const originalPromise = (async (): Promise<Encoded> => {
    if (pixels.transparent) {
      const png = await encode(pixels, 'png', ORIGINAL_LONG_SIDE, 0);
      if (png.data.length <= VARIANT_MAX_BYTES.original) return png;
    }
    return encodeJpegWithin(pixels, {
      maxBytes: VARIANT_MAX_BYTES.original,
      longSide: ORIGINAL_LONG_SIDE,
      qualities: ORIGINAL_QUALITIES,
    });
  })();
  // Independent encodes run side by side on libuv's pool.
  const [original, preview, thumb] = await Promise.all([
    originalPromise,
    encodeJpegWithin(pixels, {
      maxBytes: VARIANT_MAX_BYTES.preview,
      longSide: PREVIEW_LONG_SIDE,
      qualities: [PREVIEW_QUALITY],
    }),
    encode(pixels, 'jpeg', THUMB_LONG_SIDE, THUMB_QUALITY),
  ]);
  const whatsapp =
    original.data.length <= VARIANT_MAX_BYTES.whatsapp
      ? original
      : await encodeJpegWithin(pixels, {
          maxBytes: VARIANT_MAX_BYTES.whatsapp,
          longSide: Math.max(original.width, original.height),
          qualities: [WHATSAPP_QUALITY],
        });
  return { original, preview, whatsapp, thumb };
}

/**
 * Writes a file beside its final name, flushes it and renames it into place. `written` tracks every path that may
 * exist because of this call, so a failure anywhere can remove them.
 */
async function writeFileAtomic(target: string, data: Buffer, written: Set<string>): Promise<void> {
  const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  written.add(temp);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data);
    // The row is committed right after: its files must survive a power loss as well as it does.
    await handle.datasync();
  } finally {
    await handle.close();
  }
  written.add(target);
  await rename(temp, target);
  written.delete(temp);
}

/** Response headers for serving a variant to the renderer. */
export function imageResponseHeaders(file: ImageFile): Record<string, string> {
  return {
    'content-type': file.contentType,
    'content-length': String(file.body.length),
    // Content-addressed: a name's bytes never change.
    'cache-control': 'private, max-age=31536000, immutable',
    'content-security-policy': "default-src 'none'",
    'x-content-type-options': 'nosniff',
  };
}

export function createImageStore(deps: ImageStoreDeps): ImageStore {
  const { db, dir, clock, logger } = deps;
  mkdirSync(dir, { recursive: true });
  // libvips' operation cache only helps a program that decodes the same file again; a desktop app importing one
  // image now and then would just keep up to 50 MB of it alive.
  sharp.cache(false);

  /** Imports and collections, one at a time. */
  let queue: Promise<unknown> = Promise.resolve();
  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  /**
   * When an already-stored image was last imported again: its row is old, but the user just dropped it and a draft
   * is about to refer to it, so a collection must give it the same grace as a new one.
   */
  const reimportedAt = new Map<string, number>();

  function rowOf(sha256: string): ImageRow | undefined {
    return SHA256.test(sha256) ? getImage(db, sha256) : undefined;
  }

  async function store(bytes: Buffer): Promise<ComposedImage> {
    const started = performance.now();
    const sniffed = sniffImageFormat(bytes);
    if (sniffed === null) {
      throw new AppFailure('image_unsupported', 'Not an image the composer takes (JPEG, PNG, WebP, GIF, HEIC, AVIF).');
    }
    const metadata = await readHeader(bytes, sniffed);
    const pixels = await decode(bytes, metadata);
    const variants = await encodeVariants(pixels);
    const sha256 = createHash('sha256').update(variants.original.data).digest('hex');

    const existing = getImage(db, sha256);
    if (existing) {
      reimportedAt.set(sha256, clock.now());
      return toComposedImage(existing);
    }

    const row: ImageRow = {
      sha256,
      format: variants.original.format,
      width: variants.original.width,
      height: variants.original.height,
      bytes: variants.original.data.length,
      previewBytes: variants.preview.data.length,
      whatsappFormat: variants.whatsapp.format,
      whatsappBytes: variants.whatsapp.data.length,
      sourceFormat: sourceFormatOf(metadata),
      sourceBytes: bytes.length,
      createdAt: clock.now(),
    };
    const written = new Set<string>();
    try {
      for (const variant of ['thumb', 'preview', 'whatsapp', 'original'] as const) {
        await writeFileAtomic(path.join(dir, fileName(sha256, variant, row)), variants[variant].data, written);
      }
      insertImage(db, row);
    } catch (error) {
      await Promise.all([...written].map((file) => rm(file, { force: true }).catch(() => undefined)));
      logger.error('images: storing failed', { error: errorMessage(error), code: errorCode(error) });
      throw error;
    }
    logger.info('images: imported', {
      sha256,
      source: row.sourceFormat,
      sourceBytes: row.sourceBytes,
      format: row.format,
      width: row.width,
      height: row.height,
      ms: Math.round(performance.now() - started),
    });
    return toComposedImage(row);
  }

  /**
   * Removes our files that no row accounts for: images whose row is gone (or never came), temp files of an import
   * that crashed, and names a row does not use. Returns how many such images were not already in `counted`.
   */
  async function removeStrays(counted: ReadonlySet<string>): Promise<{ images: number; files: number }> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { images: 0, files: 0 };
      throw error;
    }
    const shas = new Set(listImageShas(db));
    const strayImages = new Set<string>();
    let files = 0;
    for (const name of names) {
      const match = FILE_NAME.exec(name);
      if (!match) continue;
      const sha256 = match[1] ?? '';
      const isTemp = match[4] !== undefined;
      const row = shas.has(sha256) ? getImage(db, sha256) : undefined;
      // A row's files are exactly its four names; e.g. a `.png` original beside a JPEG row is not one of them.
      const belongs =
        !isTemp && row !== undefined && VARIANTS.some((variant) => fileName(sha256, variant, row) === name);
      if (belongs) continue;
      try {
        await rm(path.join(dir, name), { force: true });
        files += 1;
        if (!isTemp && row === undefined && !counted.has(sha256)) strayImages.add(sha256);
      } catch (error) {
        logger.warn('images: could not remove a stray file', { name, error: errorMessage(error) });
      }
    }
    return { images: strayImages.size, files };
  }

  async function collect(graceMs: number): Promise<number> {
    let removed = 0;
    try {
      const now = clock.now();
      const cutoff = now - graceMs;
      for (const [sha256, at] of reimportedAt) {
        if (at < now - Math.max(graceMs, DEFAULT_GRACE_MS)) reimportedAt.delete(sha256);
      }
      // One transaction: nothing can refer to an image between finding it unreferenced and deleting its row. Rows
      // go first: a crash before the files are removed leaves strays, which the next collection removes.
      const deleted = db
        .transaction((): string[] => {
          const unreferenced = listUnreferencedImages(db, cutoff).filter(
            (sha256) => (reimportedAt.get(sha256) ?? Number.NEGATIVE_INFINITY) < cutoff,
          );
          for (const sha256 of unreferenced) deleteImage(db, sha256);
          return unreferenced;
        })
        .immediate();
      for (const sha256 of deleted) reimportedAt.delete(sha256);
      removed = deleted.length;
      // The deleted rows' files are strays now, so one pass over the folder removes them with the others.
      const strays = await removeStrays(new Set(deleted));
      removed += strays.images;
      if (removed > 0 || strays.files > 0) {
        logger.info('images: collected', { images: removed, files: strays.files, graceMs });
      }
    } catch (error) {
      logger.error('images: collection failed', { error: errorMessage(error), removed });
    }
    return removed;
  }

  return {
    importImage(bytes) {
      // A Buffer by contract; a plain Uint8Array (as IPC delivers) is viewed as one without copying.
      const given: unknown = bytes;
      if (!(given instanceof Uint8Array)) {
        return Promise.reject(new AppFailure('image_unsupported', 'Not an image: no bytes were given.'));
      }
      const input = Buffer.isBuffer(given) ? given : Buffer.from(given.buffer, given.byteOffset, given.byteLength);
      if (input.length > MAX_IMAGE_BYTES) {
        logger.info('images: refused', { code: 'image_too_large', sourceBytes: input.length });
        return Promise.reject(
          new AppFailure(
            'image_too_large',
            `The file is ${input.length.toLocaleString('en-US')} bytes; images up to ` +
              `${(MAX_IMAGE_BYTES / 1024 / 1024).toFixed(0)} MB are accepted.`,
          ),
        );
      }
      return serialized(async () => {
        try {
          return await store(input);
        } catch (error) {
          if (error instanceof AppFailure) {
            logger.info('images: refused', { code: error.code, sourceBytes: input.length });
          }
          throw error;
        }
      });
    },

    get(sha256) {
      const row = rowOf(sha256);
      return row ? toComposedImage(row) : null;
    },

    async read(sha256, variant) {
      const row = rowOf(sha256);
      if (!row) return null;
      try {
        const body = await readFile(path.join(dir, fileName(sha256, variant, row)));
        return { body, contentType: contentTypeOf(variant, row) };
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
        logger.warn('images: a stored image has lost a file', { sha256, variant });
        return null;
      }
    },

    pathOf(sha256, variant) {
      const row = rowOf(sha256);
      if (!row) return null;
      const file = path.join(dir, fileName(sha256, variant, row));
      return existsSync(file) ? file : null;
    },

    collect(options = {}) {
      return serialized(() => collect(options.graceMs ?? DEFAULT_GRACE_MS));
    },
  };
}

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ImageStore,
  type StoredVariant,
  createImageStore,
  imageResponseHeaders,
} from '../../../main/compose/images';
import { type Logger, silentLogger } from '../../../main/log';
import { AppFailure } from '../../../main/rpc';
import { type Database, openDatabase } from '../../../main/store/db';
import { MAX_IMAGE_BYTES, type ComposedImage } from '../../../preload/contract';
import * as fixtures from '../../helpers/images';
import { makeTempDir } from '../../helpers/tmp';

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
const HOUR = 60 * 60 * 1000;
const VARIANTS: StoredVariant[] = ['original', 'preview', 'whatsapp', 'thumb'];

let db: Database;
let dir: string;
let now: number;
let store: ImageStore;

function openStore(logger: Logger = silentLogger): ImageStore {
  return createImageStore({ db, dir, clock: { now: () => now }, logger });
}

beforeEach(() => {
  const root = makeTempDir('compose-images');
  db = openDatabase(path.join(root, 'omo.sqlite'));
  dir = path.join(root, 'images');
  now = T0;
  store = openStore();
});

afterEach(() => {
  db.close();
});

function imageRows(): unknown[] {
  return db.prepare('SELECT * FROM images ORDER BY sha256').all();
}

function files(): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function filesOf(sha256: string): string[] {
  return files().filter((name) => name.startsWith(sha256));
}

async function variant(image: ComposedImage, name: StoredVariant): Promise<Buffer> {
  const file = await store.read(image.sha256, name);
  if (!file) throw new Error(`no ${name} for ${image.sha256}`);
  return file.body;
}

async function refusal(bytes: Buffer): Promise<AppFailure> {
  const error: unknown = await store.importImage(bytes).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppFailure)) throw new Error(`expected an AppFailure, got ${String(error)}`);
  return error;
}

function insertDraft(id: string, sha256: string): void {
  db.prepare(
    `INSERT INTO drafts (id, text, image_sha256, image_name, created_at, updated_at)
     VALUES (?, 'hello', ?, 'photo.jpg', ?, ?)`,
  ).run(id, sha256, now, now);
}

function insertBroadcast(id: string, sha256: string): void {
  db.prepare(
    `INSERT INTO broadcasts (id, created_by, content, state, created_at, updated_at, expires_at, image_sha256)
     VALUES (?, 'agent-1', '{}', 'queued', ?, ?, ?, ?)`,
  ).run(id, now, now, now + 24 * HOUR, sha256);
}

describe('importImage: what is stored', () => {
  it('converts a PNG photo into the four variants, one row, and serves them back', async () => {
    const image = await store.importImage(await fixtures.markedPng(300, 200));

    expect(image).toMatchObject({ format: 'jpeg', width: 300, height: 200, source: { format: 'png' } });
    expect(image.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(store.get(image.sha256)).toEqual(image);
    expect(imageRows()).toHaveLength(1);
    const sha = image.sha256;
    expect(files()).toEqual([`${sha}-preview.jpg`, `${sha}-thumb.jpg`, `${sha}-whatsapp.jpg`, `${sha}.jpg`]);

    const original = await variant(image, 'original');
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(original).digest('hex')).toBe(sha);
    expect(original.length).toBe(image.bytes);
    expect((await variant(image, 'preview')).length).toBe(image.previewBytes);
    expect((await variant(image, 'whatsapp')).length).toBe(image.whatsappBytes);
    for (const name of VARIANTS) {
      const file = await store.read(sha, name);
      expect(file?.contentType).toBe('image/jpeg');
      expect((await sharp(file?.body).metadata()).format).toBe('jpeg');
      expect(store.pathOf(sha, name)).toBe(path.join(dir, name === 'original' ? `${sha}.jpg` : `${sha}-${name}.jpg`));
    }
    // The red marker survives in the top-left corner.
    const [r, g, b] = await fixtures.pixelAt(original, 4, 4);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
  });

  it('applies EXIF orientation 6 and strips EXIF, GPS and XMP from every variant', async () => {
    const input = await fixtures.exifRotatedJpeg(400, 300);
    // The fixture really carries what must disappear.
    const source = await sharp(input).metadata();
    expect(source.orientation).toBe(6);
    expect([source.width, source.height]).toEqual([400, 300]);
    expect(source.exif).toBeDefined();
    expect(fixtures.exifGpsTagCount(source.exif ?? Buffer.alloc(0))).toBeGreaterThanOrEqual(4);
    expect(source.xmp).toBeDefined();
    expect(input.includes(fixtures.FIXTURE_CAMERA.make)).toBe(true);
    expect(fixtures.jpegHeaderMarkers(input)).toContain(0xe1);

    const image = await store.importImage(input);

    // Upright: stored landscape pixels become a portrait picture.
    expect([image.width, image.height]).toEqual([300, 400]);
    const original = await variant(image, 'original');
    // Orientation 6 turns the picture 90° clockwise: the stored top-left marker is now top-right.
    const topRight = await fixtures.pixelAt(original, 300 - 5, 5);
    const topLeft = await fixtures.pixelAt(original, 5, 5);
    expect(topRight[0]).toBeGreaterThan(200);
    expect(topRight[1]).toBeLessThan(60);
    expect(Math.abs((topLeft[0] ?? 0) - 128)).toBeLessThan(12);

    for (const name of VARIANTS) {
      const body = await variant(image, name);
      const metadata = await sharp(body).metadata();
      expect(metadata.exif, name).toBeUndefined();
      expect(metadata.xmp, name).toBeUndefined();
      expect(metadata.iptc, name).toBeUndefined();
      expect(metadata.icc, name).toBeUndefined();
      expect(metadata.orientation, name).toBeUndefined();
      expect(metadata.width, name).toBeLessThan(metadata.height);
      // No APP1 (EXIF/XMP), APP2 (ICC) or APP13 (IPTC) segment, and none of the fixture's strings anywhere.
      const markers = fixtures.jpegHeaderMarkers(body);
      expect(markers, name).not.toContain(0xe1);
      expect(markers, name).not.toContain(0xe2);
      expect(markers, name).not.toContain(0xed);
      for (const secret of ['Exif', 'GPS', fixtures.FIXTURE_CAMERA.make, fixtures.FIXTURE_CAMERA.model, 'OmoSecret']) {
        expect(body.includes(secret), `${name} contains ${secret}`).toBe(false);
      }
    }
  });

  it('takes WebP and AVIF, re-encoded as JPEG', async () => {
    const fromWebp = await store.importImage(await fixtures.webp(120, 90));
    expect(fromWebp).toMatchObject({ format: 'jpeg', width: 120, height: 90, source: { format: 'webp' } });
    const fromAvif = await store.importImage(await fixtures.avif(100, 80));
    expect(fromAvif).toMatchObject({ format: 'jpeg', width: 100, height: 80, source: { format: 'avif' } });
    const [r, g, b] = await fixtures.pixelAt(await variant(fromAvif, 'original'), 50, 40);
    expect(Math.abs((r ?? 0) - 200) + Math.abs((g ?? 0) - 60) + Math.abs((b ?? 0) - 140)).toBeLessThan(30);
  });

  it('takes the first frame of an animated GIF', async () => {
    const input = await fixtures.animatedGif(60, 40);
    expect((await sharp(input).metadata()).pages).toBe(2);

    const image = await store.importImage(input);

    expect(image).toMatchObject({ format: 'jpeg', width: 60, height: 40, source: { format: 'gif' } });
    const [r, , b] = await fixtures.pixelAt(await variant(image, 'original'), 30, 20);
    expect(r).toBeGreaterThan(200);
    expect(b).toBeLessThan(60);
  });

  it('keeps real transparency as PNG for LINE and WhatsApp, and flattens the JPEG variants onto white', async () => {
    const image = await store.importImage(await fixtures.alphaPng(200, 100));

    expect(image).toMatchObject({ format: 'png', width: 200, height: 100 });
    const original = await store.read(image.sha256, 'original');
    expect(original?.contentType).toBe('image/png');
    expect(await fixtures.pixelAt(original?.body ?? Buffer.alloc(0), 10, 50)).toEqual([0, 0, 0, 0]);
    expect(await fixtures.pixelAt(original?.body ?? Buffer.alloc(0), 150, 50)).toEqual([0, 200, 0, 255]);
    // The PNG fits WhatsApp's 5 MB: the same bytes serve both.
    const whatsapp = await store.read(image.sha256, 'whatsapp');
    expect(whatsapp?.contentType).toBe('image/png');
    expect(whatsapp?.body.equals(original?.body ?? Buffer.alloc(0))).toBe(true);
    expect(store.pathOf(image.sha256, 'original')).toBe(path.join(dir, `${image.sha256}.png`));
    expect(store.pathOf(image.sha256, 'whatsapp')).toBe(path.join(dir, `${image.sha256}-whatsapp.png`));
    for (const name of ['preview', 'thumb'] as const) {
      const body = await variant(image, name);
      const metadata = await sharp(body).metadata();
      expect(metadata.format).toBe('jpeg');
      expect(metadata.hasAlpha).toBe(false);
      const [r, g, b] = await fixtures.pixelAt(body, 2, Math.floor((metadata.height ?? 0) / 2));
      expect(Math.min(r ?? 0, g ?? 0, b ?? 0)).toBeGreaterThan(245);
    }
  });

  it('stores an RGBA PNG without transparency as JPEG, and a 16-bit PNG as 8-bit', async () => {
    const opaque = await store.importImage(await fixtures.opaqueRgbaPng());
    expect(opaque.format).toBe('jpeg');
    const deep = await store.importImage(await fixtures.png16());
    expect(deep.format).toBe('jpeg');
    const metadata = await sharp(await variant(deep, 'original')).metadata();
    expect([metadata.depth, metadata.channels, metadata.space]).toEqual(['uchar', 3, 'srgb']);
  });

  it('caps the long side at 4096 px for LINE, 1024 px for the preview and 320 px for the thumbnail', async () => {
    const image = await store.importImage(await fixtures.solidPng(6000, 1500));

    expect([image.width, image.height]).toEqual([4096, 1024]);
    const preview = await sharp(await variant(image, 'preview')).metadata();
    expect([preview.width, preview.height]).toEqual([1024, 256]);
    const thumb = await sharp(await variant(image, 'thumb')).metadata();
    expect([thumb.width, thumb.height]).toEqual([320, 80]);
  });

  it('re-encodes and downscales a picture JPEG cannot compress until every variant fits its limit', async () => {
    // 4096² of noise: ≈ 14 MB as a q90 JPEG, ≈ 1.2 MB as the PNG dropped.
    const input = await fixtures.tiledNoisePng(4096);
    expect(input.length).toBeLessThan(MAX_IMAGE_BYTES);

    const image = await store.importImage(input);

    expect(image.format).toBe('jpeg');
    expect(image.bytes).toBeLessThanOrEqual(10_000_000);
    // It had to shrink, but not absurdly (the steps aim at the limit).
    expect(image.width).toBeLessThan(4096);
    expect(image.width).toBeGreaterThan(2048);
    expect(image.width).toBe(image.height);
    expect(image.previewBytes).toBeLessThanOrEqual(1_000_000);
    expect(image.whatsappBytes).toBeLessThanOrEqual(5_000_000);
    expect(image.whatsappBytes).not.toBe(image.bytes);
    const whatsapp = await sharp(await variant(image, 'whatsapp')).metadata();
    expect([whatsapp.format, whatsapp.depth, whatsapp.channels]).toEqual(['jpeg', 'uchar', 3]);
    const preview = await sharp(await variant(image, 'preview')).metadata();
    expect(Math.max(preview.width, preview.height)).toBeLessThanOrEqual(1024);
    for (const name of VARIANTS) {
      const file = store.pathOf(image.sha256, name);
      expect(file && readFileSync(file).length).toBe((await variant(image, name)).length);
    }
  }, 15_000);

  it('stores the same content once, however often and however concurrently it is dropped', async () => {
    const input = await fixtures.markedPng(320, 240);
    const first = await store.importImage(input);
    const before = files();

    const [second, third] = await Promise.all([
      store.importImage(input),
      // A plain Uint8Array, as IPC delivers bytes.
      store.importImage(new Uint8Array(input) as unknown as Buffer),
    ]);

    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(imageRows()).toHaveLength(1);
    expect(files()).toEqual(before);
  });

  it('takes a valid image of exactly MAX_IMAGE_BYTES', async () => {
    const input = await fixtures.paddedPng(MAX_IMAGE_BYTES);
    expect(input.length).toBe(MAX_IMAGE_BYTES);

    const image = await store.importImage(input);

    expect(image).toMatchObject({ width: 32, height: 32, source: { format: 'png', bytes: MAX_IMAGE_BYTES } });
  });
});

describe('importImage: refusals leave nothing behind', () => {
  const cases: Array<{ name: string; code: string; make: () => Buffer | Promise<Buffer>; message?: RegExp }> = [
    { name: 'a file of 20 MiB + 1 byte', code: 'image_too_large', make: () => fixtures.paddedPng(MAX_IMAGE_BYTES + 1) },
    { name: 'a text file', code: 'image_unsupported', make: () => fixtures.TEXT },
    { name: 'an empty file', code: 'image_unsupported', make: () => Buffer.alloc(0) },
    { name: 'an SVG with a script', code: 'image_unsupported', make: () => fixtures.SVG },
    { name: 'a TIFF', code: 'image_unsupported', make: () => fixtures.tiff() },
    { name: 'a PDF', code: 'image_unsupported', make: () => Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n') },
    {
      name: 'an HEVC-coded HEIC (this build has no HEVC decoder)',
      code: 'image_unsupported',
      make: () => fixtures.heicStub(),
      message: /HEIC.*HEVC/,
    },
    {
      name: 'a real 1-bit PNG bomb of 10001 × 10000 pixels (12 KB)',
      code: 'image_too_many_pixels',
      make: () => fixtures.pngBomb(10_001, 10_000),
      message: /10001 × 10000/,
    },
    {
      // Refused from the header (which it names), before any decoding: a decode would find the data missing.
      name: 'a PNG header claiming 20000 × 20000 with almost no data',
      code: 'image_too_many_pixels',
      make: () => fixtures.pngHeaderClaiming(20_000, 20_000),
      message: /20000 × 20000/,
    },
    { name: 'a truncated JPEG', code: 'image_corrupt', make: () => fixtures.truncatedJpeg() },
    { name: 'a truncated PNG', code: 'image_corrupt', make: () => fixtures.truncatedPng() },
    {
      name: 'JPEG magic followed by garbage',
      code: 'image_corrupt',
      make: () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), fixtures.seededBytes(4096, 9)]),
    },
  ];

  it.each(cases)('refuses $name as $code', async ({ code, make, message }) => {
    // Something already stored, so "nothing changed" is checked against a non-empty folder and table.
    await store.importImage(await fixtures.solidPng(50, 50));
    const rowsBefore = imageRows();
    const filesBefore = files();
    const input = await make();

    const failure = await refusal(input);

    expect(failure.code).toBe(code);
    if (message) expect(failure.message).toMatch(message);
    expect(imageRows()).toEqual(rowsBefore);
    expect(files()).toEqual(filesBefore);
  });

  it('checks the size before looking at the bytes', async () => {
    const failure = await refusal(Buffer.alloc(MAX_IMAGE_BYTES + 1, 0x41));
    expect(failure.code).toBe('image_too_large');
  });

  it('removes the files it wrote when storing fails half-way, and inserts no row', async () => {
    const input = await fixtures.markedPng(200, 150);
    const image = await store.importImage(input);
    // Forget it (row and files), then block the last rename: a directory where the original must go.
    db.prepare('DELETE FROM images').run();
    for (const name of files()) rmSync(path.join(dir, name));
    mkdirSync(path.join(dir, `${image.sha256}.jpg`));
    writeFileSync(path.join(dir, `${image.sha256}.jpg`, 'keep'), 'x');
    const errors: unknown[] = [];
    store = openStore({ ...silentLogger, error: (message) => errors.push(message) });

    await expect(store.importImage(input)).rejects.toThrow();

    expect(imageRows()).toEqual([]);
    expect(files()).toEqual([`${image.sha256}.jpg`]);
    expect(errors).toEqual(['images: storing failed']);
    // The next import of other content still works.
    await expect(store.importImage(await fixtures.solidPng(20, 20))).resolves.toMatchObject({ width: 20 });
  });

  it('goes on after a refusal: imports are chained, not stuck', async () => {
    const results = await Promise.allSettled([
      store.importImage(fixtures.TEXT),
      store.importImage(await fixtures.truncatedJpeg()),
      store.importImage(await fixtures.solidPng(10, 10)),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });
});

describe('get, read and pathOf', () => {
  it('answer null for unknown, malformed or path-like shas, and for a lost file', async () => {
    const image = await store.importImage(await fixtures.solidPng(30, 30));
    for (const sha of ['0'.repeat(64), '../../etc/passwd', `${image.sha256}/..`, image.sha256.toUpperCase(), '']) {
      expect(store.get(sha)).toBeNull();
      expect(await store.read(sha, 'thumb')).toBeNull();
      expect(store.pathOf(sha, 'original')).toBeNull();
    }
    rmSync(path.join(dir, `${image.sha256}-thumb.jpg`));
    expect(await store.read(image.sha256, 'thumb')).toBeNull();
    expect(store.pathOf(image.sha256, 'thumb')).toBeNull();
    expect(await store.read(image.sha256, 'preview')).not.toBeNull();
  });

  it('serves a variant with a type, a length, immutable caching and a policy that runs nothing', () => {
    const headers = imageResponseHeaders({ body: Buffer.alloc(1234), contentType: 'image/png' });
    expect(headers).toEqual({
      'content-type': 'image/png',
      'content-length': '1234',
      'cache-control': 'private, max-age=31536000, immutable',
      'content-security-policy': "default-src 'none'",
      'x-content-type-options': 'nosniff',
    });
  });
});

describe('collect', () => {
  async function importColour(colour: fixtures.Rgb): Promise<string> {
    return (await store.importImage(await fixtures.solidPng(40, 40, colour))).sha256;
  }

  it('removes old unreferenced images and stray files, keeping referenced, recent and foreign files', async () => {
    const unreferenced = await importColour([255, 0, 0]);
    const inDraft = await importColour([0, 255, 0]);
    const inBroadcast = await importColour([0, 0, 255]);
    insertDraft('draft-1', inDraft);
    insertBroadcast('broadcast-1', inBroadcast);
    now = T0 + 2 * HOUR;
    const recent = await importColour([255, 255, 0]);
    // A crash between writing files and the row; an import's temp file; someone else's file.
    const orphan = 'a'.repeat(64);
    writeFileSync(path.join(dir, `${orphan}.jpg`), 'x');
    writeFileSync(path.join(dir, `${orphan}-thumb.jpg`), 'x');
    writeFileSync(path.join(dir, `${'b'.repeat(64)}-preview.jpg.0a1b2c.tmp`), 'x');
    writeFileSync(path.join(dir, 'notes.txt'), 'not ours');
    // A name a row does not use (a PNG beside a JPEG row).
    writeFileSync(path.join(dir, `${inDraft}.png`), 'x');
    now = T0 + 2 * HOUR + 10 * 60 * 1000;

    const removed = await store.collect();

    expect(removed).toBe(2); // the unreferenced image and the orphan
    expect(store.get(unreferenced)).toBeNull();
    expect(filesOf(unreferenced)).toEqual([]);
    expect(filesOf(orphan)).toEqual([]);
    for (const sha of [inDraft, inBroadcast, recent]) {
      expect(store.get(sha)).not.toBeNull();
      expect(filesOf(sha)).toHaveLength(4);
    }
    expect(files().filter((name) => !/^[0-9a-f]{64}/.test(name))).toEqual(['notes.txt']);
    expect(files().some((name) => name.endsWith('.tmp'))).toBe(false);

    // Past the grace period the recent one goes too; referenced ones stay while referred to.
    now = T0 + 4 * HOUR;
    expect(await store.collect()).toBe(1);
    expect(store.get(recent)).toBeNull();
    db.prepare('DELETE FROM drafts').run();
    expect(await store.collect({ graceMs: 0 })).toBe(1);
    expect(store.get(inDraft)).toBeNull();
    expect(store.get(inBroadcast)).not.toBeNull();
    expect(imageRows()).toHaveLength(1);
  });

  it('at start-up (graceMs 0) removes every unreferenced image older than now', async () => {
    const old = await importColour([10, 10, 10]);
    now += 1;
    expect(await store.collect({ graceMs: 0 })).toBe(1);
    expect(store.get(old)).toBeNull();
    expect(files()).toEqual([]);
  });

  it('gives an old image dropped again the grace of a new one', async () => {
    const input = await fixtures.solidPng(40, 40, [1, 2, 3]);
    const sha = (await store.importImage(input)).sha256;
    now = T0 + 5 * HOUR;
    expect((await store.importImage(input)).sha256).toBe(sha);
    now += 10 * 60 * 1000;

    expect(await store.collect()).toBe(0);
    expect(store.get(sha)).not.toBeNull();
    now += 2 * HOUR;
    expect(await store.collect()).toBe(1);
  });

  it('never throws: a failure is logged and counted as nothing removed', async () => {
    await importColour([9, 9, 9]);
    const errors: string[] = [];
    store = openStore({ ...silentLogger, error: (message) => errors.push(message) });
    db.close();

    await expect(store.collect({ graceMs: 0 })).resolves.toBe(0);
    expect(errors).toEqual(['images: collection failed']);
    db = openDatabase(path.join(path.dirname(dir), 'omo.sqlite'));
  });

  it('waits for an import in progress instead of taking its files for strays', async () => {
    const importing = store.importImage(await fixtures.markedPng(1600, 1200));
    let settled = false;
    const done = importing.then(
      (image) => ((settled = true), image),
      (error: unknown) => {
        settled = true;
        throw error;
      },
    );
    // Start collecting once the import has begun writing files but before its row exists.
    while (!settled && files().length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(imageRows()).toEqual([]);
    const collecting = store.collect({ graceMs: 0 });

    const image = await done;

    expect(await collecting).toBe(0);
    expect(filesOf(image.sha256)).toHaveLength(4);
    expect(files().some((name) => name.endsWith('.tmp'))).toBe(false);
    expect(store.get(image.sha256)).toEqual(image);
  });
});

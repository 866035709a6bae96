/**
 * Image fixtures generated in code (deterministic: seeded noise, fixed colours), for the composer's intake tests and
 * benchmark. Each is small to build; the few that stand for huge inputs are crafted so they stay tiny on disk.
 */
import { deflateSync } from 'node:zlib';
import sharp, { type SharpOptions } from 'sharp';

export type Rgb = readonly [number, number, number];

/** A small seeded generator (LCG): the same fixture bytes on every run. */
export function seededBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let state = seed >>> 0;
  for (let index = 0; index < length; index += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

function rawInput(width: number, height: number, channels: 3 | 4): SharpOptions {
  return { raw: { width, height, channels } };
}

/** Raw RGB pixels of one colour with a `size`-pixel square of `marker` in the top-left corner. */
function markedPixels(width: number, height: number, background: Rgb, marker: Rgb, size: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const colour = x < size && y < size ? marker : background;
      data.set(colour, (y * width + x) * 3);
    }
  }
  return data;
}

export async function solidPng(width: number, height: number, colour: Rgb = [40, 120, 200]): Promise<Buffer> {
  const [r, g, b] = colour;
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).png().toBuffer();
}

/** A PNG with a red marker in the top-left corner on grey. */
export async function markedPng(width: number, height: number): Promise<Buffer> {
  return sharp(markedPixels(width, height, [128, 128, 128], [255, 0, 0], 16), rawInput(width, height, 3))
    .png()
    .toBuffer();
}

export const FIXTURE_CAMERA = { make: 'OmoTestCam', model: 'Leak-O-Matic 3000' } as const;

/**
 * A JPEG whose stored pixels are `width` × `height` (landscape) with a red marker in their top-left corner, tagged
 * with EXIF orientation 6 (display rotated 90° clockwise: portrait, marker top-right), a camera make/model, GPS
 * coordinates, XMP and an IPTC-like comment — all of which must disappear.
 */
export async function exifRotatedJpeg(width = 400, height = 300): Promise<Buffer> {
  return sharp(markedPixels(width, height, [128, 128, 128], [255, 0, 0], 40), rawInput(width, height, 3))
    .jpeg({ quality: 92 })
    .withExif({
      IFD0: { Make: FIXTURE_CAMERA.make, Model: FIXTURE_CAMERA.model },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '25/1 2/1 3/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '121/1 33/1 54/1',
      },
    })
    .withXmp(
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="OmoSecretPhotographer"/>' +
        '</rdf:RDF></x:xmpmeta>',
    )
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/**
 * The tags of a TIFF IFD in an EXIF block as read by sharp (`Exif\0\0` + TIFF header), and whether a GPS IFD with
 * at least one entry hangs off IFD0 — so a fixture can prove it really carries GPS before a test relies on it.
 */
export function exifGpsTagCount(exif: Buffer): number {
  const tiff = exif.subarray(exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0);
  const little = tiff.subarray(0, 2).toString('latin1') === 'II';
  const u16 = (offset: number): number => (little ? tiff.readUInt16LE(offset) : tiff.readUInt16BE(offset));
  const u32 = (offset: number): number => (little ? tiff.readUInt32LE(offset) : tiff.readUInt32BE(offset));
  const ifd0 = u32(4);
  const entries = u16(ifd0);
  for (let index = 0; index < entries; index += 1) {
    const entry = ifd0 + 2 + index * 12;
    if (u16(entry) === 0x8825) return u16(u32(entry + 8));
  }
  return 0;
}

export async function webp(width: number, height: number, colour: Rgb = [0, 160, 80]): Promise<Buffer> {
  const [r, g, b] = colour;
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).webp({ quality: 90 }).toBuffer();
}

export async function avif(width: number, height: number, colour: Rgb = [200, 60, 140]): Promise<Buffer> {
  const [r, g, b] = colour;
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .avif({ quality: 60, effort: 0 })
    .toBuffer();
}

/** Two frames: pure red, then pure blue. */
export async function animatedGif(width = 60, height = 40): Promise<Buffer> {
  const frame = (r: number, g: number, b: number): Promise<Buffer> =>
    sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).png().toBuffer();
  return sharp([await frame(255, 0, 0), await frame(0, 0, 255)], { join: { animated: true } })
    .gif({ delay: [100, 100], loop: 0 })
    .toBuffer();
}

/** Left half fully transparent, right half opaque green. */
export async function alphaPng(width = 200, height = 100): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = width / 2; x < width; x += 1) data.set([0, 200, 0, 255], (y * width + x) * 4);
  }
  return sharp(data, rawInput(width, height, 4)).png().toBuffer();
}

/** An RGBA PNG whose alpha channel is 255 everywhere: has an alpha channel, no transparency. */
export async function opaqueRgbaPng(width = 120, height = 80): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 1 } } })
    .png()
    .toBuffer();
}

/** A 16-bit RGB PNG (decoded to 8 bits by the intake). */
export async function png16(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 250, g: 100, b: 0 } } })
    .toColourspace('rgb16')
    .png()
    .toBuffer();
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A real, valid decompression bomb: a 1-bit greyscale PNG of `width` × `height` black pixels (10001 × 10000 is
 * 100,010,000 pixels: 300 MB as RGB once decoded) that is about 12 KB on disk.
 */
export function pngBomb(width = 10_001, height = 10_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.alloc((1 + Math.ceil(width / 8)) * height); // filter 0, all-zero bits
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A PNG header claiming `width` × `height` RGB pixels followed by a few bytes of data that cannot fill them: only a
 * check of the header before decoding refuses it as too many pixels (a decode would call it corrupt).
 */
export function pngHeaderClaiming(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A valid PNG of exactly `totalBytes`: a small image plus a private ancillary chunk (`omoP`) that decoders skip.
 */
export async function paddedPng(totalBytes: number): Promise<Buffer> {
  const small = await solidPng(32, 32, [250, 200, 0]);
  const iend = small.subarray(small.length - 12);
  const padding = totalBytes - small.length - 12;
  if (padding < 0) throw new Error('paddedPng: total too small');
  return Buffer.concat([small.subarray(0, small.length - 12), pngChunk('omoP', Buffer.alloc(padding, 0x5a)), iend]);
}

export async function jpeg(width: number, height: number, colour: Rgb = [30, 90, 160]): Promise<Buffer> {
  const [r, g, b] = colour;
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).jpeg({ quality: 90 }).toBuffer();
}

/** A JPEG cut at 60 % of its length: a download that stopped half-way. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await sharp(seededBytes(300 * 200 * 3, 11), rawInput(300, 200, 3)).jpeg({ quality: 90 }).toBuffer();
  return whole.subarray(0, Math.floor(whole.length * 0.6));
}

/** A PNG cut at 60 % of its length. */
export async function truncatedPng(): Promise<Buffer> {
  const whole = await sharp(seededBytes(200 * 200 * 3, 12), rawInput(200, 200, 3)).png().toBuffer();
  return whole.subarray(0, Math.floor(whole.length * 0.6));
}

export const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><script>alert(1)</script>' +
    '<rect width="100" height="100" fill="red"/></svg>',
);

export const TEXT = Buffer.from('Dear customer, this is not a picture.\n'.repeat(20));

export async function tiff(width = 40, height = 30): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 1, g: 2, b: 3 } } }).tiff().toBuffer();
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(8 + body.length);
  return Buffer.concat([size, Buffer.from(type, 'latin1'), body]);
}

function fullBox(type: string, version: number, ...payload: Buffer[]): Buffer {
  return box(type, Buffer.from([version, 0, 0, 0]), ...payload);
}

function u16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value);
  return bytes;
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/**
 * A structurally valid HEIC (HEVC-coded still image, as iPhones save) of `width` × `height` whose coded data is a
 * stub: enough for a HEIF reader to report "heif, hevc, width × height", which is as far as a build without an
 * HEVC decoder gets with a real one.
 */
export function heicStub(width = 64, height = 48): Buffer {
  const ftyp = box('ftyp', Buffer.from('heic', 'latin1'), u32(0), Buffer.from('mif1heic', 'latin1'));
  // HEVCDecoderConfigurationRecord: version 1, Main profile, level 3.0, 4:2:0, 8-bit, 4-byte NAL lengths, no arrays.
  const hvcC = box(
    'hvcC',
    Buffer.from([1, 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 90, 0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 0]),
  );
  const ispe = fullBox('ispe', 0, u32(width), u32(height));
  const ipco = box('ipco', hvcC, ispe);
  const ipma = fullBox('ipma', 0, u32(1), u16(1), Buffer.from([2, 0x81, 0x02]));
  const iprp = box('iprp', ipco, ipma);
  const hdlr = fullBox('hdlr', 0, u32(0), Buffer.from('pict', 'latin1'), Buffer.alloc(12), Buffer.from([0]));
  const pitm = fullBox('pitm', 0, u16(1));
  const infe = fullBox('infe', 2, u16(1), u16(0), Buffer.from('hvc1', 'latin1'), Buffer.from([0]));
  const iinf = fullBox('iinf', 0, u16(1), infe);
  const coded = Buffer.concat([u32(8), Buffer.from([0x26, 0x01, 0xaf, 0x00, 0x00, 0x00, 0x00, 0x00])]);
  const makeMeta = (offset: number): Buffer => {
    const iloc = fullBox(
      'iloc',
      0,
      Buffer.from([0x44, 0x00]),
      u16(1),
      u16(1),
      u16(0),
      u16(1),
      u32(offset),
      u32(coded.length),
    );
    return fullBox('meta', 0, hdlr, pitm, iloc, iinf, iprp);
  };
  const offset = ftyp.length + makeMeta(0).length + 8;
  return Buffer.concat([ftyp, makeMeta(offset), box('mdat', coded)]);
}

/**
 * Noise that PNG compresses and JPEG cannot: a 64 × 64 random tile repeated. Each 8 × 8 JPEG block is noise, while
 * deflate finds every row's 192-byte period. 4096 × 4096 is ≈ 1 MB as PNG and ≈ 14 MB as a q90 JPEG.
 */
export async function tiledNoisePng(size = 4096, tile = 64): Promise<Buffer> {
  const tileBytes = seededBytes(tile * tile * 3, 5);
  const data = Buffer.allocUnsafe(size * size * 3);
  for (let y = 0; y < size; y += 1) {
    const tileRow = (y % tile) * tile * 3;
    for (let x = 0; x < size; x += tile) {
      const width = Math.min(tile, size - x);
      tileBytes.copy(data, (y * size + x) * 3, tileRow, tileRow + width * 3);
    }
  }
  return sharp(data, rawInput(size, size, 3)).png({ compressionLevel: 6 }).toBuffer();
}

/**
 * A camera-like photo: smooth gradients and shapes with sensor-like noise (±12), as a q90 JPEG. 4000 × 3000 is
 * ≈ 3.4 MB, in the range of a 12-megapixel phone photo.
 */
export async function photoLikeJpeg(width = 4000, height = 3000, quality = 90): Promise<Buffer> {
  const noise = seededBytes(width * height, 3);
  const data = Buffer.allocUnsafe(width * height * 3);
  const clamp = (value: number): number => (value < 0 ? 0 : value > 255 ? 255 : value);
  for (let y = 0; y < height; y += 1) {
    const wave = Math.cos(y / 90);
    for (let x = 0; x < width; x += 1) {
      const index = y * width + x;
      const grain = ((noise[index] ?? 0) % 25) - 12;
      const offset = index * 3;
      data[offset] = clamp((x * 255) / width + grain);
      data[offset + 1] = clamp((y * 255) / height + grain);
      data[offset + 2] = clamp(128 + 60 * Math.sin(x / 150) * wave + grain);
    }
  }
  return sharp(data, rawInput(width, height, 3)).jpeg({ quality }).toBuffer();
}

/** The RGB(A) of one pixel of an encoded image. */
export async function pixelAt(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const offset = (y * info.width + x) * info.channels;
  return [...data.subarray(offset, offset + info.channels)];
}

/**
 * The markers of a JPEG's header segments, up to the start of scan (e.g. 0xe0 APP0, 0xe1 APP1 = EXIF/XMP, 0xed
 * APP13 = IPTC, 0xe2 APP2 = ICC).
 */
export function jpegHeaderMarkers(jpegBytes: Buffer): number[] {
  const markers: number[] = [];
  let offset = 2;
  while (offset + 4 <= jpegBytes.length && jpegBytes[offset] === 0xff) {
    const marker = jpegBytes[offset + 1] ?? 0;
    markers.push(marker);
    if (marker === 0xda) break;
    offset += 2 + jpegBytes.readUInt16BE(offset + 2);
  }
  return markers;
}

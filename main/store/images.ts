import type { Database } from './db';
import { statementsFor } from './statements';

/** One composed image as stored (migration 3): which variants exist and how big they are. */
export interface ImageRow {
  sha256: string;
  /** The LINE original's format. */
  format: 'jpeg' | 'png';
  width: number;
  height: number;
  /** Sizes in bytes of the original, the LINE preview and the WhatsApp variant. */
  bytes: number;
  previewBytes: number;
  whatsappFormat: 'jpeg' | 'png';
  whatsappBytes: number;
  /** What the user dropped: its format (jpeg, png, webp, gif, avif, heic) and size. */
  sourceFormat: string;
  sourceBytes: number;
  createdAt: number;
}

const COLUMNS = `sha256, format, width, height, bytes, preview_bytes AS previewBytes,
  whatsapp_format AS whatsappFormat, whatsapp_bytes AS whatsappBytes,
  source_format AS sourceFormat, source_bytes AS sourceBytes, created_at AS createdAt`;

const statements = statementsFor((db: Database) => ({
  // OR IGNORE: content-addressed, so a second insert of the same sha describes the same files.
  insert: db.prepare<[ImageRow]>(
    `INSERT OR IGNORE INTO images (sha256, format, width, height, bytes, preview_bytes, whatsapp_format,
       whatsapp_bytes, source_format, source_bytes, created_at)
     VALUES (@sha256, @format, @width, @height, @bytes, @previewBytes, @whatsappFormat,
       @whatsappBytes, @sourceFormat, @sourceBytes, @createdAt)`,
  ),
  get: db.prepare<[string], ImageRow>(`SELECT ${COLUMNS} FROM images WHERE sha256 = ?`),
  listUnreferenced: db
    .prepare<[number], string>(
      `SELECT sha256 FROM images
       WHERE created_at < ?
         AND NOT EXISTS (SELECT 1 FROM drafts WHERE drafts.image_sha256 = images.sha256)
         AND NOT EXISTS (SELECT 1 FROM broadcasts WHERE broadcasts.image_sha256 = images.sha256)
       ORDER BY sha256`,
    )
    .pluck(),
  delete: db.prepare<[string]>('DELETE FROM images WHERE sha256 = ?'),
  listShas: db.prepare<[], string>('SELECT sha256 FROM images ORDER BY sha256').pluck(),
}));

/** Stores a row; false when an image with this sha was already there (the row is left as it was). */
export function insertImage(db: Database, row: ImageRow): boolean {
  return statements(db).insert.run(row).changes > 0;
}

export function getImage(db: Database, sha256: string): ImageRow | undefined {
  return statements(db).get.get(sha256);
}

/** Images created before `createdBefore` that no draft and no broadcast refers to. */
export function listUnreferencedImages(db: Database, createdBefore: number): string[] {
  return statements(db).listUnreferenced.all(createdBefore);
}

export function deleteImage(db: Database, sha256: string): boolean {
  return statements(db).delete.run(sha256).changes > 0;
}

export function listImageShas(db: Database): string[] {
  return statements(db).listShas.all();
}

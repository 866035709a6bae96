import type { Database } from './db';
import { statementsFor } from './statements';

/**
 * A draft as stored. `whatsapp` and `selection` are JSON text whose shapes belong to the contract (WhatsAppDraft, a
 * list of event ids): the store keeps them whole and the caller parses what it reads.
 */
export interface DraftRow {
  id: string;
  text: string;
  imageSha256: string | null;
  /** The name of the file the image came from (shown to the user). */
  imageName: string | null;
  whatsapp: string | null;
  selection: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The list's columns: no selection (it may hold 100,000 ids), only how many it holds. */
export interface DraftListRow {
  id: string;
  text: string;
  imageSha256: string | null;
  whatsapp: string | null;
  selectionCount: number | null;
  updatedAt: number;
}

/** Fields a save may change; absent ones stay as they are. */
export interface DraftPatch {
  text?: string;
  image?: { sha256: string; name: string } | null;
  whatsapp?: string | null;
  selection?: string | null;
}

const COLUMNS = `id, text, image_sha256 AS imageSha256, image_name AS imageName,
  whatsapp, selection, created_at AS createdAt, updated_at AS updatedAt`;

const statements = statementsFor((db: Database) => ({
  list: db.prepare<[], DraftListRow>(
    `SELECT id, text, image_sha256 AS imageSha256, whatsapp,
       CASE WHEN selection IS NULL THEN NULL ELSE json_array_length(selection) END AS selectionCount,
       updated_at AS updatedAt
     FROM drafts ORDER BY updated_at DESC, id`,
  ),
  get: db.prepare<[string], DraftRow>(`SELECT ${COLUMNS} FROM drafts WHERE id = ?`),
  insert: db.prepare<[DraftRow]>(
    `INSERT INTO drafts (id, text, image_sha256, image_name, whatsapp, selection, created_at, updated_at)
     VALUES (@id, @text, @imageSha256, @imageName, @whatsapp, @selection, @createdAt, @updatedAt)`,
  ),
  update: db.prepare<[DraftRow]>(
    `UPDATE drafts SET text = @text, image_sha256 = @imageSha256, image_name = @imageName,
       whatsapp = @whatsapp, selection = @selection, updated_at = @updatedAt
     WHERE id = @id`,
  ),
  delete: db.prepare<[string]>('DELETE FROM drafts WHERE id = ?'),
}));

/** Newest edit first, without the selections' ids. */
export function listDrafts(db: Database): DraftListRow[] {
  return statements(db).list.all();
}

export function getDraft(db: Database, id: string): DraftRow | undefined {
  return statements(db).get.get(id);
}

export function insertDraft(db: Database, row: DraftRow): void {
  statements(db).insert.run(row);
}

/**
 * Applies a patch to a draft in one transaction (read, merge, write), so two saves never interleave half of each.
 * Returns the updated row, or undefined when no draft has that id (it was deleted meanwhile).
 */
export function patchDraft(db: Database, id: string, patch: DraftPatch, updatedAt: number): DraftRow | undefined {
  return db.transaction((): DraftRow | undefined => {
    const current = statements(db).get.get(id);
    if (!current) return undefined;
    const next: DraftRow = { ...current, updatedAt };
    if (patch.text !== undefined) next.text = patch.text;
    if (patch.image !== undefined) {
      next.imageSha256 = patch.image?.sha256 ?? null;
      next.imageName = patch.image?.name ?? null;
    }
    if (patch.whatsapp !== undefined) next.whatsapp = patch.whatsapp;
    if (patch.selection !== undefined) next.selection = patch.selection;
    statements(db).update.run(next);
    return next;
  }).immediate();
}

export function deleteDraft(db: Database, id: string): boolean {
  return statements(db).delete.run(id).changes > 0;
}

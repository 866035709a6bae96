import type { Database } from './db';
import { statementsFor } from './statements';

export interface DraftRow {
  id: string;
  text: string;
  createdAt: number;
  updatedAt: number;
}

// Aliases map snake_case columns to the camelCase row type in SQL, so rows need no copying.
const COLUMNS = 'id, text, created_at AS createdAt, updated_at AS updatedAt';

const statements = statementsFor((db: Database) => ({
  list: db.prepare<[], DraftRow>(`SELECT ${COLUMNS} FROM drafts ORDER BY updated_at DESC, id`),
  get: db.prepare<[string], DraftRow>(`SELECT ${COLUMNS} FROM drafts WHERE id = ?`),
  insert: db.prepare<[DraftRow]>(
    'INSERT INTO drafts (id, text, created_at, updated_at) VALUES (@id, @text, @createdAt, @updatedAt)',
  ),
  updateText: db.prepare<[string, number, string], DraftRow>(
    `UPDATE drafts SET text = ?, updated_at = ? WHERE id = ? RETURNING ${COLUMNS}`,
  ),
  delete: db.prepare<[string]>('DELETE FROM drafts WHERE id = ?'),
}));

/** Newest edit first. */
export function listDrafts(db: Database): DraftRow[] {
  return statements(db).list.all();
}

export function getDraft(db: Database, id: string): DraftRow | undefined {
  return statements(db).get.get(id);
}

export function insertDraft(db: Database, row: DraftRow): void {
  statements(db).insert.run(row);
}

/** Returns the updated row, or undefined when no draft has that id (it was deleted meanwhile). */
export function updateDraftText(db: Database, id: string, text: string, updatedAt: number): DraftRow | undefined {
  return statements(db).updateText.get(text, updatedAt, id);
}

export function deleteDraft(db: Database, id: string): boolean {
  return statements(db).delete.run(id).changes > 0;
}

import type { Database } from './db';
import { statementsFor } from './statements';

/**
 * The WhatsApp template cache (migration 3): each number's templates as Meta last listed them, so drafts can be
 * composed offline. `components` is Meta's JSON text, kept whole; the caller parses what it reads.
 */
export interface TemplateRow {
  phoneNumberId: string;
  name: string;
  language: string;
  templateId: string;
  status: string;
  category: string | null;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: string;
}

/** When a number's templates were last fetched, and why the last attempt failed (if it did). */
export interface TemplateFetchRow {
  phoneNumberId: string;
  fetchedAt: number | null;
  error: string | null;
  attemptedAt: number;
}

const COLUMNS = `phone_number_id AS phoneNumberId, name, language, template_id AS templateId, status, category,
  parameter_format AS parameterFormat, components`;

const statements = statementsFor((db: Database) => ({
  // APPROVED first (what can be sent), then by name and language.
  list: db.prepare<[string], TemplateRow>(
    `SELECT ${COLUMNS} FROM whatsapp_templates WHERE phone_number_id = ?
     ORDER BY status <> 'APPROVED', name, language`,
  ),
  get: db.prepare<[string, string, string], TemplateRow>(
    `SELECT ${COLUMNS} FROM whatsapp_templates WHERE phone_number_id = ? AND name = ? AND language = ?`,
  ),
  deleteForNumber: db.prepare<[string]>('DELETE FROM whatsapp_templates WHERE phone_number_id = ?'),
  // Meta should never list a (name, language) twice; if it does, the first one listed stays.
  insert: db.prepare<[TemplateRow]>(
    `INSERT INTO whatsapp_templates
       (phone_number_id, name, language, template_id, status, category, parameter_format, components)
     VALUES (@phoneNumberId, @name, @language, @templateId, @status, @category, @parameterFormat, @components)
     ON CONFLICT (phone_number_id, name, language) DO NOTHING`,
  ),
  getFetch: db.prepare<[string], TemplateFetchRow>(
    `SELECT phone_number_id AS phoneNumberId, fetched_at AS fetchedAt, error, attempted_at AS attemptedAt
     FROM whatsapp_template_fetches WHERE phone_number_id = ?`,
  ),
  fetched: db.prepare<[{ id: string; at: number }]>(
    `INSERT INTO whatsapp_template_fetches (phone_number_id, fetched_at, error, attempted_at) VALUES (@id, @at, NULL, @at)
     ON CONFLICT (phone_number_id) DO UPDATE SET fetched_at = @at, error = NULL, attempted_at = @at`,
  ),
  failed: db.prepare<[{ id: string; error: string; at: number }]>(
    `INSERT INTO whatsapp_template_fetches (phone_number_id, fetched_at, error, attempted_at) VALUES (@id, NULL, @error, @at)
     ON CONFLICT (phone_number_id) DO UPDATE SET error = @error, attempted_at = @at`,
  ),
  clearTemplates: db.prepare('DELETE FROM whatsapp_templates'),
  clearFetches: db.prepare('DELETE FROM whatsapp_template_fetches'),
}));

/** The number's cached templates: APPROVED first, then by name and language. */
export function listTemplates(db: Database, phoneNumberId: string): TemplateRow[] {
  return statements(db).list.all(phoneNumberId);
}

export function getTemplate(db: Database, phoneNumberId: string, name: string, language: string): TemplateRow | undefined {
  return statements(db).get.get(phoneNumberId, name, language);
}

export function getTemplateFetch(db: Database, phoneNumberId: string): TemplateFetchRow | undefined {
  return statements(db).getFetch.get(phoneNumberId);
}

/** A successful fetch: the number's rows are replaced whole and the fetch recorded, in one transaction. */
export function replaceTemplates(
  db: Database,
  phoneNumberId: string,
  rows: ReadonlyArray<Omit<TemplateRow, 'phoneNumberId'>>,
  fetchedAt: number,
): void {
  const s = statements(db);
  db.transaction(() => {
    s.deleteForNumber.run(phoneNumberId);
    for (const row of rows) s.insert.run({ ...row, phoneNumberId });
    s.fetched.run({ id: phoneNumberId, at: fetchedAt });
  }).immediate();
}

/** A failed fetch: the cached rows and the last success's time stay; the error is recorded. */
export function recordTemplateFetchError(db: Database, phoneNumberId: string, error: string, attemptedAt: number): void {
  statements(db).failed.run({ id: phoneNumberId, error, at: attemptedAt });
}

/** Forgets every number's templates and fetches (sign-out, another account). */
export function clearTemplateCache(db: Database): void {
  const s = statements(db);
  db.transaction(() => {
    s.clearTemplates.run();
    s.clearFetches.run();
  }).immediate();
}

import type { Database } from './db';
import { statementsFor } from './statements';

const statements = statementsFor((db: Database) => ({
  all: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings ORDER BY key'),
  get: db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck(),
  upsert: db.prepare<[string, string, number]>(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ),
  remove: db.prepare<[string]>('DELETE FROM settings WHERE key = ?'),
}));

/** Every stored setting, as raw strings: callers parse what they read (the file is user-editable disk data). */
export function getAllSettings(db: Database): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { key, value } of statements(db).all.all()) result[key] = value;
  return result;
}

export function getSetting(db: Database, key: string): string | undefined {
  return statements(db).get.get(key);
}

/** Writes all entries in one transaction: a settings change is applied whole or not at all. */
export function setSettings(db: Database, entries: ReadonlyArray<readonly [string, string]>, now: number = Date.now()): void {
  const { upsert } = statements(db);
  db.transaction(() => {
    for (const [key, value] of entries) upsert.run(key, value, now);
  })();
}

/** Removes the keys in one transaction (absent keys are fine). */
export function deleteSettings(db: Database, keys: readonly string[]): void {
  const { remove } = statements(db);
  db.transaction(() => {
    for (const key of keys) remove.run(key);
  })();
}

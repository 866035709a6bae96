import BetterSqlite3 from 'better-sqlite3';
import { type Logger, silentLogger } from '../log';
import { StoreError } from './errors';
import { SCHEMA_VERSION, applyMigrations, newerVersionError, readUserVersion } from './migrations';

export type Database = BetterSqlite3.Database;
export { StoreError, type StoreErrorCode } from './errors';
export { SCHEMA_VERSION } from './migrations';

export interface OpenOptions {
  logger?: Logger;
  /** Read-only: no pragma that writes, no migration; the file must exist and already be at SCHEMA_VERSION. */
  readonly?: boolean;
}

/** SQLite's answers for "this is not a healthy database file". */
const CORRUPT_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function configure(db: Database, file: string, options: OpenOptions): void {
  // A busy writer (another window, a sync) makes us wait instead of failing at once.
  db.pragma('busy_timeout = 5000');
  // Checked before anything writes: a newer app's database must leave this version byte-for-byte untouched.
  const found = readUserVersion(db);
  if (found > SCHEMA_VERSION) throw newerVersionError(file, found, SCHEMA_VERSION);
  db.pragma('foreign_keys = ON');
  if (options.readonly === true) {
    if (found < SCHEMA_VERSION) {
      throw new StoreError(
        'migration_failed',
        `The database needs an upgrade (schema ${found} → ${SCHEMA_VERSION}) but was opened read-only: ${file}`,
      );
    }
    return;
  }
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal' && !db.memory) {
    // Not fatal (some file systems refuse WAL), but crash safety and concurrency assumptions change: say so.
    (options.logger ?? silentLogger).warn('store: WAL journal mode refused', { journalMode: String(mode) });
  }
  // NORMAL is durable against application crashes in WAL mode; only a power loss may drop the last commits.
  db.pragma('synchronous = NORMAL');
  const applied = applyMigrations(db);
  if (applied.length > 0) {
    (options.logger ?? silentLogger).info('store: migrated', { from: found, to: SCHEMA_VERSION, applied });
  }
}

/**
 * Opens (creating if needed) the app's SQLite file: WAL, foreign keys, busy timeout, then the numbered migrations.
 * Throws StoreError — 'newer_version' (file left untouched), 'corrupt' or 'migration_failed' — and never returns a
 * half-configured handle: on any failure the handle is closed first.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database {
  let db: Database;
  try {
    db = new BetterSqlite3(file, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
  } catch (error) {
    throw toStoreError(error, file);
  }
  try {
    configure(db, file, options);
    return db;
  } catch (error) {
    db.close();
    throw toStoreError(error, file);
  }
}

function toStoreError(error: unknown, file: string): unknown {
  if (error instanceof StoreError) return error;
  const code = sqliteCode(error);
  if (code !== undefined && CORRUPT_CODES.has(code)) {
    return new StoreError(
      'corrupt',
      `The database file is damaged or is not an OMO Broadcast database (${code}). Move the file aside: ${file}`,
      { cause: error },
    );
  }
  return error;
}

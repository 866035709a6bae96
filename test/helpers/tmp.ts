import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { type Database, openDatabase } from '../../main/store/db';

export interface TempDir {
  dir: string;
  cleanup(): void;
}

/** A fresh real directory under the OS temp folder; the caller removes it (use in beforeAll/afterAll or scripts). */
export function createTempDir(prefix: string): TempDir {
  const dir = mkdtempSync(path.join(tmpdir(), `omo-${prefix.replace(/[^\w-]/g, '_')}-`));
  return {
    dir,
    // retries: on Windows a just-closed SQLite handle can hold the file for a moment.
    cleanup: () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }),
  };
}

/** A fresh real directory removed when the current test finishes. Call it inside a test. */
export function makeTempDir(prefix: string): string {
  const temp = createTempDir(prefix);
  onTestFinished(() => temp.cleanup());
  return temp.dir;
}

/** The app's SQLite file (migrated) in a fresh directory; closed and removed when the current test finishes. */
export function makeTestDatabase(prefix: string): Database {
  const temp = createTempDir(prefix);
  const db = openDatabase(path.join(temp.dir, 'test.sqlite'));
  onTestFinished(() => {
    db.close();
    temp.cleanup();
  });
  return db;
}

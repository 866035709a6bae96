import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/store/db';
import { listDrafts } from '../../main/store/drafts';
import { countEvents } from '../../main/store/events';
import { type ChildOutcome, runTsChild } from '../helpers/child';
import { makeTempDir } from '../helpers/tmp';

const WRITER = fileURLToPath(new URL('./store-writer.ts', import.meta.url));
const COMMITTED_DRAFTS = 10; // store-writer.ts commits this many before the big transaction

/** Runs the writer and SIGKILLs it the moment it says "inserting" (mid-transaction). */
function runAndKill(file: string, killAfter: number): Promise<ChildOutcome<string>> {
  return runTsChild(WRITER, [file, String(killAfter)], { parse: (line) => line, killOn: (line) => line === 'inserting' });
}

describe('store survives SIGKILL in the middle of a large transaction', () => {
  it.each([1_000, 50_000, 150_000])('killed after %i uncommitted rows', async (killAfter) => {
    const file = path.join(makeTempDir('store-crash'), 'crash.sqlite');
    const outcome = await runAndKill(file, killAfter);

    expect(outcome.stderr).toBe('');
    expect(outcome.lines.slice(0, 2)).toEqual(['committed', 'inserting']);
    expect(outcome.signal).toBe('SIGKILL');
    // The dead writer left its WAL behind: recovery has work to do, and must discard the uncommitted frames.
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);

    const db = openDatabase(file);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(countEvents(db)).toBe(0);
      const drafts = listDrafts(db);
      expect(drafts).toHaveLength(COMMITTED_DRAFTS);
      expect(drafts.map((draft) => draft.text).sort()).toEqual(
        Array.from({ length: COMMITTED_DRAFTS }, (_, index) => `committed ${index}`).sort(),
      );
      // Still a working database: a new write commits and reads back.
      db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('after', 'crash', 0)").run();
      expect(db.prepare("SELECT value FROM settings WHERE key = 'after'").pluck().get()).toBe('crash');
    } finally {
      db.close();
    }
  });
});

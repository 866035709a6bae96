import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/store/db';
import { listDrafts } from '../../main/store/drafts';
import { countEvents } from '../../main/store/events';
import { makeTempDir } from '../helpers/tmp';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const WRITER = fileURLToPath(new URL('./store-writer.ts', import.meta.url));
const COMMITTED_DRAFTS = 10; // store-writer.ts commits this many before the big transaction

interface Outcome {
  lines: string[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Runs the writer and SIGKILLs it the moment it says "inserting" (mid-transaction). */
function runAndKill(file: string, killAfter: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, String(killAfter)], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (data: string) => {
      buffered += data;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        if (line === 'inserting') child.kill('SIGKILL');
        newline = buffered.indexOf('\n');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (data: string) => {
      stderr += data;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ lines, signal, code, stderr }));
  });
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

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, StoreError, openDatabase } from '../../../main/store/db';
import { type Migration, applyMigrations, migrations } from '../../../main/store/migrations';
import { countRecipientStates, listBatchRecipientIds } from '../../../main/store/outbox';
import { makeTempDir } from '../../helpers/tmp';

const TABLES = ['broadcast_batch_members', 'broadcast_batches', 'broadcast_media', 'broadcast_recipients', 'broadcast_reports', 'broadcast_totals', 'broadcasts', 'drafts', 'events', 'images', 'settings', 'sync_state', 'whatsapp_template_fetches', 'whatsapp_templates'];

function tempFile(): string {
  return path.join(makeTempDir('migrations'), 'test.sqlite');
}

function fileHash(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function expectStoreError(run: () => unknown, code: StoreError['code']): StoreError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe(code);
    return error as StoreError;
  }
  throw new Error(`expected StoreError(${code})`);
}

describe('openDatabase', () => {
  it('migrates an empty file to SCHEMA_VERSION with STRICT tables, WAL, foreign keys and a busy timeout', () => {
    const db = openDatabase(tempFile());
    try {
      expect(SCHEMA_VERSION).toBe(migrations.length);
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL

      const tables = db
        .prepare<[], { name: string; sql: string }>(
          "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all();
      expect(tables.map((table) => table.name)).toEqual(TABLES);
      for (const table of tables) expect(table.sql, table.name).toMatch(/\)\s*STRICT\s*$/);
      // The strict flag as SQLite itself reports it, not only the text we wrote.
      const strict = db.prepare<[], { name: string; strict: number }>('PRAGMA table_list').all();
      for (const name of TABLES) expect(strict.find((row) => row.name === name)?.strict, name).toBe(1);
    } finally {
      db.close();
    }
  });

  it('is a no-op when reopened at the current version', () => {
    const file = tempFile();
    openDatabase(file).close();
    const before = fileHash(file);
    const db = openDatabase(file);
    const schema = db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all();
    db.close();
    expect(fileHash(file)).toBe(before);
    const again = openDatabase(file);
    expect(again.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all()).toEqual(schema);
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    again.close();
  });

  it('refuses a database from a newer version, naming both versions and leaving the file untouched', () => {
    const file = tempFile();
    const future = SCHEMA_VERSION + 5;
    const raw = new BetterSqlite3(file);
    raw.exec("CREATE TABLE future_table (x TEXT) STRICT; INSERT INTO future_table VALUES ('keep me')");
    raw.pragma(`user_version = ${future}`);
    raw.close();
    const before = fileHash(file);

    const error = expectStoreError(() => openDatabase(file), 'newer_version');
    expect(error.message).toContain(`schema ${future}`);
    expect(error.message).toContain(`knows up to ${SCHEMA_VERSION}`);
    expect(error.message).toContain(file);

    expect(fileHash(file)).toBe(before);
    const check = new BetterSqlite3(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(future);
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    check.close();
  });

  it('reports a file that is not a database as corrupt', () => {
    const file = tempFile();
    writeFileSync(file, 'this is a text file, not SQLite '.repeat(200));
    const error = expectStoreError(() => openDatabase(file), 'corrupt');
    expect(error.message).toContain(file);
  });

  it('opens read-only without migrating, and refuses an old schema read-only', () => {
    const file = tempFile();
    openDatabase(file).close();
    const db = openDatabase(file, { readonly: true });
    expect(db.readonly).toBe(true);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();

    const old = tempFile();
    new BetterSqlite3(old).close();
    expectStoreError(() => openDatabase(old, { readonly: true }), 'migration_failed');
  });
});

describe('applyMigrations', () => {
  it('rolls back every step of a failing run, user_version included', () => {
    const db = new BetterSqlite3(tempFile());
    try {
      const list: Migration[] = [
        ...migrations,
        {
          version: migrations.length + 1,
          name: 'adds a table',
          up: (handle) => handle.exec('CREATE TABLE added_ok (x TEXT) STRICT'),
        },
        {
          version: migrations.length + 2,
          name: 'breaks',
          up: (handle) => handle.exec('CREATE TABLE broken ( STRICT'),
        },
      ];
      const error = expectStoreError(() => applyMigrations(db, list), 'migration_failed');
      expect(error.message).toContain(`Migration ${migrations.length + 2} ("breaks") failed`);
      expect(db.pragma('user_version', { simple: true })).toBe(0);
      expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all()).toEqual([]);

      // The same list minus the broken step then applies cleanly, in one go.
      expect(applyMigrations(db, list.slice(0, -1))).toEqual(list.slice(0, -1).map((m) => m.version));
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.length + 1);
    } finally {
      db.close();
    }
  });

  it('applies only the pending migrations', () => {
    const db = new BetterSqlite3(tempFile());
    try {
      const calls: number[] = [];
      const list: Migration[] = [1, 2, 3].map((version) => ({
        version,
        name: `m${version}`,
        up: () => calls.push(version),
      }));
      expect(applyMigrations(db, list.slice(0, 1))).toEqual([1]);
      expect(applyMigrations(db, list)).toEqual([2, 3]);
      expect(applyMigrations(db, list)).toEqual([]);
      expect(calls).toEqual([1, 2, 3]);
    } finally {
      db.close();
    }
  });

  it('refuses a list with a gap in its numbering', () => {
    const db = new BetterSqlite3(tempFile());
    try {
      const list: Migration[] = [
        { version: 1, name: 'one', up: () => {} },
        { version: 3, name: 'three', up: () => {} },
      ];
      expectStoreError(() => applyMigrations(db, list), 'migration_failed');
      expect(db.pragma('user_version', { simple: true })).toBe(0);
    } finally {
      db.close();
    }
  });

  it('6: moves the unanswered LINE recipients of a version-5 broadcast into their batches, keeping every count and order', () => {
    const db = new BetterSqlite3(tempFile());
    try {
      db.pragma('foreign_keys = ON');
      applyMigrations(db, migrations.slice(0, 5));
      const keys = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'];
      db.prepare(
        `INSERT INTO broadcasts (id, created_by, content, state, created_at, updated_at, expires_at) VALUES ('b1', 'u', '{}', 'sending', 1, 1, 2)`,
      ).run();
      const batch = db.prepare(`INSERT INTO broadcast_batches (broadcast_id, batch_id, channel_account, seq, state, attempts, updated_at) VALUES ('b1', ?, 'c1', ?, ?, ?, 1)`);
      batch.run(keys[0], 1, 'accepted', 1);
      batch.run(keys[1], 2, 'in_flight', 1);
      batch.run(keys[2], 3, 'pending', 0);
      const row = db.prepare(
        `INSERT INTO broadcast_recipients (broadcast_id, event_id, channel, channel_account, recipient_id, customer_name, state, reason, batch_id, updated_at)
         VALUES ('b1', ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
      );
      // Inserted out of event order: the batch keeps rowid (= request) order.
      row.run('e2', 'line', 'c1', 'U2', '客戶二', 'accepted', null, keys[0]);
      row.run('e1', 'line', 'c1', 'U1', '客戶一', 'accepted', null, keys[0]);
      row.run('e4', 'line', 'c1', 'U4', 'D', 'pending', null, keys[1]);
      row.run('e3', 'line', 'c1', 'U3', 'C', 'pending', null, keys[1]);
      row.run('e5', 'line', 'c1', 'U5', 'E', 'pending', null, keys[2]);
      row.run('e6', 'line', 'c1', 'U6', 'F', 'skipped', 'duplicate', null);
      row.run('e7', 'whatsapp', 'p1', '886900000007', 'G', 'pending', null, null);
      // Version 5 counted the rows of a batch in flight as in flight.
      expect(applyMigrations(db)).toEqual([6]);

      const counts = Object.fromEntries(countRecipientStates(db, 'b1').map((c) => [`${c.channel}.${c.state}`, c.count]));
      expect(counts).toEqual({ 'line.accepted': 2, 'line.in_flight': 2, 'line.pending': 1, 'line.skipped': 1, 'whatsapp.pending': 1 });
      expect(db.prepare(`SELECT event_id AS e FROM broadcast_recipients ORDER BY rowid`).all()).toEqual([{ e: 'e2' }, { e: 'e1' }, { e: 'e6' }, { e: 'e7' }]);
      expect(listBatchRecipientIds(db, 'b1', keys[1]!)).toEqual(['U4', 'U3']);
      expect(listBatchRecipientIds(db, 'b1', keys[2]!)).toEqual(['U5']);
      expect(db.prepare('SELECT batch_id AS k, size, outcome, packed = 0 AS written FROM broadcast_batches ORDER BY seq').all()).toEqual([
        { k: keys[0], size: 2, outcome: null, written: 1 },
        { k: keys[1], size: 2, outcome: null, written: 0 },
        { k: keys[2], size: 1, outcome: null, written: 0 },
      ]);
      expect(db.prepare(`SELECT event_id AS e, customer_name AS n, state FROM broadcast_members ORDER BY seq, position`).all()).toEqual([
        { e: 'e4', n: 'D', state: 'in_flight' },
        { e: 'e3', n: 'C', state: 'in_flight' },
        { e: 'e5', n: 'E', state: 'pending' },
      ]);
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'broadcast_recipients_by_batch'`).get()).toBeUndefined();
    } finally {
      db.close();
    }
  });
});

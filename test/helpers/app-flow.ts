import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { EventList, Result, SyncStatus } from '../../preload/contract';
import { unpackEventList } from '../../preload/contract/event-list-codec';
import { type App, DATABASE_FILE } from '../../main/app';

/** The value of an ok Result, or a test failure naming the error. */
export function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

/**
 * Waits until no LINE batch of the broadcast holds packed recipients any more: the engine writes their rows after the
 * broadcast is final (main/store/outbox.ts writePackedRows). Reads the app's database file through its own read-only
 * connection; throws after `timeoutMs`.
 */
export async function waitForRowsWritten(dataDir: string, broadcastId: string, timeoutMs: number, intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const db = new BetterSqlite3(path.join(dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
  try {
    const packed = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM broadcast_batches WHERE broadcast_id = ? AND packed = 1');
    while ((packed.get(broadcastId)?.n ?? 0) > 0) {
      if (Date.now() > deadline) throw new Error(`the rows of broadcast ${broadcastId} were not written within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    db.close();
  }
}

/** Waits until the app's first sync has finished (idle, with a last-synced time). */
export async function waitForSync(app: App, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = value<SyncStatus>(await app.dispatch('events.syncStatus', {}));
    if (status.state === 'idle' && status.lastSyncedAt !== null) return;
    if (Date.now() > deadline) throw new Error(`sync did not finish: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The in-progress event ids the app lists, per channel, newest first. */
export async function eventIdsByChannel(app: App): Promise<{ line: string[]; whatsapp: string[] }> {
  const list = unpackEventList(value<EventList>(await app.dispatch('events.list', {})));
  const line: string[] = [];
  const whatsapp: string[] = [];
  list.rows.ids.forEach((id, row) => (list.rows.channels[row] === 0 ? line : whatsapp).push(id));
  return { line, whatsapp };
}

/** A small RFC 4180 reader (CRLF rows, quoted cells with doubled quotes): what a spreadsheet does with an export. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (quoted) {
      if (char === '"' && text[at + 1] === '"') {
        cell += '"';
        at += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[at + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      at += 1;
    } else cell += char;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

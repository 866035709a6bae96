import type { Database } from './db';
import { statementsFor } from './statements';

export type SyncKind = 'full' | 'incremental';

/** A sync under way, as persisted after each applied page: enough to resume it after a crash or a cut. */
export interface SyncRun {
  kind: SyncKind;
  /** The generation every row of this run is marked with (a full sync's new generation; incremental: the current). */
  generation: number;
  /** serverTime of the run's first page: the next incremental sync's updatedSince once this run completes. */
  startedServerTime: number;
  /** The incremental run's filter (null for a full sync); a resumed page must use the same one as its cursor. */
  updatedSince: number | null;
  /** The cursor of the next page to fetch; null before the first page. */
  cursor: string | null;
  /** Pages applied so far by this run. */
  pages: number;
  /** Items received and malformed items skipped so far by this run. */
  fetched: number;
  skipped: number;
}

/** The single sync_state row (migration 2). */
export interface SyncStateRow {
  /** Bumped by every change of the events cache. */
  version: number;
  /** The generation of the last completed full sync. */
  generation: number;
  /** serverTime of the first page of the last completed sync; null: no sync ever completed (next one is full). */
  lastServerTime: number | null;
  /** Local time the last sync completed ("last synced …"). */
  lastSyncedAt: number | null;
  lastFullSyncAt: number | null;
  run: SyncRun | null;
}

interface SyncStateRecord {
  version: number;
  generation: number;
  lastServerTime: number | null;
  lastSyncedAt: number | null;
  lastFullSyncAt: number | null;
  runKind: string | null;
  runGeneration: number | null;
  runStartedServerTime: number | null;
  runUpdatedSince: number | null;
  runCursor: string | null;
  runPages: number;
  runFetched: number;
  runSkipped: number;
}

type WriteParams = [
  version: number,
  generation: number,
  lastServerTime: number | null,
  lastSyncedAt: number | null,
  lastFullSyncAt: number | null,
  runKind: SyncKind | null,
  runGeneration: number | null,
  runStartedServerTime: number | null,
  runUpdatedSince: number | null,
  runCursor: string | null,
  runPages: number,
  runFetched: number,
  runSkipped: number,
];

const statements = statementsFor((db: Database) => ({
  read: db.prepare<[], SyncStateRecord>(
    `SELECT version, generation, last_server_time AS lastServerTime, last_synced_at AS lastSyncedAt,
       last_full_sync_at AS lastFullSyncAt, run_kind AS runKind, run_generation AS runGeneration,
       run_started_server_time AS runStartedServerTime, run_updated_since AS runUpdatedSince,
       run_cursor AS runCursor, run_pages AS runPages, run_fetched AS runFetched, run_skipped AS runSkipped
     FROM sync_state WHERE id = 1`,
  ),
  // An upsert, so a row deleted by hand (the file is user-editable) is simply recreated.
  write: db.prepare<WriteParams>(
    `INSERT INTO sync_state (id, version, generation, last_server_time, last_synced_at, last_full_sync_at, run_kind,
       run_generation, run_started_server_time, run_updated_since, run_cursor, run_pages, run_fetched, run_skipped)
     VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       version = excluded.version, generation = excluded.generation, last_server_time = excluded.last_server_time,
       last_synced_at = excluded.last_synced_at, last_full_sync_at = excluded.last_full_sync_at,
       run_kind = excluded.run_kind, run_generation = excluded.run_generation,
       run_started_server_time = excluded.run_started_server_time, run_updated_since = excluded.run_updated_since,
       run_cursor = excluded.run_cursor, run_pages = excluded.run_pages, run_fetched = excluded.run_fetched,
       run_skipped = excluded.run_skipped`,
  ),
}));

export const EMPTY_SYNC_STATE: SyncStateRow = {
  version: 0,
  generation: 0,
  lastServerTime: null,
  lastSyncedAt: null,
  lastFullSyncAt: null,
  run: null,
};

function runOf(record: SyncStateRecord): SyncRun | null {
  const kind = record.runKind;
  if ((kind !== 'full' && kind !== 'incremental') || record.runGeneration === null || record.runStartedServerTime === null) {
    return null;
  }
  // An incremental run without its filter cannot be resumed consistently: dropped, the next sync starts over.
  if (kind === 'incremental' && record.runUpdatedSince === null) return null;
  return {
    kind,
    generation: record.runGeneration,
    startedServerTime: record.runStartedServerTime,
    updatedSince: kind === 'incremental' ? record.runUpdatedSince : null,
    cursor: record.runCursor,
    pages: record.runPages,
    fetched: record.runFetched,
    skipped: record.runSkipped,
  };
}

export function readSyncState(db: Database): SyncStateRow {
  const record = statements(db).read.get();
  if (record === undefined) return { ...EMPTY_SYNC_STATE };
  return {
    version: record.version,
    generation: record.generation,
    lastServerTime: record.lastServerTime,
    lastSyncedAt: record.lastSyncedAt,
    lastFullSyncAt: record.lastFullSyncAt,
    run: runOf(record),
  };
}

/** Replaces the row. Callers changing events too wrap both in one transaction (see main/inbox/sync.ts). */
export function writeSyncState(db: Database, state: SyncStateRow): void {
  const { run } = state;
  statements(db).write.run(
    state.version,
    state.generation,
    state.lastServerTime,
    state.lastSyncedAt,
    state.lastFullSyncAt,
    run?.kind ?? null,
    run?.generation ?? null,
    run?.startedServerTime ?? null,
    run?.updatedSince ?? null,
    run?.cursor ?? null,
    run?.pages ?? 0,
    run?.fetched ?? 0,
    run?.skipped ?? 0,
  );
}

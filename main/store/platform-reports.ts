import type { Database } from './db';
import { statementsFor } from './statements';

/**
 * The `broadcast_reports` table (migration 5): the report of each finished broadcast to the platform
 * (PUT /v1/broadcasts/{id}), queued here until the platform accepts it. The body is written once, when queued, and
 * never changes: every retry sends the very same request.
 */

export type PlatformReportState = 'pending' | 'reported';

export interface PlatformReportRow {
  broadcastId: string;
  /** The report body as JSON text, fixed when queued. */
  body: string;
  state: PlatformReportState;
  /** PUTs tried, whatever their answer. */
  attempts: number;
  /** When a pending report may be tried next (epoch ms). */
  nextAttemptAt: number;
  /** The last failure's code (the Inbox API's error code, or the client's error kind); null after a clean success. */
  lastError: string | null;
  reportedAt: number | null;
  createdAt: number;
}

const COLUMNS = `broadcast_id AS broadcastId, body, state, attempts, next_attempt_at AS nextAttemptAt,
  last_error AS lastError, reported_at AS reportedAt, created_at AS createdAt`;

/** The sender of a report is its body's senderId: only that user's token may report it. */
const SENDER = `json_extract(body, '$.senderId')`;

const statements = statementsFor((db: Database) => ({
  insert: db.prepare<{ broadcastId: string; body: string; now: number }>(
    `INSERT INTO broadcast_reports (broadcast_id, body, state, attempts, next_attempt_at, created_at)
     VALUES (@broadcastId, @body, 'pending', 0, @now, @now)
     ON CONFLICT (broadcast_id) DO NOTHING`,
  ),
  get: db.prepare<[string], PlatformReportRow>(`SELECT ${COLUMNS} FROM broadcast_reports WHERE broadcast_id = ?`),
  nextDue: db.prepare<{ senderId: string; now: number }, PlatformReportRow>(
    `SELECT ${COLUMNS} FROM broadcast_reports
     WHERE state = 'pending' AND next_attempt_at <= @now AND ${SENDER} = @senderId
     ORDER BY next_attempt_at, created_at, broadcast_id
     LIMIT 1`,
  ),
  earliestPending: db.prepare<[string], { at: number | null }>(
    `SELECT min(next_attempt_at) AS at FROM broadcast_reports WHERE state = 'pending' AND ${SENDER} = ?`,
  ),
  markReported: db.prepare<{ broadcastId: string; at: number; lastError: string | null }>(
    `UPDATE broadcast_reports
     SET state = 'reported', attempts = attempts + 1, reported_at = @at, last_error = @lastError
     WHERE broadcast_id = @broadcastId AND state = 'pending'`,
  ),
  recordFailure: db.prepare<{ broadcastId: string; nextAttemptAt: number; lastError: string }>(
    `UPDATE broadcast_reports
     SET attempts = attempts + 1, next_attempt_at = @nextAttemptAt, last_error = @lastError
     WHERE broadcast_id = @broadcastId AND state = 'pending'`,
  ),
  countPending: db.prepare<[], { count: number }>(`SELECT count(*) AS count FROM broadcast_reports WHERE state = 'pending'`),
}));

/** Queues a report; false (and nothing changed) when one is already queued or sent for that broadcast. */
export function insertPlatformReport(db: Database, report: { broadcastId: string; body: string; now: number }): boolean {
  return statements(db).insert.run(report).changes === 1;
}

export function getPlatformReport(db: Database, broadcastId: string): PlatformReportRow | undefined {
  return statements(db).get.get(broadcastId);
}

/** The pending report of `senderId` due first at `now`, if any. */
export function nextDuePlatformReport(db: Database, senderId: string, now: number): PlatformReportRow | undefined {
  return statements(db).nextDue.get({ senderId, now });
}

/** When the next pending report of `senderId` falls due (null: none pending). */
export function earliestPendingPlatformReport(db: Database, senderId: string): number | null {
  return statements(db).earliestPending.get(senderId)?.at ?? null;
}

/** The platform holds the report (lastError: 'conflict' when it holds a different one under that id). */
export function markPlatformReportReported(db: Database, broadcastId: string, at: number, lastError: string | null = null): void {
  statements(db).markReported.run({ broadcastId, at, lastError });
}

export function recordPlatformReportFailure(db: Database, broadcastId: string, failure: { nextAttemptAt: number; lastError: string }): void {
  statements(db).recordFailure.run({ broadcastId, ...failure });
}

export function countPendingPlatformReports(db: Database): number {
  return statements(db).countPending.get()?.count ?? 0;
}

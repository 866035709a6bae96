/**
 * 發送紀錄 and 導購連結報表, fully offline (issue 7): main/app.ts creates one with createReports, calls
 * backfillTotals() once at start-up, and recordTotals(id) when a broadcast is final and settled.
 */
import type {
  BroadcastDetail,
  BroadcastProgress,
  ExportedCsv,
  HistoryPage,
  HistoryQuery,
  Language,
  RecipientsPage,
  RecipientsQuery,
  ReferralReport,
  ReportQuery,
  ReportSync,
} from '../../preload/contract';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import type { Database } from '../store/db';
import { exportRecipientsCsv } from './csv';
import { getBroadcastDetail, listHistoryPage, listRecipientsPage } from './history';
import { type RecordedTotals, backfillTotals, buildReport, recordTotals } from './report';

export interface ReportsDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** The live progress of a broadcast still sending (the outbox's in-memory counters), or null when it is not active. */
  live(id: string): BroadcastProgress | null;
}

export interface Reports {
  /** Newest first; keyset cursor (created_at, id). Throws AppFailure('invalid_input') for a cursor it did not give. */
  list(query: HistoryQuery): HistoryPage;
  /** AppFailure('not_found'). `report` is the platform report's state (the platform reporter owns it). */
  get(id: string, report: ReportSync): BroadcastDetail;
  /** AppFailure('not_found') for an unknown broadcast. Rows by state, then in snapshot order. */
  recipients(query: RecipientsQuery): RecipientsPage;
  /** UTF-8 with BOM, CRLF, formula cells neutralised; times in Asia/Taipei (+08:00). AppFailure('not_found'). */
  exportCsv(id: string, language: Language): ExportedCsv;
  /**
   * Counters by day (in the user's UTC offset, of the broadcast's started_at, else created_at), channel and sender;
   * `unreportedOnly` limits to broadcasts whose broadcast_reports row is not 'reported' (the platform has the rest).
   */
  report(query: ReportQuery, options?: { unreportedOnly?: boolean }): Pick<ReferralReport, 'rows' | 'totals'>;
  /**
   * Writes broadcast_totals for a broadcast in a final state (idempotent: replaces); its counters as the platform
   * report needs them (channels with recipients). AppFailure('not_found'); AppFailure('broadcast_active') while it
   * is not final, or final with recipients still pending or in flight (a cancel's sweep; requests finishing).
   */
  recordTotals(id: string): RecordedTotals[];
  /** Start-up: totals for final, settled broadcasts that have none. Returns how many were written. */
  backfillTotals(): number;
}

export function createReports(deps: ReportsDeps): Reports {
  const { db, logger } = deps;
  const sources = { db, logger, live: (id: string) => deps.live(id) };
  return {
    list: (query) => listHistoryPage(sources, query),
    get: (id, report) => getBroadcastDetail(sources, id, report),
    recipients: (query) => listRecipientsPage(sources, query),
    exportCsv: (id, language) => exportRecipientsCsv(db, id, language),
    report: (query, options) => buildReport(db, logger, query, options),
    recordTotals: (id) => recordTotals(db, logger, id),
    backfillTotals: () => backfillTotals(db, logger),
  };
}

export { BOM, csvCell, taipeiIso, toCsv } from './csv';
export { splitReason, titleOf } from './history';
export { type ChannelCounters, type RecordedTotals, computeCounters, countLinks, dayOf } from './report';
// The platform reporter (PUT /v1/broadcasts/{id} and the platform's report).
export * from './platform';

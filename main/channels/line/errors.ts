import { HTTPFetchError } from '@line/bot-sdk';

/**
 * The one HTTP error policy for LINE's multicast (CONVENTIONS habit 6, API-FACTS §1.2–1.3): every failure of a
 * request sent WITH an X-Line-Retry-Key is classified here, and the send engine acts on `kind` only.
 *
 * - `already_accepted`: 409 — an earlier attempt under the same key was accepted; that is success, and
 *   `acceptedRequestId` (x-line-accepted-request-id) names the accepting request.
 * - `rate_limited`: 429 for any reason but the monthly limit (rate or concurrency): back off, retry the same key.
 * - `monthly_limit`: 429 "You have reached your monthly limit.": retrying cannot help until the quota changes.
 * - `server_error`: 5xx (and 408): LINE sends nothing on an error answer; retry the same key after a backoff.
 * - `no_answer`: a timeout, a reset, a refused connection or a 2xx we cannot read. The request may have been
 *   accepted; the retry key makes retrying safe (a 409 then says so).
 * - `rejected`: any other 4xx; LINE will refuse this exact request again.
 */
export type LineErrorKind = 'already_accepted' | 'rate_limited' | 'monthly_limit' | 'server_error' | 'no_answer' | 'rejected';

export interface ClassifiedLineError {
  kind: LineErrorKind;
  /** The HTTP status; null when there was no answer. */
  status: number | null;
  /** A stable reason: `line_timeout`, `line_network`, `line_unreadable`, `line_server_error: 503`, `line_rejected: <LINE's message>`… */
  reason: string;
  /** 409 only: x-line-accepted-request-id (null if LINE left it out). */
  acceptedRequestId: string | null;
  /** x-line-request-id of this answer, when there was one. */
  requestId: string | null;
}

/** LINE's `message` for a 429 that only a new month (or a bigger plan) cures (API-FACTS §1.3). */
export const LINE_MONTHLY_LIMIT_MESSAGE = 'You have reached your monthly limit.';

/** The send engine's own timeout: the SDK has none (API-FACTS §2), so the engine races every call with a timer. */
export class LineTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`LINE did not answer within ${timeoutMs} ms`);
    this.name = 'LineTimeoutError';
  }
}

const MAX_REASON_DETAIL = 300;

interface LineErrorBody {
  message: string;
  details: Array<{ message: string; property: string }>;
}

function parseBody(body: string): LineErrorBody {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return { message: '', details: [] };
    const record = parsed as Record<string, unknown>;
    const message = typeof record.message === 'string' ? record.message : '';
    const details = Array.isArray(record.details)
      ? record.details.flatMap((detail: unknown) => {
          if (typeof detail !== 'object' || detail === null) return [];
          const { message: text, property } = detail as Record<string, unknown>;
          return typeof text === 'string' ? [{ message: text, property: typeof property === 'string' ? property : '' }] : [];
        })
      : [];
    return { message, details };
  } catch {
    return { message: '', details: [] };
  }
}

/** LINE's words for a refusal, with the first few property errors: what the user is told (after `line_rejected: `). */
function describe(status: number, body: LineErrorBody): string {
  const details = body.details
    .slice(0, 3)
    .map((detail) => (detail.property ? `${detail.property}: ${detail.message}` : detail.message))
    .join('; ');
  const text = body.message || `HTTP ${status}`;
  const full = details ? `${text} (${details})` : text;
  return full.length > MAX_REASON_DETAIL ? `${full.slice(0, MAX_REASON_DETAIL - 1)}…` : full;
}

export function classifyLineError(error: unknown): ClassifiedLineError {
  if (error instanceof HTTPFetchError) {
    const status = error.status;
    const requestId = error.headers.get('x-line-request-id');
    const body = parseBody(error.body);
    const base = { status, requestId, acceptedRequestId: null };
    if (status === 409) {
      // Only a retry key makes LINE answer 409 on multicast: the key was already accepted.
      return { ...base, kind: 'already_accepted', reason: 'line_already_accepted', acceptedRequestId: error.headers.get('x-line-accepted-request-id') };
    }
    if (status === 429) {
      // Four causes share 429 and differ only in `message` (API-FACTS §4.4).
      return body.message.trim().toLowerCase() === LINE_MONTHLY_LIMIT_MESSAGE.toLowerCase() || /monthly limit/i.test(body.message)
        ? { ...base, kind: 'monthly_limit', reason: 'line_quota' }
        : { ...base, kind: 'rate_limited', reason: 'line_rate_limited' };
    }
    if (status >= 500 || status === 408) return { ...base, kind: 'server_error', reason: `line_server_error: ${status}` };
    return { ...base, kind: 'rejected', reason: `line_rejected: ${describe(status, body)}` };
  }
  const none = { status: null, requestId: null, acceptedRequestId: null, kind: 'no_answer' as const };
  if (error instanceof LineTimeoutError) return { ...none, reason: 'line_timeout' };
  // fetch() fails with a bare TypeError (refused, reset, DNS); a 2xx whose JSON is broken with a SyntaxError.
  if (error instanceof TypeError) return { ...none, reason: 'line_network' };
  if (error instanceof SyntaxError) return { ...none, reason: 'line_unreadable' };
  return { ...none, reason: 'line_unknown' };
}

/**
 * The one HTTP error policy for the WhatsApp Cloud API (CONVENTIONS habit 6): every Graph answer and transport failure
 * is classified here, and the send engine acts on `kind` only. Meta says to branch on `code`, never on titles
 * (API-FACTS §3.4), so the HTTP status only decides when the body is not a Graph error.
 *
 * - `retryable`: nothing was sent; try again with backoff (131000, 5xx, connection refused).
 * - `rate_limited`: the number or app is over its limit (130429, 4, 80007, 131048); pause the whole number.
 * - `pair_rate_limited`: too fast to this one customer (131056); retry this recipient later, keep sending others.
 * - `permanent`: this recipient or payload will not succeed as is (131026, 131047, 132xxx…).
 * - `auth`: the token or account is unusable (190, 0, 10, 200, 368, 131031); stop the WhatsApp part, ask the user.
 * - `ambiguous`: the request may have been delivered (a timeout or a reset after sending). WhatsApp has no
 *   idempotency key (API-FACTS §3.5), so it must not be resent automatically (DESIGN §4, recipient `unknown`).
 */
export type GraphErrorKind = 'retryable' | 'rate_limited' | 'pair_rate_limited' | 'permanent' | 'auth' | 'ambiguous';

/** Stable keys the UI translates (zh-TW, en); never Meta's wording. */
export type WhatsAppReason =
  | 'wa_auth_invalid'
  | 'wa_permission_denied'
  | 'wa_account_restricted'
  | 'wa_number_not_registered'
  | 'wa_app_rate_limited'
  | 'wa_throughput_limited'
  | 'wa_spam_rate_limited'
  | 'wa_pair_rate_limited'
  | 'wa_invalid_parameter'
  | 'wa_missing_parameter'
  | 'wa_unsupported_message_type'
  | 'wa_undeliverable'
  | 'wa_window_closed'
  | 'wa_ecosystem_limit'
  | 'wa_opted_out'
  | 'wa_media_error'
  | 'wa_param_count'
  | 'wa_template_missing'
  | 'wa_text_too_long'
  | 'wa_param_format'
  | 'wa_param_invalid'
  | 'wa_template_paused'
  | 'wa_template_disabled'
  | 'wa_request_too_large'
  | 'wa_server_error'
  | 'wa_service_unavailable'
  | 'wa_network'
  | 'wa_timeout'
  | 'wa_unknown';

export interface ClassifiedGraphError {
  kind: GraphErrorKind;
  /** Graph's `error.code`, or null when the answer carried none (a proxy's 502, a transport failure). */
  code: number | null;
  reason: WhatsAppReason;
  /** The HTTP status, or null for a transport failure. */
  status: number | null;
  /** Meta's `error_data.details` (or message), for logs; never shown to the user as is. */
  detail: string;
  /** How long to wait before trying again, when the answer says so or the limit implies it. */
  retryAfterMs?: number;
}

interface CodeRule {
  kind: GraphErrorKind;
  reason: WhatsAppReason;
  retryAfterMs?: number;
}

/** Graph codes from Meta's error-code page (API-FACTS §3.4) and the sandbox; anything else falls back on status. */
const CODE_RULES: ReadonlyMap<number, CodeRule> = new Map<number, CodeRule>([
  [0, { kind: 'auth', reason: 'wa_auth_invalid' }],
  [102, { kind: 'auth', reason: 'wa_auth_invalid' }],
  [104, { kind: 'auth', reason: 'wa_auth_invalid' }],
  [190, { kind: 'auth', reason: 'wa_auth_invalid' }],
  [3, { kind: 'auth', reason: 'wa_permission_denied' }],
  [10, { kind: 'auth', reason: 'wa_permission_denied' }],
  [200, { kind: 'auth', reason: 'wa_permission_denied' }],
  [368, { kind: 'auth', reason: 'wa_account_restricted' }],
  [131031, { kind: 'auth', reason: 'wa_account_restricted' }],
  [133010, { kind: 'auth', reason: 'wa_number_not_registered' }],
  [4, { kind: 'rate_limited', reason: 'wa_app_rate_limited', retryAfterMs: 60_000 }],
  [80007, { kind: 'rate_limited', reason: 'wa_app_rate_limited', retryAfterMs: 60_000 }],
  // One-second throughput windows (80 mps by default).
  [130429, { kind: 'rate_limited', reason: 'wa_throughput_limited', retryAfterMs: 1000 }],
  [131048, { kind: 'rate_limited', reason: 'wa_spam_rate_limited', retryAfterMs: 60_000 }],
  // "About one message per 6 s per user" (third-party figure, API-FACTS §3.4).
  [131056, { kind: 'pair_rate_limited', reason: 'wa_pair_rate_limited', retryAfterMs: 6000 }],
  [1, { kind: 'retryable', reason: 'wa_server_error' }],
  [2, { kind: 'retryable', reason: 'wa_service_unavailable' }],
  [131000, { kind: 'retryable', reason: 'wa_server_error' }],
  [131016, { kind: 'retryable', reason: 'wa_service_unavailable' }],
  [133004, { kind: 'retryable', reason: 'wa_service_unavailable' }],
  [100, { kind: 'permanent', reason: 'wa_invalid_parameter' }],
  [131008, { kind: 'permanent', reason: 'wa_missing_parameter' }],
  [131009, { kind: 'permanent', reason: 'wa_invalid_parameter' }],
  [131051, { kind: 'permanent', reason: 'wa_unsupported_message_type' }],
  [131026, { kind: 'permanent', reason: 'wa_undeliverable' }],
  [131047, { kind: 'permanent', reason: 'wa_window_closed' }],
  [131049, { kind: 'permanent', reason: 'wa_ecosystem_limit' }],
  [131050, { kind: 'permanent', reason: 'wa_opted_out' }],
  [131052, { kind: 'permanent', reason: 'wa_media_error' }],
  [131053, { kind: 'permanent', reason: 'wa_media_error' }],
  [132000, { kind: 'permanent', reason: 'wa_param_count' }],
  [132001, { kind: 'permanent', reason: 'wa_template_missing' }],
  [132005, { kind: 'permanent', reason: 'wa_text_too_long' }],
  [132012, { kind: 'permanent', reason: 'wa_param_format' }],
  [132015, { kind: 'permanent', reason: 'wa_template_paused' }],
  [132016, { kind: 'permanent', reason: 'wa_template_disabled' }],
  [132018, { kind: 'permanent', reason: 'wa_param_invalid' }],
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Graph's `error` object, if the body is one. */
export function graphErrorOf(body: unknown): { code: number; subcode?: number; message: string; details?: string; isTransient?: boolean } | null {
  if (!isRecord(body) || !isRecord(body.error)) return null;
  const error = body.error;
  if (typeof error.code !== 'number') return null;
  const data = isRecord(error.error_data) ? error.error_data : {};
  return {
    code: error.code,
    message: typeof error.message === 'string' ? error.message : '',
    ...(typeof error.error_subcode === 'number' ? { subcode: error.error_subcode } : {}),
    ...(typeof data.details === 'string' ? { details: data.details } : {}),
    ...(typeof error.is_transient === 'boolean' ? { isTransient: error.is_transient } : {}),
  };
}

function byStatus(status: number): CodeRule {
  if (status === 401) return { kind: 'auth', reason: 'wa_auth_invalid' };
  if (status === 403) return { kind: 'auth', reason: 'wa_permission_denied' };
  if (status === 413) return { kind: 'permanent', reason: 'wa_request_too_large' };
  if (status === 429) return { kind: 'rate_limited', reason: 'wa_throughput_limited', retryAfterMs: 1000 };
  // A gateway timeout says nothing about whether Meta processed the message.
  if (status === 504) return { kind: 'ambiguous', reason: 'wa_timeout' };
  if (status >= 500) return { kind: 'retryable', reason: 'wa_server_error' };
  return { kind: 'permanent', reason: 'wa_unknown' };
}

/** The Graph codes of app-level rate limits, whose wait x-business-use-case-usage gives. */
const APP_LEVEL_LIMITS: ReadonlySet<number> = new Set([4, 80007, 131048]);

/** Minutes until the app may call again, from Graph's x-business-use-case-usage header, in ms. */
function regainAccessMs(usageHeader: string | undefined): number | undefined {
  if (!usageHeader) return undefined;
  try {
    const usage: unknown = JSON.parse(usageHeader);
    if (!isRecord(usage)) return undefined;
    let minutes = 0;
    for (const entries of Object.values(usage)) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        if (isRecord(entry) && typeof entry.estimated_time_to_regain_access === 'number') {
          minutes = Math.max(minutes, entry.estimated_time_to_regain_access);
        }
      }
    }
    return minutes > 0 ? minutes * 60_000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Classifies a non-2xx Graph answer. `headers` (lower-case names) may add a retry hint from
 * x-business-use-case-usage or Retry-After.
 */
export function classifyGraphError(status: number, body: unknown, headers: Record<string, string | undefined> = {}): ClassifiedGraphError {
  const graph = graphErrorOf(body);
  const rule = (graph && CODE_RULES.get(graph.code)) ?? (graph?.isTransient ? { kind: 'retryable' as const, reason: 'wa_server_error' as const } : byStatus(status));
  const detail = graph ? (graph.details ?? graph.message) : `HTTP ${status}`;
  const retryAfterHeader = headers['retry-after'];
  const retryAfterSeconds = retryAfterHeader === undefined ? Number.NaN : Number(retryAfterHeader);
  // x-business-use-case-usage describes the app-level (business use case) limits, in whole minutes: it is the wait for
  // codes 4, 80007 and 131048, never for a number's per-second throughput (130429) or a pair's (131056), which clear
  // within seconds — reading it there would hold the number for a minute over one message too many.
  const usageHint = graph !== null && APP_LEVEL_LIMITS.has(graph.code) ? regainAccessMs(headers['x-business-use-case-usage']) : undefined;
  const hinted = Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0 ? retryAfterSeconds * 1000 : usageHint;
  const retryAfterMs = rule.kind === 'rate_limited' || rule.kind === 'pair_rate_limited' || rule.kind === 'retryable' ? (hinted ?? rule.retryAfterMs) : undefined;
  return {
    kind: rule.kind,
    code: graph?.code ?? null,
    reason: rule.reason,
    status,
    detail,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/** Error codes that mean the request never reached the server, so a resend cannot duplicate a message. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_INVALID_URL']);

/**
 * Classifies a failure with no HTTP answer. For a request that is safe to repeat (listing templates) every failure
 * is retryable; for a send, only one that surely never left is — the rest are `ambiguous`.
 */
export function classifyTransportError(errorCode: string | undefined, options: { idempotent: boolean; timedOut: boolean }): ClassifiedGraphError {
  const reason: WhatsAppReason = options.timedOut ? 'wa_timeout' : 'wa_network';
  const notSent = errorCode !== undefined && NOT_SENT_CODES.has(errorCode);
  return {
    kind: options.idempotent || notSent ? 'retryable' : 'ambiguous',
    code: null,
    reason,
    status: null,
    detail: errorCode ?? (options.timedOut ? 'timeout' : 'network error'),
  };
}

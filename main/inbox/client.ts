import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { z } from 'zod';
import { Channel, Plan, Role } from '../../preload/contract';
import { AppFailure } from '../rpc';

/**
 * The Inbox API v1 client (DESIGN §7, main/inbox/openapi.yaml). Every failure — transport, HTTP status, or a body
 * that is not the Inbox API — is classified once, here, into an InboxError `kind` (CONVENTIONS habit 6); callers
 * branch on `kind` and `isRetryable`, never on axios or HTTP details. Responses are parsed with zod: a 2xx whose body
 * does not match the document is `bad_response`. Extra fields are tolerated (a newer platform may add some).
 *
 * Secrets: the token travels only in the Authorization header; no error message carries it, the password, a header
 * or a response body.
 */

export const DEFAULT_TIMEOUT_MS = 15_000;
/** A page of 1,000 events is well under 2 MB; anything far bigger is not the Inbox API. */
const MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

export type InboxErrorKind =
  | 'invalid_credentials'
  | 'unauthorized'
  | 'token_expired'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'client'
  | 'server'
  | 'unreachable'
  | 'timeout'
  | 'bad_response';

const RETRYABLE: ReadonlySet<InboxErrorKind> = new Set(['server', 'unreachable', 'timeout']);

export class InboxError extends Error {
  readonly kind: InboxErrorKind;
  /** The HTTP status, when the server answered. */
  readonly status?: number;
  /** The Inbox API's `error.code` (or the transport's code, e.g. ECONNREFUSED), when there was one. */
  readonly code?: string;

  constructor(kind: InboxErrorKind, message: string, details: { status?: number; code?: string } = {}) {
    super(message);
    this.name = 'InboxError';
    this.kind = kind;
    if (details.status !== undefined) this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
  }
}

/** Whether trying the same call again later may succeed: the server failed, or it could not be reached in time. */
export function isRetryable(error: unknown): boolean {
  return error instanceof InboxError && RETRYABLE.has(error.kind);
}

/** Whether the error says the token is no good any more (sign in again). */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof InboxError && (error.kind === 'unauthorized' || error.kind === 'token_expired');
}

// ---------------------------------------------------------------------------------------------------------------
// URLs

function isLoopbackHost(hostname: string): boolean {
  // WHATWG URL has already normalised the host: IPv4 in dotted decimal, IPv6 compressed in brackets, lower case.
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** https on any host, or http on a loopback address only (a sandbox on this machine); the token never goes in clear. */
export function isAllowedApiUrl(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}

/**
 * Checks a user-typed Inbox URL and returns it normalised (origin + path, without a trailing slash). Throws
 * AppFailure('invalid_inbox_url') for anything else: another scheme, http to a non-loopback host, credentials or a
 * query in the URL.
 */
export function validateInboxUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new AppFailure('invalid_inbox_url', 'The Inbox URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppFailure('invalid_inbox_url', 'The Inbox URL must start with https://');
  }
  if (!isAllowedApiUrl(url)) {
    throw new AppFailure('invalid_inbox_url', 'The Inbox URL must use https (http is allowed only for this computer)');
  }
  // A password in the URL would end up in settings and logs; a query has no meaning for a base URL.
  if (url.username !== '' || url.password !== '') {
    throw new AppFailure('invalid_inbox_url', 'The Inbox URL must not contain a user name or password');
  }
  if (url.search !== '') throw new AppFailure('invalid_inbox_url', 'The Inbox URL must not contain a query');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Response schemas (openapi.yaml components)

const Ref = z.object({ id: z.string(), name: z.string() });
const EpochMs = z.number().int().nonnegative();
/** A channel's API base URL carries the channel's token: the same rule as the Inbox URL. */
const ApiBaseUrl = z.string().refine((value) => URL.canParse(value) && isAllowedApiUrl(new URL(value)), {
  message: 'apiBaseUrl must be https (or http on loopback)',
});

const UserSummary = z.object({ id: z.string().min(1), name: z.string(), role: Role });

export const LoginResponse = z.object({ accessToken: z.string().min(1), expiresAt: EpochMs, user: UserSummary });
export type LoginResponse = z.output<typeof LoginResponse>;

export const Me = z.object({
  user: UserSummary,
  workspace: z.object({ id: z.string().min(1), name: z.string(), plan: Plan }),
  store: Ref,
  allowance: z.object({ monthlyLimit: z.number().int().nonnegative().nullable(), usedThisMonth: z.number().int().nonnegative() }),
});
export type Me = z.output<typeof Me>;

export const LineChannelCredentials = z.object({
  id: z.string().regex(/^\d+$/),
  name: z.string(),
  accessToken: z.string().min(1),
  apiBaseUrl: ApiBaseUrl.optional(),
});
export type LineChannelCredentials = z.output<typeof LineChannelCredentials>;

export const WhatsAppNumberCredentials = z.object({
  phoneNumberId: z.string().regex(/^\d+$/),
  wabaId: z.string().regex(/^\d+$/),
  displayNumber: z.string(),
  name: z.string(),
  accessToken: z.string().min(1),
  graphVersion: z.string().regex(/^v\d+\.\d+$/),
  apiBaseUrl: ApiBaseUrl.optional(),
});
export type WhatsAppNumberCredentials = z.output<typeof WhatsAppNumberCredentials>;

export const Channels = z.object({ line: z.array(LineChannelCredentials), whatsapp: z.array(WhatsAppNumberCredentials) });
export type Channels = z.output<typeof Channels>;

/** Only the envelope: the sync engine checks each item itself, so one malformed event is skipped, not the page. */
export const EventPageEnvelope = z.object({
  items: z.array(z.unknown()),
  nextCursor: z.string().min(1).nullable(),
  serverTime: EpochMs,
});
export type EventPage = { items: unknown[]; nextCursor: string | null; serverTime: number };

export const EventStatusResponse = z.object({
  items: z.array(z.object({ id: z.string(), status: z.string().min(1), assignee: Ref })),
  missing: z.array(z.string()),
});
export type EventStatusResponse = z.output<typeof EventStatusResponse>;

export const MediaResponse = z.object({ url: z.url(), previewUrl: z.url() });
export type MediaResponse = z.output<typeof MediaResponse>;

export const InboxSettings = z.object({
  officialDomains: z.array(z.string()),
  utmEnabled: z.boolean(),
  broadcastExpiryHours: z.number().int().positive(),
});
export type InboxSettings = z.output<typeof InboxSettings>;

export const BroadcastAccepted = z.object({ id: z.string(), created: z.boolean() });
export type BroadcastAccepted = z.output<typeof BroadcastAccepted>;

export interface ChannelCounters {
  messages: number;
  officialLinks: number;
  otherLinks: number;
}

export interface BroadcastReport {
  senderId?: string;
  sentAt: number;
  channels: { line?: ChannelCounters; whatsapp?: ChannelCounters };
  totals: ChannelCounters;
}

export const ReferralReportRow = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  channel: Channel,
  senderId: z.string().min(1),
  senderName: z.string(),
  messages: z.number().int().nonnegative(),
  officialLinks: z.number().int().nonnegative(),
  otherLinks: z.number().int().nonnegative(),
});
export type ReferralReportRow = z.output<typeof ReferralReportRow>;

export const ReferralReportResponse = z.object({ rows: z.array(ReferralReportRow) });
export type ReferralReportResponse = z.output<typeof ReferralReportResponse>;

export interface ReferralReportQuery {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** Decides the rows' calendar days (Taiwan: 480). */
  utcOffsetMinutes: number;
}

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });

// ---------------------------------------------------------------------------------------------------------------
// The client

export type EventStatus = 'in_progress' | 'pending' | 'resolved';

export interface EventsQuery {
  updatedSince?: number;
  cursor?: string;
  limit?: number;
  status?: EventStatus | readonly EventStatus[];
  signal?: AbortSignal;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface InboxClient {
  /** The normalised base URL this client talks to. */
  readonly baseUrl: string;
  /** POST /v1/auth/login (no token needed). */
  login(account: string, password: string, options?: CallOptions): Promise<LoginResponse>;
  me(options?: CallOptions): Promise<Me>;
  /** The workspace's channels WITH their credentials: for main only, never for the renderer or a log. */
  channels(options?: CallOptions): Promise<Channels>;
  /** One page of events; the envelope is checked, the items are not. */
  events(query?: EventsQuery): Promise<EventPage>;
  eventsStatus(ids: readonly string[], options?: CallOptions): Promise<EventStatusResponse>;
  settings(options?: CallOptions): Promise<InboxSettings>;
  uploadMedia(bytes: Uint8Array, mimeType: 'image/jpeg' | 'image/png', fileName: string, options?: CallOptions): Promise<MediaResponse>;
  putBroadcast(id: string, body: BroadcastReport, options?: CallOptions): Promise<BroadcastAccepted>;
  /** GET /v1/reports/referrals: the platform's reports summed by day, channel and sender, in the caller's scope. */
  referralReport(query: ReferralReportQuery, options?: CallOptions): Promise<ReferralReportResponse>;
}

export interface InboxClientOptions {
  baseUrl: string;
  accessToken?: string | null;
  timeoutMs?: number;
  /** Called when the server refuses the token (401 unauthorized / token_expired), before the error is thrown. */
  onUnauthorized?: (error: InboxError) => void;
}

/** Axios' transport codes that mean "the server was not reached or stopped answering". */
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT']);

function transportError(error: unknown, what: string, signal: AbortSignal | undefined): InboxError {
  const code = axios.isAxiosError(error) ? error.code : undefined;
  if (signal?.aborted === true || axios.isCancel(error)) {
    // The caller cancelled (the sync stopped): not the server's fault, and the caller knows why.
    return new InboxError('unreachable', `${what}: cancelled`, { code: 'aborted' });
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new InboxError('timeout', `${what}: no answer in time`, { code });
  }
  // Only axios' code (ECONNREFUSED, ENOTFOUND…) is kept: its message names the URL, which is fine, but a config
  // object or a header must never ride along.
  return new InboxError('unreachable', `${what}: the server could not be reached${code ? ` (${code})` : ''}`, code ? { code } : {});
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** An HTTP answer outside 2xx, as an InboxError: the Inbox API's error code decides where it is specific. */
function statusError(status: number, body: unknown, what: string): InboxError {
  const parsed = ErrorBody.safeParse(body);
  const code = parsed.success ? parsed.data.error.code : undefined;
  const details = code === undefined ? { status } : { status, code };
  const described = `${what}: HTTP ${status}${code ? ` ${code}` : ''}`;
  if (status === 401) {
    if (code === 'invalid_credentials') return new InboxError('invalid_credentials', described, details);
    if (code === 'token_expired') return new InboxError('token_expired', described, details);
    return new InboxError('unauthorized', described, details);
  }
  if (status === 403) return new InboxError('forbidden', described, details);
  if (status === 404) return new InboxError('not_found', described, details);
  if (status === 409) return new InboxError('conflict', described, details);
  if (status === 408) return new InboxError('timeout', described, details);
  // Too many requests: the server is fine but busy, so the same call later is right.
  if (status === 429 || status >= 500) return new InboxError('server', described, details);
  if (status >= 300 && status < 400) {
    // Redirects are not followed (the token must not go elsewhere): a base URL that redirects is not the API.
    return new InboxError('bad_response', `${what}: redirected (HTTP ${status}); check the Inbox URL`, details);
  }
  return new InboxError('client', described, details);
}

export function createInboxClient(options: InboxClientOptions): InboxClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const token = options.accessToken ?? null;
  const http: AxiosInstance = axios.create({
    baseURL: baseUrl,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    headers: { Accept: 'application/json' },
    // Every status is an answer to classify here, not an exception; the body is parsed by us, once.
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    maxRedirects: 0,
    maxContentLength: MAX_RESPONSE_BYTES,
    transitional: { clarifyTimeoutError: true },
    // No proxy from the environment: an HTTP_PROXY would see the bearer token of a loopback sandbox in clear.
    proxy: false,
  });

  async function call<T>(
    what: string,
    config: AxiosRequestConfig,
    schema: z.ZodType<T>,
    authenticated: boolean,
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (authenticated) {
      if (token === null) throw new InboxError('unauthorized', `${what}: not signed in`);
      headers.Authorization = `Bearer ${token}`;
    }
    let response: AxiosResponse<unknown>;
    try {
      response = await http.request<unknown>({ ...config, headers: { ...headers, ...(config.headers as Record<string, string> | undefined) } });
    } catch (error) {
      throw transportError(error, what, config.signal as AbortSignal | undefined);
    }
    const body = parseJson(response.data);
    if (response.status < 200 || response.status >= 300) {
      const failure = statusError(response.status, body, what);
      if (authenticated && isUnauthorized(failure)) options.onUnauthorized?.(failure);
      throw failure;
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') || '(body)';
      throw new InboxError('bad_response', `${what}: the answer is not the Inbox API's (at ${where})`, { status: response.status });
    }
    return parsed.data;
  }

  const withSignal = (signal: AbortSignal | undefined): AxiosRequestConfig => (signal ? { signal } : {});

  return {
    baseUrl,
    login(account, password, opts = {}) {
      return call(
        'POST /v1/auth/login',
        { method: 'POST', url: '/v1/auth/login', data: { account, password }, headers: { 'Content-Type': 'application/json' }, ...withSignal(opts.signal) },
        LoginResponse,
        false,
      );
    },
    me(opts = {}) {
      return call('GET /v1/me', { method: 'GET', url: '/v1/me', ...withSignal(opts.signal) }, Me, true);
    },
    channels(opts = {}) {
      return call('GET /v1/channels', { method: 'GET', url: '/v1/channels', ...withSignal(opts.signal) }, Channels, true);
    },
    async events(query = {}) {
      const params: Record<string, string> = {};
      if (query.updatedSince !== undefined) params.updatedSince = String(Math.trunc(query.updatedSince));
      if (query.cursor !== undefined) params.cursor = query.cursor;
      if (query.limit !== undefined) params.limit = String(query.limit);
      if (query.status !== undefined) params.status = typeof query.status === 'string' ? query.status : query.status.join(',');
      const page = await call('GET /v1/events', { method: 'GET', url: '/v1/events', params, ...withSignal(query.signal) }, EventPageEnvelope, true);
      return { items: page.items, nextCursor: page.nextCursor, serverTime: page.serverTime };
    },
    eventsStatus(ids, opts = {}) {
      return call(
        'POST /v1/events/status',
        { method: 'POST', url: '/v1/events/status', data: { ids: [...ids] }, headers: { 'Content-Type': 'application/json' }, ...withSignal(opts.signal) },
        EventStatusResponse,
        true,
      );
    },
    settings(opts = {}) {
      return call('GET /v1/settings', { method: 'GET', url: '/v1/settings', ...withSignal(opts.signal) }, InboxSettings, true);
    },
    uploadMedia(bytes, mimeType, fileName, opts = {}) {
      const form = new FormData();
      form.set('file', new Blob([bytes], { type: mimeType }), fileName);
      return call('POST /v1/media', { method: 'POST', url: '/v1/media', data: form, ...withSignal(opts.signal) }, MediaResponse, true);
    },
    putBroadcast(id, body, opts = {}) {
      return call(
        'PUT /v1/broadcasts/{id}',
        {
          method: 'PUT',
          url: `/v1/broadcasts/${encodeURIComponent(id)}`,
          data: body,
          headers: { 'Content-Type': 'application/json' },
          ...withSignal(opts.signal),
        },
        BroadcastAccepted,
        true,
      );
    },
    referralReport(query, opts = {}) {
      const params = {
        from: String(Math.trunc(query.from)),
        to: String(Math.trunc(query.to)),
        utcOffsetMinutes: String(Math.trunc(query.utcOffsetMinutes)),
      };
      return call(
        'GET /v1/reports/referrals',
        { method: 'GET', url: '/v1/reports/referrals', params, ...withSignal(opts.signal) },
        ReferralReportResponse,
        true,
      );
    },
  };
}

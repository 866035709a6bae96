import { randomBytes, randomUUID } from 'node:crypto';
import type { SandboxContext } from './context';
import { type HttpProblem, type Route, type SandboxReply, type SandboxRequest, type Service, readJson } from './http';
import { contentHash } from './ledger';
import { resolveSandboxUrl } from './seed';
import type { LineChannel, SandboxWorld } from './world';

/**
 * The LINE Messaging API as the sandbox emulates it (API-FACTS §1, §5): push, multicast, validate/multicast, quota,
 * consumption and profile, served at the root because @line/bot-sdk drops a base URL's path. It refuses what LINE
 * refuses, in LINE's error format (`{message, details?}`), and every response carries an `x-line-request-id`.
 *
 * Choices where LINE's documentation is ambiguous or silent:
 * - A user id that is not a user of the calling channel (unknown, or another channel's) gets 400 "The property,
 *   'to', in the request body is invalid": LINE's docs list foreign ids both as a 400 and as a 200-but-undelivered.
 * - Retry keys are remembered per channel (not per endpoint), compared case-insensitively (a UUID's hex digits), and
 *   only once the request is accepted; a 409 is decided before the body is read, and still counts for the rate limit.
 * - validate/multicast validates `messages` only (LINE's ValidateMessageRequest has no `to`).
 * - Only text and image messages are emulated; any other type gets a 400 that says so.
 * - Duplicate ids within one `to` are sent (and counted) once per occurrence: LINE does not document de-duplication.
 */

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MAX_RECIPIENTS = 500;
const MAX_MESSAGES = 5;
const MAX_TEXT = 5000;
const MAX_URL = 2000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Message types LINE knows but this emulator does not, refused with a clear 400 rather than silently accepted. */
const UNSUPPORTED_TYPES = new Set(['textV2', 'sticker', 'video', 'audio', 'location', 'imagemap', 'template', 'flex', 'coupon']);

const MESSAGE = {
  missingAuth: "Authorization header required. Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'",
  invalidToken:
    'Authentication failed due to the following reason: invalid token. Confirm that the access token in the authorization header is valid.',
  rateLimit: 'The API rate limit has been exceeded. Try again later.',
  monthlyLimit: 'You have reached your monthly limit.',
  retryKeyInvalid: "The value for the 'X-Line-Retry-Key' header is invalid",
  retryKeyNotSupported: "The 'X-Line-Retry-Key' header is not supported by this endpoint",
  retryKeyAccepted: 'The retry key is already accepted',
  notFound: 'Not found',
  notJson: 'The request body could not be parsed as JSON',
  internal: 'Internal server error',
} as const;

type RouteName =
  | 'line.multicast'
  | 'line.push'
  | 'line.validate.multicast'
  | 'line.quota'
  | 'line.consumption'
  | 'line.profile';

interface SentMessage {
  id: string;
  quoteToken: string;
}

interface AcceptedKey {
  /** The x-line-request-id of the accepting request, repeated as x-line-accepted-request-id. */
  requestId: string;
  at: number;
  /** Push only: repeated in the 409 body. */
  sentMessages?: SentMessage[];
}

interface ChannelState {
  readonly channel: LineChannel;
  /** The channel's users, for an allocation-free membership check per recipient. */
  readonly users: Set<string>;
  /** Accepted retry keys in acceptance order, so expired ones are pruned from the front. */
  readonly retryKeys: Map<string, AcceptedKey>;
  /** Recipients counted per UTC month (year * 12 + month), so a clock moved back or forth reads the right month. */
  readonly usage: Map<number, number>;
  readonly rateKeys: Readonly<Record<RouteName, string>>;
}

interface LineState {
  readonly byToken: Map<string, ChannelState>;
  /** Sizes the lookup tables were built from, to rebuild them if the world gains channels or users. */
  channelCount: number;
  userCount: number;
}

interface ErrorDetail {
  message: string;
  property: string;
}

interface LineError {
  message: string;
  details?: ErrorDetail[];
  sentMessages?: SentMessage[];
}

/** A refusal raised inside a handler, answered as LINE's error body. */
class LineRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: LineError,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

function refuse(status: number, message: string, details: ErrorDetail[] = []): LineRefusal {
  return new LineRefusal(status, details.length > 0 ? { message, details } : { message });
}

function invalidProperty(property: string): LineRefusal {
  return refuse(400, `The property, '${property}', in the request body is invalid (line: -, column: -)`);
}

/** Keyed by world so one service object could serve several sandboxes, and state dies with its world. */
const states = new WeakMap<SandboxWorld, LineState>();

function lineState(world: SandboxWorld): LineState {
  let state = states.get(world);
  if (state && state.channelCount === world.lineChannels.length && state.userCount === world.lineUsers.size) return state;
  const previous = state;
  const byToken = new Map<string, ChannelState>();
  for (const channel of world.lineChannels) {
    // Keep what a channel has accumulated (retry keys, usage) across a rebuild.
    const old = previous && [...previous.byToken.values()].find((candidate) => candidate.channel.id === channel.id);
    byToken.set(channel.accessToken, {
      channel,
      users: new Set(),
      retryKeys: old?.retryKeys ?? new Map(),
      usage: old?.usage ?? new Map(),
      rateKeys: {
        'line.multicast': `line:${channel.id}:line.multicast`,
        'line.push': `line:${channel.id}:line.push`,
        'line.validate.multicast': `line:${channel.id}:line.validate.multicast`,
        'line.quota': `line:${channel.id}:line.quota`,
        'line.consumption': `line:${channel.id}:line.consumption`,
        'line.profile': `line:${channel.id}:line.profile`,
      },
    });
  }
  const byId = new Map([...byToken.values()].map((channelState) => [channelState.channel.id, channelState]));
  for (const user of world.lineUsers.values()) byId.get(user.channelId)?.users.add(user.userId);
  state = { byToken, channelCount: world.lineChannels.length, userCount: world.lineUsers.size };
  states.set(world, state);
  return state;
}

function header(req: SandboxRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function authenticate(req: SandboxRequest, ctx: SandboxContext): ChannelState {
  const authorization = header(req, 'authorization');
  if (!authorization) throw refuse(401, MESSAGE.missingAuth);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  const channel = match?.[1] === undefined ? undefined : lineState(ctx.world).byToken.get(match[1]);
  if (!channel) throw refuse(401, MESSAGE.invalidToken);
  return channel;
}

function limitFor(route: RouteName, ctx: SandboxContext): number {
  return route === 'line.multicast' ? ctx.limits.lineMulticastPerSecond : ctx.limits.lineOtherPerSecond;
}

/** `undefined` when no key was sent; the key lower-cased when it is a UUID; a 400 otherwise or where it is not allowed. */
function retryKey(req: SandboxRequest, allowed: boolean): string | undefined {
  const value = header(req, 'x-line-retry-key');
  if (value === undefined) return undefined;
  if (!allowed) throw refuse(400, MESSAGE.retryKeyNotSupported);
  if (!UUID.test(value)) throw refuse(400, MESSAGE.retryKeyInvalid);
  return value.toLowerCase();
}

function liveKey(channel: ChannelState, key: string, ctx: SandboxContext): AcceptedKey | undefined {
  const accepted = channel.retryKeys.get(key);
  if (!accepted) return undefined;
  if (ctx.clock.now() - accepted.at < ctx.limits.lineRetryKeyTtlMs) return accepted;
  channel.retryKeys.delete(key);
  return undefined;
}

function rememberKey(channel: ChannelState, key: string, accepted: AcceptedKey, ctx: SandboxContext): void {
  // Amortised pruning: keys arrive in time order, so the expired ones sit at the front.
  for (const [oldKey, old] of channel.retryKeys) {
    if (accepted.at - old.at < ctx.limits.lineRetryKeyTtlMs) break;
    channel.retryKeys.delete(oldKey);
  }
  channel.retryKeys.set(key, accepted);
}

function conflict(accepted: AcceptedKey): LineRefusal {
  const body: LineError = { message: MESSAGE.retryKeyAccepted };
  if (accepted.sentMessages) body.sentMessages = accepted.sentMessages;
  return new LineRefusal(409, body, { 'x-line-accepted-request-id': accepted.requestId });
}

function monthOf(now: number): number {
  const date = new Date(now);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

/** null = no limit: the channel has none, or the sandbox lifted it (an infinite override, as benchmarks set). */
function quotaLimit(channel: ChannelState, ctx: SandboxContext): number | null {
  const limit = ctx.limits.lineMonthlyQuota ?? channel.channel.monthlyQuota;
  return limit === null || Number.isFinite(limit) ? limit : null;
}

/** All or nothing: a send that would pass the month's quota is refused whole (LINE pricing docs). */
function consume(channel: ChannelState, recipients: number, ctx: SandboxContext): void {
  const month = monthOf(ctx.clock.now());
  const used = channel.usage.get(month) ?? 0;
  const limit = quotaLimit(channel, ctx);
  if (limit !== null && used + recipients > limit) throw refuse(429, MESSAGE.monthlyLimit);
  channel.usage.set(month, used + recipients);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readBody(req: SandboxRequest): Record<string, unknown> {
  const body = readJson(req);
  // A JSON array or scalar cannot be mapped onto LINE's request object.
  if (!isRecord(body)) throw refuse(400, MESSAGE.notJson);
  return body;
}

/**
 * Image URLs: at most 2,000 characters and HTTPS; plain http only on the sandbox's own origin, where the Inbox API
 * emulator hosts the demo's images.
 */
function checkImageUrl(value: unknown, property: string, details: ErrorDetail[], ctx: SandboxContext): void {
  if (value === undefined || value === null || value === '') {
    details.push({ message: 'must be specified', property });
    return;
  }
  if (typeof value !== 'string') throw invalidProperty(property);
  if (value.length > MAX_URL) {
    details.push({ message: `Length must be between 0 and ${MAX_URL}`, property });
    return;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    details.push({ message: 'Must be a valid HTTPS URL', property });
    return;
  }
  const sandboxOwn = url.protocol === 'http:' && ctx.origin !== '' && url.origin === ctx.origin;
  if (url.protocol !== 'https:' && !sandboxOwn) details.push({ message: 'Must be a valid HTTPS URL', property });
}

/** LINE's message-object checks; collects constraint violations, throws at once on a wrong JSON type. */
function checkMessages(value: unknown, details: ErrorDetail[], ctx: SandboxContext): unknown[] {
  if (value === undefined || value === null) {
    details.push({ message: 'must be specified', property: 'messages' });
    return [];
  }
  if (!Array.isArray(value)) throw invalidProperty('messages');
  if (value.length < 1 || value.length > MAX_MESSAGES) {
    details.push({ message: `Size must be between 1 and ${MAX_MESSAGES}`, property: 'messages' });
    return value;
  }
  value.forEach((message: unknown, index) => {
    const at = `messages[${index}]`;
    if (!isRecord(message)) throw invalidProperty(at);
    const type = message.type;
    if (type === 'text') {
      const text = message.text;
      if (text === undefined || text === null || text === '') details.push({ message: 'must be specified', property: `${at}.text` });
      else if (typeof text !== 'string') throw invalidProperty(`${at}.text`);
      // JS length counts UTF-16 code units, as LINE does (an emoji outside the BMP counts 2).
      else if (text.length > MAX_TEXT) details.push({ message: `Length must be between 0 and ${MAX_TEXT}`, property: `${at}.text` });
    } else if (type === 'image') {
      checkImageUrl(message.originalContentUrl, `${at}.originalContentUrl`, details, ctx);
      checkImageUrl(message.previewImageUrl, `${at}.previewImageUrl`, details, ctx);
    } else if (type === undefined || type === null) {
      details.push({ message: 'must be specified', property: `${at}.type` });
    } else if (typeof type === 'string' && UNSUPPORTED_TYPES.has(type)) {
      details.push({ message: `The message type '${type}' is not supported by the OMO sandbox (only text and image)`, property: `${at}.type` });
    } else {
      throw refuse(400, `A message (${at}) in the request body is invalid`);
    }
  });
  return value;
}

function checkNotificationDisabled(body: Record<string, unknown>): void {
  const value = body.notificationDisabled;
  if (value !== undefined && value !== null && typeof value !== 'boolean') throw invalidProperty('notificationDisabled');
}

function failIfAny(details: ErrorDetail[]): void {
  if (details.length > 0) throw refuse(400, `The request body has ${details.length} error(s)`, details);
}

/** The multicast `to`: 1–500 strings, each a user of this channel. No allocation per recipient. */
function checkMulticastTo(value: unknown, details: ErrorDetail[]): string[] {
  if (value === undefined || value === null) {
    details.push({ message: 'must be specified', property: 'to' });
    return [];
  }
  if (!Array.isArray(value)) throw invalidProperty('to');
  if (value.length < 1 || value.length > MAX_RECIPIENTS) {
    details.push({ message: `Size must be between 1 and ${MAX_RECIPIENTS}`, property: 'to' });
  }
  for (let index = 0; index < value.length; index += 1) {
    if (typeof value[index] !== 'string') throw invalidProperty('to');
  }
  return value as string[];
}

function checkMembers(channel: ChannelState, to: readonly string[]): void {
  const users = channel.users;
  for (let index = 0; index < to.length; index += 1) {
    // The index is in range; `as` spares noUncheckedIndexedAccess a per-recipient branch.
    if (!users.has(to[index] as string)) throw invalidProperty('to');
  }
}

let nextMessageId = BigInt(Date.now()) * 1000n;

function sentMessage(): SentMessage {
  nextMessageId += 1n;
  return { id: nextMessageId.toString(), quoteToken: randomBytes(48).toString('base64url') };
}

function withRequestId(status: number, body: unknown, requestId: string): SandboxReply {
  return { status, json: body, headers: { 'x-line-request-id': requestId } };
}

/** Runs a LINE handler: authenticates, applies the per-channel rate limit, and turns refusals into LINE error bodies. */
function lineRoute(
  method: Route['method'],
  pattern: string,
  name: RouteName,
  handle: (req: SandboxRequest, ctx: SandboxContext, channel: ChannelState, requestId: string) => SandboxReply,
): Route {
  return {
    method,
    pattern,
    name,
    handle(req, ctx) {
      const requestId = randomUUID();
      try {
        const channel = authenticate(req, ctx);
        if (!ctx.rate.take(channel.rateKeys[name], limitFor(name, ctx))) throw refuse(429, MESSAGE.rateLimit);
        return handle(req, ctx, channel, requestId);
      } catch (error) {
        if (!(error instanceof LineRefusal)) throw error;
        return { status: error.status, json: error.body, headers: { ...error.headers, 'x-line-request-id': requestId } };
      }
    },
  };
}

const multicast = lineRoute('POST', '/v2/bot/message/multicast', 'line.multicast', (req, ctx, channel, requestId) => {
  const key = retryKey(req, true);
  const accepted = key === undefined ? undefined : liveKey(channel, key, ctx);
  if (accepted) throw conflict(accepted);
  const body = readBody(req);
  const details: ErrorDetail[] = [];
  const to = checkMulticastTo(body.to, details);
  const messages = checkMessages(body.messages, details, ctx);
  checkNotificationDisabled(body);
  failIfAny(details);
  checkMembers(channel, to);
  consume(channel, to.length, ctx);
  const at = ctx.clock.now();
  const hash = contentHash(messages);
  const common = { channel: 'line' as const, account: channel.channel.id, id: requestId, at, contentHash: hash };
  ctx.ledger.recordMany(key === undefined ? common : { ...common, retryKey: key }, to);
  if (key !== undefined) rememberKey(channel, key, { requestId, at }, ctx);
  return withRequestId(200, {}, requestId);
});

const push = lineRoute('POST', '/v2/bot/message/push', 'line.push', (req, ctx, channel, requestId) => {
  const key = retryKey(req, true);
  const accepted = key === undefined ? undefined : liveKey(channel, key, ctx);
  if (accepted) throw conflict(accepted);
  const body = readBody(req);
  const details: ErrorDetail[] = [];
  const to = body.to;
  if (to === undefined || to === null || to === '') details.push({ message: 'must be specified', property: 'to' });
  else if (typeof to !== 'string') throw invalidProperty('to');
  const messages = checkMessages(body.messages, details, ctx);
  checkNotificationDisabled(body);
  failIfAny(details);
  const recipient = to as string;
  checkMembers(channel, [recipient]);
  consume(channel, 1, ctx);
  const at = ctx.clock.now();
  const sentMessages = messages.map(() => sentMessage());
  const entry = { channel: 'line' as const, account: channel.channel.id, recipient, id: requestId, at, contentHash: contentHash(messages) };
  ctx.ledger.record(key === undefined ? entry : { ...entry, retryKey: key });
  if (key !== undefined) rememberKey(channel, key, { requestId, at, sentMessages }, ctx);
  return withRequestId(200, { sentMessages }, requestId);
});

const validateMulticast = lineRoute('POST', '/v2/bot/message/validate/multicast', 'line.validate.multicast', (req, ctx, _channel, requestId) => {
  retryKey(req, false);
  const body = readBody(req);
  const details: ErrorDetail[] = [];
  checkMessages(body.messages, details, ctx);
  failIfAny(details);
  return withRequestId(200, {}, requestId);
});

const quota = lineRoute('GET', '/v2/bot/message/quota', 'line.quota', (req, ctx, channel, requestId) => {
  retryKey(req, false);
  const limit = quotaLimit(channel, ctx);
  return withRequestId(200, limit === null ? { type: 'none' } : { type: 'limited', value: limit }, requestId);
});

const consumption = lineRoute('GET', '/v2/bot/message/quota/consumption', 'line.consumption', (req, ctx, channel, requestId) => {
  retryKey(req, false);
  return withRequestId(200, { totalUsage: channel.usage.get(monthOf(ctx.clock.now())) ?? 0 }, requestId);
});

const profile = lineRoute('GET', '/v2/bot/profile/:userId', 'line.profile', (req, ctx, channel, requestId) => {
  retryKey(req, false);
  const userId = req.params.userId ?? '';
  const user = channel.users.has(userId) ? ctx.world.lineUsers.get(userId) : undefined;
  if (!user) throw refuse(404, MESSAGE.notFound);
  return withRequestId(
    200,
    {
      userId: user.userId,
      displayName: user.displayName,
      // Stored root-relative (the port is unknown when the world is generated); LINE omits it when there is none.
      ...(user.pictureUrl === null ? {} : { pictureUrl: resolveSandboxUrl(ctx.origin, user.pictureUrl) }),
      ...(user.language ? { language: user.language } : {}),
    },
    requestId,
  );
});

/** LINE's wording for a status with no more specific cause (framework refusals, injected `status` faults). */
function messageForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'Bad request';
    case 401:
      return MESSAGE.invalidToken;
    case 403:
      return 'Access to this API is not available for your account';
    case 404:
      return MESSAGE.notFound;
    case 405:
      return 'Method not allowed';
    case 409:
      return MESSAGE.retryKeyAccepted;
    case 413:
      return 'Request entity too large';
    case 415:
      return 'Unsupported media type';
    case 429:
      return MESSAGE.rateLimit;
    default:
      return MESSAGE.internal;
  }
}

function lineProblem(problem: HttpProblem): SandboxReply {
  switch (problem.kind) {
    case 'not_found':
      return { status: 404, json: { message: MESSAGE.notFound } };
    case 'method_not_allowed':
      return { status: 405, json: { message: messageForStatus(405) } };
    case 'too_large':
      return { status: 413, json: { message: messageForStatus(413) } };
    case 'invalid_json':
      return { status: 400, json: { message: MESSAGE.notJson } };
    case 'unsupported_media_type':
      return { status: 415, json: { message: messageForStatus(415) } };
    case 'internal':
      return { status: problem.status, json: { message: messageForStatus(problem.status) } };
  }
}

export function createLineService(): Service {
  return {
    name: 'line',
    owns: (path) => path.startsWith('/v2/bot/'),
    maxBodyBytes: MAX_BODY_BYTES,
    routes: [multicast, push, validateMulticast, quota, consumption, profile],
    problem: lineProblem,
    decorate(reply) {
      // Handlers set their own id (the ledger and retry-key memory need it); everything else gets a fresh one here.
      reply.headers ??= {};
      reply.headers['x-line-request-id'] ??= randomUUID();
    },
  };
}

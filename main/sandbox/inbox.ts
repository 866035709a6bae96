import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { SandboxContext } from './context';
import { type Route, type SandboxReply, type SandboxRequest, type Service, json, readJson } from './http';
import { parseMultipart, multipartBoundary } from './multipart';
import { AVATAR_PREFIX, resolveSandboxUrl } from './seed';
import type { DemoUser, InboxEvent, SandboxWorld, Store, Workspace } from './world';

/**
 * The Inbox API v1 (DESIGN §7) as the sandbox serves it; main/inbox/openapi.yaml documents exactly this.
 *
 * Rules this emulator implements (the production platform implements the same document):
 * - Times are epoch milliseconds (numbers) everywhere.
 * - Visibility of events: sales_person and agent see the events assigned to them, sales_manager their store's,
 *   admin the whole workspace's. The same rule answers POST /v1/events/status (invisible ids are `missing`).
 * - GET /v1/events orders by (updatedAt, id) ascending; `updatedSince` is inclusive (updatedAt >= since), so a client
 *   that passes the previous sync's `serverTime` loses nothing and dedupes by id.
 * - GET /v1/channels answers every signed-in role (the app's main process enforces the broadcast rule from /v1/me).
 * - PUT /v1/broadcasts/{id}: only sales_manager / sales_person on plan omo; idempotent by id (same body → 200,
 *   different body → 409). `messages` counts recipients reached, and feeds the sender's allowance.
 * - GET /v1/reports/referrals: the stored reports summed by (day in the caller's UTC offset, channel, sender), scoped
 *   like events: a sales_person their own reports, a sales_manager those of their store's senders (the store the
 *   sender was in when the report was stored), an admin the workspace's; an agent is refused (forbidden_role), as is a
 *   workspace not on plan omo (forbidden_plan).
 */

const TOKEN_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const DEFAULT_PAGE = 500;
const MAX_PAGE = 1000;
const MAX_STATUS_IDS = 1000;
/** Taiwan has no daylight saving: the allowance month is the calendar month in UTC+8. */
const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;
const STATUSES = ['in_progress', 'pending', 'resolved'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The widest report range (the app's ReportQuery allows 400 days). */
const MAX_REPORT_DAYS = 400;
/** UTC−14:00 … UTC+14:00, every offset in use. */
const MAX_UTC_OFFSET_MINUTES = 14 * 60;
const CHANNELS = ['line', 'whatsapp'] as const;
/** The last time a Date can show once shifted by any offset (a later `to` is refused rather than a 500). */
const MAX_REPORT_TIME = 8.64e15 - DAY_MS;

/** An Inbox API error, answered as `{"error":{"code","message"}}`. */
class InboxError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function errorReply(status: number, code: string, message: string): SandboxReply {
  return json(status, { error: { code, message } });
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const detail = result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
    throw new InboxError(400, 'invalid_request', detail);
  }
  return result.data;
}

// ---------------------------------------------------------------------------------------------------------------
// The event index: events sorted by (updatedAt, id), built once per world and kept sorted on changes.

interface EventIndex {
  sorted: InboxEvent[];
  byId: Map<string, InboxEvent>;
  /** world.events.length when built: a push by another service makes the index rebuild itself. */
  size: number;
}

const indexes = new WeakMap<SandboxWorld, EventIndex>();

function before(a: InboxEvent, updatedAt: number, id: string): boolean {
  return a.updatedAt < updatedAt || (a.updatedAt === updatedAt && a.id < id);
}

function compareEvents(a: InboxEvent, b: InboxEvent): number {
  return a.updatedAt - b.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The first position whose key is not before (updatedAt, id). */
function lowerBound(sorted: readonly InboxEvent[], updatedAt: number, id: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const event = sorted[middle];
    if (event && before(event, updatedAt, id)) low = middle + 1;
    else high = middle;
  }
  return low;
}

function eventIndex(world: SandboxWorld): EventIndex {
  let index = indexes.get(world);
  if (!index || index.size !== world.events.length) {
    index = {
      sorted: [...world.events].sort(compareEvents),
      byId: new Map(world.events.map((event) => [event.id, event])),
      size: world.events.length,
    };
    indexes.set(world, index);
  }
  return index;
}

/** For code outside this file that changes an event's updatedAt in place: the next read re-sorts. */
export function invalidateEventIndex(world: SandboxWorld): void {
  indexes.delete(world);
}

/** Changes an event and keeps the index sorted: out at its old key, in at its new one (tests change a few). */
function updateEvent(world: SandboxWorld, event: InboxEvent, change: (event: InboxEvent) => void): void {
  const index = eventIndex(world);
  const at = lowerBound(index.sorted, event.updatedAt, event.id);
  if (index.sorted[at] === event) index.sorted.splice(at, 1);
  else index.sorted.splice(index.sorted.indexOf(event), 1);
  change(event);
  index.sorted.splice(lowerBound(index.sorted, event.updatedAt, event.id), 0, event);
}

// ---------------------------------------------------------------------------------------------------------------
// Views

function visibleTo(user: DemoUser): (event: InboxEvent) => boolean {
  switch (user.role) {
    case 'admin':
      return (event) => event.workspaceId === user.workspaceId;
    case 'sales_manager':
      return (event) => event.workspaceId === user.workspaceId && event.storeId === user.storeId;
    case 'sales_person':
    case 'agent':
      return (event) => event.assigneeId === user.id;
  }
}

/** Whose reports a user may read: the events rule, applied to the report's sender; agents read none (403). */
function reportsVisibleTo(user: DemoUser): (report: { userId: string; workspaceId: string; storeId: string }) => boolean {
  switch (user.role) {
    case 'admin':
      return (report) => report.workspaceId === user.workspaceId;
    case 'sales_manager':
      return (report) => report.workspaceId === user.workspaceId && report.storeId === user.storeId;
    case 'sales_person':
      return (report) => report.userId === user.id;
    case 'agent':
      throw new InboxError(403, 'forbidden_role', 'Agents do not see referral reports');
  }
}

function eventView(event: InboxEvent, origin: string): Record<string, unknown> {
  return {
    id: event.id,
    channel: event.channel,
    channelAccount: event.channelAccount,
    customer: {
      name: event.customer.name,
      avatarUrl: resolveSandboxUrl(origin, event.customer.avatarUrl),
      platformId: event.customer.platformId,
    },
    status: event.status,
    assignee: { id: event.assigneeId, name: event.assigneeName },
    store: { id: event.storeId, name: event.storeName },
    tags: [...event.tags],
    lastMessageAt: event.lastMessageAt,
    lastInboundAt: event.lastInboundAt,
    updatedAt: event.updatedAt,
  };
}

function encodeCursor(event: InboxEvent): string {
  return Buffer.from(JSON.stringify([event.updatedAt, event.id])).toString('base64url');
}

function decodeCursor(cursor: string): { updatedAt: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isFinite(value[0]) && typeof value[1] === 'string') {
      return { updatedAt: value[0] as number, id: value[1] };
    }
  } catch {
    // Falls through to the refusal below.
  }
  throw new InboxError(400, 'invalid_cursor', 'The cursor is not one this API returned');
}

// ---------------------------------------------------------------------------------------------------------------
// Avatars

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function avatarSvg(id: string, name: string): string {
  const hue = createHash('sha256').update(id).digest().readUInt16BE(0) % 360;
  const initial = [...name.trim()][0]?.toUpperCase() ?? '?';
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">' +
    `<circle cx="64" cy="64" r="64" fill="hsl(${hue},55%,52%)"/>` +
    '<text x="64" y="64" dy=".35em" text-anchor="middle" font-family="Noto Sans CJK TC, PingFang TC, Microsoft JhengHei, sans-serif" ' +
    `font-size="60" fill="#fff">${escapeXml(initial)}</text></svg>`
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Request bodies

const LoginBody = z.object({ account: z.string().min(1).max(200), password: z.string().max(200) }).strict();

const StatusBody = z.object({ ids: z.array(z.string().min(1).max(100)).min(1).max(MAX_STATUS_IDS) }).strict();

const count = z.number().int().nonnegative();
const ChannelCounters = z.object({ messages: count, officialLinks: count, otherLinks: count }).strict();
const BroadcastBody = z
  .object({
    senderId: z.string().min(1).max(100).optional(),
    sentAt: z.number().int().nonnegative(),
    channels: z.object({ line: ChannelCounters.optional(), whatsapp: ChannelCounters.optional() }).strict(),
    totals: ChannelCounters,
  })
  .strict()
  .refine(
    (body) =>
      (['messages', 'officialLinks', 'otherLinks'] as const).every(
        (key) => (body.channels.line?.[key] ?? 0) + (body.channels.whatsapp?.[key] ?? 0) === body.totals[key],
      ),
    { message: 'totals must be the sum of the channels', path: ['totals'] },
  );
type BroadcastBody = z.output<typeof BroadcastBody>;

const BROADCAST_ID = /^[A-Za-z0-9_-]{1,128}$/;

interface ReferralRow {
  day: string;
  channel: (typeof CHANNELS)[number];
  senderId: string;
  senderName: string;
  messages: number;
  officialLinks: number;
  otherLinks: number;
}

/** An integer query parameter, or a 400 naming it. */
function integerParam(query: URLSearchParams, name: string, min: number, max: number): number {
  const text = query.get(name);
  const value = text === null || text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InboxError(400, 'invalid_request', `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function reportQuery(query: URLSearchParams): { from: number; to: number; utcOffsetMinutes: number } {
  const from = integerParam(query, 'from', 0, MAX_REPORT_TIME);
  const to = integerParam(query, 'to', 0, MAX_REPORT_TIME);
  const utcOffsetMinutes = integerParam(query, 'utcOffsetMinutes', -MAX_UTC_OFFSET_MINUTES, MAX_UTC_OFFSET_MINUTES);
  if (to <= from || to - from > MAX_REPORT_DAYS * DAY_MS) {
    throw new InboxError(400, 'invalid_request', `from must be before to, at most ${MAX_REPORT_DAYS} days apart`);
  }
  return { from, to, utcOffsetMinutes };
}

const EventChange = z
  .object({
    status: z.enum(STATUSES).optional(),
    assigneeId: z.string().min(1).optional(),
    tags: z.array(z.string().min(1).max(50)).max(20).optional(),
  })
  .strict();

const RevokeBody = z.object({ account: z.string().min(1).optional() }).strict();

// ---------------------------------------------------------------------------------------------------------------
// The service

interface Session {
  userId: string;
  expiresAt: number;
}

interface StoredBroadcast {
  id: string;
  userId: string;
  workspaceId: string;
  /** The sender's store when the report was stored: a later move does not carry past reports to the new store. */
  storeId: string;
  senderName: string;
  /** The canonical JSON of the validated body, which a repeat must match. */
  canonical: string;
  body: BroadcastBody;
  receivedAt: number;
}

interface StoredMedia {
  bytes: Buffer;
  contentType: 'image/jpeg' | 'image/png';
}

function imageType(bytes: Buffer): StoredMedia['contentType'] | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((byte, i) => bytes[i] === byte)) return 'image/png';
  return null;
}

function monthKey(at: number): string {
  const date = new Date(at + TAIPEI_OFFSET_MS);
  return `${date.getUTCFullYear()}-${date.getUTCMonth()}`;
}

/** The JSON of a value with object keys sorted, so two equal bodies compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function createInboxService(): Service {
  // Per-sandbox state: createInboxService runs once per startSandbox.
  const sessions = new Map<string, Session>();
  const broadcasts = new Map<string, StoredBroadcast>();
  const media = new Map<string, StoredMedia>();

  const findUser = (world: SandboxWorld, id: string): DemoUser => {
    const user = world.users.find((u) => u.id === id);
    if (!user) throw new InboxError(401, 'unauthorized', 'The account no longer exists');
    return user;
  };
  const workspaceOf = (world: SandboxWorld, user: DemoUser): Workspace => {
    const workspace = world.workspaces.find((w) => w.id === user.workspaceId);
    if (!workspace) throw new InboxError(500, 'internal', `Workspace ${user.workspaceId} is missing`);
    return workspace;
  };
  const storeOf = (world: SandboxWorld, user: DemoUser): Store => {
    const store = world.stores.find((s) => s.id === user.storeId);
    if (!store) throw new InboxError(500, 'internal', `Store ${user.storeId} is missing`);
    return store;
  };

  const authenticate = (req: SandboxRequest, ctx: SandboxContext): DemoUser => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new InboxError(401, 'unauthorized', 'A bearer access token is required');
    const session = sessions.get(match[1]);
    if (!session) throw new InboxError(401, 'unauthorized', 'The access token is not valid');
    if (session.expiresAt <= ctx.clock.now()) throw new InboxError(401, 'token_expired', 'The access token has expired; sign in again');
    return findUser(ctx.world, session.userId);
  };

  const usedThisMonth = (userId: string, now: number): number => {
    const month = monthKey(now);
    let used = 0;
    for (const broadcast of broadcasts.values()) {
      if (broadcast.userId === userId && monthKey(broadcast.body.sentAt) === month) used += broadcast.body.totals.messages;
    }
    return used;
  };

  const route = (
    method: Route['method'],
    pattern: string,
    name: string,
    handle: (req: SandboxRequest, ctx: SandboxContext) => SandboxReply,
  ): Route => ({
    method,
    pattern,
    name,
    handle(req, ctx) {
      try {
        return handle(req, ctx);
      } catch (error) {
        if (error instanceof InboxError) return errorReply(error.status, error.code, error.message);
        throw error;
      }
    },
  });

  const routes: Route[] = [
    route('POST', '/v1/auth/login', 'inbox.login', (req, ctx) => {
      const body = parse(LoginBody, readJson(req));
      const user = ctx.world.users.find((u) => u.account === body.account);
      if (!user || user.password !== body.password) {
        throw new InboxError(401, 'invalid_credentials', 'The account or password is incorrect');
      }
      const accessToken = `sbx-inbox-${randomBytes(32).toString('base64url')}`;
      const expiresAt = ctx.clock.now() + TOKEN_TTL_MS;
      sessions.set(accessToken, { userId: user.id, expiresAt });
      return json(200, { accessToken, expiresAt, user: { id: user.id, name: user.name, role: user.role } });
    }),

    route('GET', '/v1/me', 'inbox.me', (req, ctx) => {
      const user = authenticate(req, ctx);
      const workspace = workspaceOf(ctx.world, user);
      const store = storeOf(ctx.world, user);
      return json(200, {
        user: { id: user.id, name: user.name, role: user.role },
        workspace: { id: workspace.id, name: workspace.name, plan: workspace.plan },
        store: { id: store.id, name: store.name },
        allowance: { monthlyLimit: user.monthlyLimit, usedThisMonth: usedThisMonth(user.id, ctx.clock.now()) },
      });
    }),

    route('GET', '/v1/channels', 'inbox.channels', (req, ctx) => {
      const user = authenticate(req, ctx);
      const { world, origin } = ctx;
      return json(200, {
        line: world.lineChannels
          .filter((c) => c.workspaceId === user.workspaceId)
          .map((c) => ({ id: c.id, name: c.name, accessToken: c.accessToken, apiBaseUrl: origin })),
        whatsapp: world.whatsappNumbers
          .filter((n) => n.workspaceId === user.workspaceId)
          .map((n) => ({
            phoneNumberId: n.phoneNumberId,
            wabaId: n.wabaId,
            displayNumber: n.displayNumber,
            name: n.name,
            accessToken: n.accessToken,
            graphVersion: n.graphVersion,
            apiBaseUrl: origin,
          })),
      });
    }),

    route('GET', '/v1/events', 'inbox.events', (req, ctx) => {
      const user = authenticate(req, ctx);
      const { query } = req;

      const limitText = query.get('limit');
      const limit = limitText === null || limitText === '' ? DEFAULT_PAGE : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
        throw new InboxError(400, 'invalid_request', `limit must be an integer from 1 to ${MAX_PAGE}`);
      }
      const statusText = query.get('status');
      let statuses: Set<string> | null = null;
      if (statusText !== null && statusText !== '') {
        statuses = new Set(statusText.split(',').map((s) => s.trim()));
        for (const status of statuses) {
          if (!(STATUSES as readonly string[]).includes(status)) {
            throw new InboxError(400, 'invalid_request', `Unknown status "${status}"; use ${STATUSES.join(', ')}`);
          }
        }
      }
      const sinceText = query.get('updatedSince');
      const since = sinceText === null || sinceText === '' ? null : Number(sinceText);
      if (since !== null && !Number.isInteger(since)) {
        throw new InboxError(400, 'invalid_request', 'updatedSince must be epoch milliseconds');
      }
      const cursorText = query.get('cursor');
      const cursor = cursorText === null || cursorText === '' ? null : decodeCursor(cursorText);

      const serverTime = ctx.clock.now();
      const { sorted } = eventIndex(ctx.world);
      let start = since === null ? 0 : lowerBound(sorted, since, '');
      if (cursor) {
        // After the cursor's key: the first position not before it, plus one when it is that very key.
        let after = lowerBound(sorted, cursor.updatedAt, cursor.id);
        const at = sorted[after];
        if (at && at.updatedAt === cursor.updatedAt && at.id === cursor.id) after += 1;
        start = Math.max(start, after);
      }

      const visible = visibleTo(user);
      const matches = (event: InboxEvent): boolean => visible(event) && (statuses === null || statuses.has(event.status));
      const items: InboxEvent[] = [];
      let position = start;
      for (; position < sorted.length && items.length < limit; position += 1) {
        const event = sorted[position];
        if (event && matches(event)) items.push(event);
      }
      // A next page exists only if a matching event follows; so the last page says null, not an empty page later.
      let more = false;
      for (; position < sorted.length; position += 1) {
        const event = sorted[position];
        if (event && matches(event)) {
          more = true;
          break;
        }
      }
      const last = items[items.length - 1];
      return json(200, {
        items: items.map((event) => eventView(event, ctx.origin)),
        nextCursor: more && last ? encodeCursor(last) : null,
        serverTime,
      });
    }),

    route('POST', '/v1/events/status', 'inbox.events.status', (req, ctx) => {
      const user = authenticate(req, ctx);
      const body = parse(StatusBody, readJson(req));
      const { byId } = eventIndex(ctx.world);
      const visible = visibleTo(user);
      const items: Array<Record<string, unknown>> = [];
      const missing: string[] = [];
      for (const id of new Set(body.ids)) {
        const event = byId.get(id);
        if (event && visible(event)) items.push({ id, status: event.status, assignee: { id: event.assigneeId, name: event.assigneeName } });
        else missing.push(id);
      }
      return json(200, { items, missing });
    }),

    route('POST', '/v1/media', 'inbox.media', (req, ctx) => {
      authenticate(req, ctx);
      const header = req.headers['content-type'];
      const boundary = multipartBoundary(Array.isArray(header) ? header[0] : header);
      if (!boundary) throw new InboxError(415, 'unsupported_media_type', 'Send the image as multipart/form-data with a "file" part');
      const parts = parseMultipart(req.body, boundary);
      if (!parts) throw new InboxError(400, 'invalid_request', 'The multipart body is malformed');
      const file = parts.find((part) => part.name === 'file');
      if (!file || file.data.length === 0) throw new InboxError(400, 'invalid_request', 'The "file" part is missing or empty');
      if (file.data.length > MAX_IMAGE_BYTES) throw new InboxError(413, 'too_large', 'Images are limited to 10 MB');
      // The bytes decide, not the declared type: LINE displays only real JPEG and PNG.
      const contentType = imageType(file.data);
      if (!contentType) throw new InboxError(415, 'unsupported_media_type', 'Only JPEG and PNG images are accepted');
      const sha = createHash('sha256').update(file.data).digest('hex');
      media.set(sha, { bytes: Buffer.from(file.data), contentType });
      const ext = contentType === 'image/png' ? 'png' : 'jpg';
      return json(201, { url: `${ctx.origin}/media/${sha}.${ext}`, previewUrl: `${ctx.origin}/media/${sha}-preview.${ext}` });
    }),

    route('GET', '/media/:file', 'inbox.media.get', (req) => {
      const match = /^([0-9a-f]{64})(-preview)?\.(jpg|png)$/.exec(req.params.file ?? '');
      const stored = match?.[1] ? media.get(match[1]) : undefined;
      const ext = stored?.contentType === 'image/png' ? 'png' : 'jpg';
      if (!stored || match?.[3] !== ext) throw new InboxError(404, 'not_found', 'No such media');
      // The preview is the same bytes: the sandbox has no image library to make a smaller one.
      return { status: 200, headers: { 'cache-control': 'public, max-age=31536000, immutable' }, raw: { body: stored.bytes, contentType: stored.contentType } };
    }),

    route('GET', '/v1/settings', 'inbox.settings', (req, ctx) => {
      const user = authenticate(req, ctx);
      const workspace = workspaceOf(ctx.world, user);
      return json(200, {
        officialDomains: [...workspace.officialDomains],
        utmEnabled: workspace.utmEnabled,
        broadcastExpiryHours: workspace.broadcastExpiryHours,
      });
    }),

    route('PUT', '/v1/broadcasts/:id', 'inbox.broadcasts.put', (req, ctx) => {
      const user = authenticate(req, ctx);
      const id = req.params.id ?? '';
      if (!BROADCAST_ID.test(id)) throw new InboxError(400, 'invalid_request', 'The broadcast id must be 1–128 of [A-Za-z0-9_-]');
      if (workspaceOf(ctx.world, user).plan !== 'omo') throw new InboxError(403, 'forbidden_plan', 'Broadcasts need the OMO plan');
      if (user.role !== 'sales_manager' && user.role !== 'sales_person') {
        throw new InboxError(403, 'forbidden_role', 'Only sales managers and sales persons may broadcast');
      }
      const body = parse(BroadcastBody, readJson(req));
      if (body.senderId !== undefined && body.senderId !== user.id) {
        throw new InboxError(400, 'invalid_request', 'senderId must be the signed-in user');
      }
      const canonical = canonicalJson({ ...body, senderId: user.id });
      const existing = broadcasts.get(id);
      if (existing) {
        if (existing.userId === user.id && existing.canonical === canonical) return json(200, { id, created: false });
        throw new InboxError(409, 'conflict', 'A different report was already stored under this broadcast id');
      }
      broadcasts.set(id, {
        id,
        userId: user.id,
        workspaceId: user.workspaceId,
        storeId: user.storeId,
        senderName: user.name,
        canonical,
        body,
        receivedAt: ctx.clock.now(),
      });
      return json(201, { id, created: true });
    }),

    route('GET', '/v1/reports/referrals', 'inbox.reports.referrals', (req, ctx) => {
      const user = authenticate(req, ctx);
      if (workspaceOf(ctx.world, user).plan !== 'omo') throw new InboxError(403, 'forbidden_plan', 'Referral reports need the OMO plan');
      const visible = reportsVisibleTo(user);
      const query = reportQuery(req.query);
      const rows = new Map<string, ReferralRow>();
      for (const stored of broadcasts.values()) {
        const { sentAt, channels } = stored.body;
        if (sentAt < query.from || sentAt >= query.to || !visible(stored)) continue;
        const day = new Date(sentAt + query.utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
        for (const channel of CHANNELS) {
          const counters = channels[channel];
          if (!counters) continue;
          const key = `${day}\u0000${channel}\u0000${stored.userId}`;
          let row = rows.get(key);
          if (!row) {
            const senderName = ctx.world.users.find((u) => u.id === stored.userId)?.name ?? stored.senderName;
            row = { day, channel, senderId: stored.userId, senderName, messages: 0, officialLinks: 0, otherLinks: 0 };
            rows.set(key, row);
          }
          row.messages += counters.messages;
          row.officialLinks += counters.officialLinks;
          row.otherLinks += counters.otherLinks;
        }
      }
      // Keys sort as (day, channel, senderId): ISO days and the fixed-width channel names compare as text.
      const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
      return json(200, { rows: sorted });
    }),

    route('GET', `${AVATAR_PREFIX}:file`, 'inbox.avatar', (req, ctx) => {
      const match = /^(.+)\.svg$/.exec(req.params.file ?? '');
      const id = match?.[1] ?? '';
      const name = ctx.world.lineUsers.get(id)?.displayName ?? ctx.world.whatsappContacts.get(id)?.name;
      if (name === undefined) throw new InboxError(404, 'not_found', 'No such avatar');
      return { status: 200, headers: { 'cache-control': 'public, max-age=86400' }, raw: { body: avatarSvg(id, name), contentType: 'image/svg+xml' } };
    }),

    // Sandbox controls for tests, in the Inbox API's error format (the router matches them by pattern).
    route('POST', '/_sandbox/inbox/revoke-tokens', 'inbox.control.revoke', (req, ctx) => {
      const body = req.body.length === 0 ? {} : parse(RevokeBody, readJson(req));
      const user = body.account === undefined ? null : ctx.world.users.find((u) => u.account === body.account);
      if (body.account !== undefined && !user) throw new InboxError(404, 'not_found', `No account ${body.account}`);
      let revoked = 0;
      for (const [token, session] of sessions) {
        if (!user || session.userId === user.id) {
          sessions.delete(token);
          revoked += 1;
        }
      }
      return json(200, { revoked });
    }),

    route('POST', '/_sandbox/inbox/events/:id', 'inbox.control.event', (req, ctx) => {
      const change = parse(EventChange, readJson(req));
      const event = eventIndex(ctx.world).byId.get(req.params.id ?? '');
      if (!event) throw new InboxError(404, 'not_found', `No event ${req.params.id ?? ''}`);
      let assignee: DemoUser | undefined;
      let store: Store | undefined;
      if (change.assigneeId !== undefined) {
        assignee = ctx.world.users.find((u) => u.id === change.assigneeId && u.workspaceId === event.workspaceId);
        if (!assignee) throw new InboxError(400, 'invalid_request', `No user ${change.assigneeId} in ${event.workspaceId}`);
        store = storeOf(ctx.world, assignee);
      }
      // Never backwards, so the event moves to the end of the (updatedAt, id) order an incremental sync reads.
      const updatedAt = Math.max(ctx.clock.now(), event.updatedAt + 1);
      updateEvent(ctx.world, event, (e) => {
        if (change.status !== undefined) e.status = change.status;
        if (assignee && store) {
          e.assigneeId = assignee.id;
          e.assigneeName = assignee.name;
          e.storeId = store.id;
          e.storeName = store.name;
        }
        if (change.tags !== undefined) e.tags = [...change.tags];
        e.updatedAt = updatedAt;
      });
      return json(200, { event: eventView(event, ctx.origin) });
    }),

    route('GET', '/_sandbox/inbox/broadcasts', 'inbox.control.broadcasts', () =>
      json(200, {
        broadcasts: [...broadcasts.values()].map((b) => ({ id: b.id, userId: b.userId, receivedAt: b.receivedAt, report: b.body })),
      }),
    ),
  ];

  return {
    name: 'inbox',
    owns: (path) => path.startsWith('/v1/') || path.startsWith('/media/'),
    maxBodyBytes: 25 * 1024 * 1024,
    routes,
    problem: (problem) => errorReply(problem.status, problem.kind, problem.message),
  };
}

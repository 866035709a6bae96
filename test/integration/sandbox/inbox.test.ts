import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { SandboxClock } from '../../../main/sandbox/clock';
import { type Sandbox, startSandbox } from '../../../main/sandbox/server';
import type { InboxEvent } from '../../../main/sandbox/world';
import { OpenApiSpec } from '../../helpers/openapi';

/** A fixed mid-month instant, so "this month" and token lifetimes never straddle a boundary by accident. */
const T0 = Date.UTC(2026, 4, 14, 3, 0, 0);
const HOUR = 60 * 60 * 1000;

// The helper's SpecName names the official documents; the name only keys its Ajv ids, so ours borrows one.
const spec = new OpenApiSpec('line', parseYaml(readFileSync(new URL('../../../main/inbox/openapi.yaml', import.meta.url), 'utf8')) as OpenApiSpec['document'], 0, false);

interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body; any JSON value, narrowed by each test's expectations. */
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

interface EventItem {
  id: string;
  status: string;
  updatedAt: number;
  assignee: { id: string; name: string };
  store: { id: string; name: string };
  customer: { name: string; avatarUrl: string | null; platformId: string };
}

interface EventPage {
  items: EventItem[];
  nextCursor: string | null;
  serverTime: number;
}

let sandbox: Sandbox;
let clock: SandboxClock;
const tokens = new Map<string, string>();

async function api(method: string, path: string, options: { token?: string; body?: unknown; raw?: { data: string; type: string } } = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw) {
    body = options.raw.data;
    headers['content-type'] = options.raw.type;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${sandbox.origin}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const parsed = (await response.json()) as ApiResponse['body'];
  // Every /v1 answer must be what main/inbox/openapi.yaml says it is.
  const bare = path.split('?')[0] ?? path;
  if (bare.startsWith('/v1/') && spec.findOperation(method, bare)) {
    const check = spec.validateResponse(method, bare, response.status, parsed);
    expect(check.errors, `${method} ${path} → ${response.status} against openapi.yaml`).toEqual([]);
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

async function login(account: string): Promise<string> {
  const response = await api('POST', '/v1/auth/login', { body: { account, password: 'demo' } });
  expect(response.status).toBe(200);
  return response.body.accessToken as string;
}

async function token(account: string): Promise<string> {
  let value = tokens.get(account);
  if (value === undefined) {
    value = await login(account);
    tokens.set(account, value);
  }
  return value;
}

async function walk(account: string, query = '', limit = 1000): Promise<{ items: EventItem[]; pages: number; serverTime: number }> {
  const auth = await token(account);
  const items: EventItem[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let serverTime = 0;
  do {
    const params = new URLSearchParams(query);
    params.set('limit', String(limit));
    if (cursor !== null) params.set('cursor', cursor);
    const response = await api('GET', `/v1/events?${params.toString()}`, { token: auth });
    expect(response.status).toBe(200);
    const page = response.body as unknown as EventPage;
    if (pages === 0) serverTime = page.serverTime;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null);
  return { items, pages, serverTime };
}

function worldEvents(predicate: (event: InboxEvent) => boolean): InboxEvent[] {
  return sandbox.context.world.events.filter(predicate);
}

beforeAll(async () => {
  clock = new SandboxClock();
  clock.freeze(T0);
  sandbox = await startSandbox({ events: 500, seed: 7, clock });
});

afterEach(() => {
  // Tests that move time put it back even when they fail, so the next test starts at T0.
  clock.freeze(T0);
});

afterAll(async () => {
  await sandbox.close();
});

describe('Inbox API: sign-in', () => {
  it('signs in with the demo password and refuses a wrong one', async () => {
    const ok = await api('POST', '/v1/auth/login', { body: { account: 'sales@demo', password: 'demo' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ expiresAt: T0 + 12 * HOUR, user: { id: 'u-sales', name: '林志豪', role: 'sales_person' } });
    expect(typeof ok.body.accessToken).toBe('string');

    const wrong = await api('POST', '/v1/auth/login', { body: { account: 'sales@demo', password: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe('invalid_credentials');
    const unknown = await api('POST', '/v1/auth/login', { body: { account: 'nobody@demo', password: 'demo' } });
    expect(unknown.body.error?.code).toBe('invalid_credentials');
    const malformed = await api('POST', '/v1/auth/login', { body: { account: 'sales@demo' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.code).toBe('invalid_request');
    const notJson = await api('POST', '/v1/auth/login', { raw: { data: 'account=sales', type: 'text/plain' } });
    expect(notJson.status).toBe(415);
  });

  it('refuses a missing or unknown token, and an expired one once the clock passes 12 hours', async () => {
    expect((await api('GET', '/v1/me')).body.error?.code).toBe('unauthorized');
    expect((await api('GET', '/v1/me', { token: 'made-up' })).body.error?.code).toBe('unauthorized');

    const auth = await login('sales@demo');
    clock.advance(12 * HOUR - 1);
    expect((await api('GET', '/v1/me', { token: auth })).status).toBe(200);
    clock.advance(1);
    const expired = await api('GET', '/v1/me', { token: auth });
    expect(expired.status).toBe(401);
    expect(expired.body.error?.code).toBe('token_expired');
  });

  it('revokes the tokens of one account through the sandbox control', async () => {
    const sales = await login('sales@demo');
    const manager = await login('manager@demo');
    const revoke = await fetch(`${sandbox.origin}/_sandbox/inbox/revoke-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'sales@demo' }),
    });
    expect(revoke.status).toBe(200);
    expect(((await revoke.json()) as { revoked: number }).revoked).toBeGreaterThanOrEqual(1);
    expect((await api('GET', '/v1/me', { token: sales })).body.error?.code).toBe('unauthorized');
    expect((await api('GET', '/v1/me', { token: manager })).status).toBe(200);
    tokens.delete('sales@demo');
  });

  it('answers unknown paths and methods in its own error format', async () => {
    const missing = await api('GET', '/v1/nothing', { token: await token('sales@demo') });
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('not_found');
    const method = await api('DELETE', '/v1/me', { token: await token('sales@demo') });
    expect(method.status).toBe(405);
    expect(method.body.error?.code).toBe('method_not_allowed');
  });
});

describe('Inbox API: me, channels, settings', () => {
  it('tells each account its role, plan, store and allowance', async () => {
    const me = async (account: string) => (await api('GET', '/v1/me', { token: await token(account) })).body;
    expect(await me('manager@demo')).toMatchObject({
      user: { id: 'u-manager', role: 'sales_manager' },
      workspace: { id: 'ws-omo', name: '晨光選物 Morning Light', plan: 'omo' },
      store: { id: 'store-taipei-xinyi', name: '台北信義店' },
      allowance: { monthlyLimit: null, usedThisMonth: 0 },
    });
    expect(await me('sales2@demo')).toMatchObject({
      user: { role: 'sales_person' },
      store: { name: '台中勤美店' },
      allowance: { monthlyLimit: 2000, usedThisMonth: 0 },
    });
    expect(await me('agent@demo')).toMatchObject({ user: { role: 'agent' }, workspace: { plan: 'omo' } });
    expect(await me('admin@demo')).toMatchObject({ user: { role: 'admin' }, workspace: { plan: 'omo' } });
    expect(await me('standard@demo')).toMatchObject({ user: { role: 'sales_person' }, workspace: { id: 'ws-std', plan: 'standard' } });
  });

  it("gives the workspace's channels with the sandbox as their API base URL", async () => {
    const { world } = sandbox.context;
    const omo = await api('GET', '/v1/channels', { token: await token('sales@demo') });
    expect(omo.status).toBe(200);
    const line = omo.body.line as Array<{ id: string; accessToken: string; apiBaseUrl: string }>;
    const whatsapp = omo.body.whatsapp as Array<{ phoneNumberId: string; wabaId: string; graphVersion: string; apiBaseUrl: string }>;
    expect(line.map((c) => c.id)).toEqual(world.lineChannels.filter((c) => c.workspaceId === 'ws-omo').map((c) => c.id));
    expect(line.every((c) => c.apiBaseUrl === sandbox.origin && c.accessToken.startsWith('sbx-line-'))).toBe(true);
    expect(whatsapp).toHaveLength(2);
    expect(whatsapp.every((n) => n.apiBaseUrl === sandbox.origin && n.graphVersion === 'v23.0')).toBe(true);

    const standard = await api('GET', '/v1/channels', { token: await token('standard@demo') });
    const standardLine = standard.body.line as Array<{ id: string }>;
    expect(standardLine.map((c) => c.id)).toEqual(world.lineChannels.filter((c) => c.workspaceId === 'ws-std').map((c) => c.id));
  });

  it('gives the workspace settings', async () => {
    const settings = await api('GET', '/v1/settings', { token: await token('sales@demo') });
    expect(settings.body).toEqual({ officialDomains: ['morninglight.example', 'shop.morninglight.example'], utmEnabled: true, broadcastExpiryHours: 24 });
    const standard = await api('GET', '/v1/settings', { token: await token('standard@demo') });
    expect(standard.body.utmEnabled).toBe(false);
  });
});

describe('Inbox API: events', () => {
  it('shows each role exactly the events it may see', async () => {
    const ids = (items: EventItem[]) => items.map((e) => e.id).sort();
    const expected = (predicate: (event: InboxEvent) => boolean) => worldEvents(predicate).map((e) => e.id).sort();

    const sales = (await walk('sales@demo')).items;
    expect(sales.length).toBeGreaterThan(50);
    expect(ids(sales)).toEqual(expected((e) => e.assigneeId === 'u-sales'));

    const manager = (await walk('manager@demo')).items;
    expect(ids(manager)).toEqual(expected((e) => e.workspaceId === 'ws-omo' && e.storeId === 'store-taipei-xinyi'));
    expect(new Set(manager.map((e) => e.assignee.id)).size).toBeGreaterThanOrEqual(3);

    const sales2 = (await walk('sales2@demo')).items;
    expect(sales2.length).toBeGreaterThan(0);
    expect(sales2.every((e) => e.assignee.id === 'u-sales2' && e.store.name === '台中勤美店')).toBe(true);
    expect(ids(sales2)).toEqual(expected((e) => e.assigneeId === 'u-sales2'));

    expect(ids((await walk('admin@demo')).items)).toEqual(expected((e) => e.workspaceId === 'ws-omo'));
    expect(ids((await walk('agent@demo')).items)).toEqual(expected((e) => e.assigneeId === 'u-agent'));
    const standard = (await walk('standard@demo')).items;
    expect(standard.length).toBeGreaterThan(0);
    expect(ids(standard)).toEqual(expected((e) => e.workspaceId === 'ws-std'));
  });

  it('walks every visible event exactly once, in (updatedAt, id) order, 37 at a time', async () => {
    const { items, pages } = await walk('manager@demo', '', 37);
    const all = (await walk('manager@demo')).items;
    expect(items.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(new Set(items.map((e) => e.id)).size).toBe(items.length);
    expect(pages).toBe(Math.ceil(items.length / 37));
    for (let i = 1; i < items.length; i += 1) {
      const a = items[i - 1];
      const b = items[i];
      if (!a || !b) continue;
      expect(a.updatedAt < b.updatedAt || (a.updatedAt === b.updatedAt && a.id < b.id)).toBe(true);
    }
    // Avatars are absolute URLs on the sandbox origin, and are served.
    const avatar = items.find((e) => e.customer.avatarUrl !== null)?.customer.avatarUrl;
    expect(avatar?.startsWith(`${sandbox.origin}/_sandbox/avatars/`)).toBe(true);
    const svg = await fetch(avatar ?? '');
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(await svg.text()).toContain('<circle');
  });

  it('filters by status', async () => {
    const inProgress = (await walk('sales@demo', 'status=in_progress')).items;
    expect(inProgress.length).toBeGreaterThan(0);
    expect(inProgress.every((e) => e.status === 'in_progress')).toBe(true);
    expect(inProgress).toHaveLength(worldEvents((e) => e.assigneeId === 'u-sales' && e.status === 'in_progress').length);
    const two = (await walk('sales@demo', 'status=pending,resolved')).items;
    expect(two.length + inProgress.length).toBe(worldEvents((e) => e.assigneeId === 'u-sales').length);
  });

  it('returns only what changed since the last sync, after a status change', async () => {
    const first = await walk('sales@demo');
    const open = first.items.filter((e) => e.status === 'in_progress');
    const target = open[0];
    const foreign = worldEvents((e) => e.assigneeId === 'u-sales5')[0];
    if (!target || !foreign) throw new Error('the seeded world lacks events for this test');
    clock.advance(1000);
    const change = async (id: string, body: unknown) =>
      fetch(`${sandbox.origin}/_sandbox/inbox/events/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await change(target.id, { status: 'resolved' })).status).toBe(200);
    expect((await change(foreign.id, { status: 'pending' })).status).toBe(200);

    const since = await walk('sales@demo', `updatedSince=${first.serverTime}`);
    // Inclusive: events updated in the very millisecond of the last sync come again (already seen, deduped by id).
    const seenAgain = first.items.filter((e) => e.updatedAt === first.serverTime).map((e) => e.id);
    expect(since.items.map((e) => e.id)).toEqual([...seenAgain, target.id]);
    expect(since.items.at(-1)).toMatchObject({ id: target.id, status: 'resolved', updatedAt: T0 + 1000 });
    const next = await walk('sales@demo', `updatedSince=${since.serverTime}`);
    expect(next.items.map((e) => e.id)).toEqual([target.id]);
    // It left in_progress: a status-filtered listing no longer has it.
    expect((await walk('sales@demo', 'status=in_progress')).items.some((e) => e.id === target.id)).toBe(false);

    // Reassigned to sales2 (another store): it leaves sales's view and joins sales2's.
    clock.advance(1000);
    const moved = open[1];
    if (!moved) throw new Error('need two events');
    expect((await change(moved.id, { assigneeId: 'u-sales2' })).status).toBe(200);
    const sales2 = await walk('sales2@demo', `updatedSince=${T0 + 1500}`);
    expect(sales2.items.map((e) => [e.id, e.store.name])).toEqual([[moved.id, '台中勤美店']]);
    expect((await walk('sales@demo')).items.some((e) => e.id === moved.id)).toBe(false);
    expect((await change('evt_nope', { status: 'pending' })).status).toBe(404);
  });

  it('refuses a bad limit, status, updatedSince or cursor', async () => {
    const auth = await token('sales@demo');
    for (const query of ['limit=1001', 'limit=0', 'limit=abc', 'status=open', 'updatedSince=yesterday', 'cursor=%%%bad']) {
      const response = await api('GET', `/v1/events?${query}`, { token: auth });
      expect(response.status, query).toBe(400);
      expect(['invalid_request', 'invalid_cursor']).toContain(response.body.error?.code);
    }
    const max = await api('GET', '/v1/events?limit=1000', { token: await token('admin@demo') });
    expect(max.status).toBe(200);
    const page = max.body as unknown as EventPage;
    expect(page.items.length).toBeLessThanOrEqual(1000);
    expect(page.serverTime).toBe(T0);
  });

  it('answers the current status of up to 1,000 ids and lists the ones it cannot show', async () => {
    const auth = await token('sales@demo');
    const mine = worldEvents((e) => e.assigneeId === 'u-sales').map((e) => e.id);
    const others = worldEvents((e) => e.assigneeId !== 'u-sales').map((e) => e.id);
    const made = Array.from({ length: 1000 - mine.length - 10 }, (_, i) => `evt_missing_${i}`);
    const ids = [...mine, ...others.slice(0, 10), ...made];
    expect(ids).toHaveLength(1000);
    const response = await api('POST', '/v1/events/status', { token: auth, body: { ids } });
    expect(response.status).toBe(200);
    const items = response.body.items as Array<{ id: string; status: string; assignee: { id: string } }>;
    expect(items.map((i) => i.id).sort()).toEqual([...mine].sort());
    expect(items.every((i) => i.assignee.id === 'u-sales')).toBe(true);
    expect((response.body.missing as string[]).sort()).toEqual([...others.slice(0, 10), ...made].sort());

    const tooMany = await api('POST', '/v1/events/status', { token: auth, body: { ids: [...ids, 'one-more'] } });
    expect(tooMany.status).toBe(400);
    expect((await api('POST', '/v1/events/status', { token: auth, body: { ids: [] } })).status).toBe(400);
  });
});

describe('Inbox API: media', () => {
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF sandbox test image'), Buffer.from([0xff, 0xd9])]);
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR sandbox test image')]);

  const upload = async (bytes: Buffer, type: string, name: string, auth?: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
    return fetch(`${sandbox.origin}/v1/media`, { method: 'POST', body: form, headers: auth === undefined ? {} : { authorization: `Bearer ${auth}` } });
  };

  it('hosts JPEG and PNG images and serves them back byte for byte', async () => {
    const auth = await token('sales@demo');
    for (const [bytes, type, ext] of [
      [jpeg, 'image/jpeg', 'jpg'],
      [png, 'image/png', 'png'],
    ] as const) {
      const response = await upload(bytes, type, `photo.${ext}`, auth);
      expect(response.status).toBe(201);
      const body = (await response.json()) as { url: string; previewUrl: string };
      expect(spec.validateResponse('POST', '/v1/media', 201, body).errors).toEqual([]);
      expect(body.url).toMatch(new RegExp(`^${sandbox.origin}/media/[0-9a-f]{64}\\.${ext}$`));
      for (const url of [body.url, body.previewUrl]) {
        const served = await fetch(url);
        expect(served.status).toBe(200);
        expect(served.headers.get('content-type')).toBe(type);
        expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
      }
    }
  });

  it('refuses a text file (whatever it claims to be), a non-multipart body and a missing token', async () => {
    const auth = await token('sales@demo');
    const text = await upload(Buffer.from('hello, not an image'), 'image/jpeg', 'fake.jpg', auth);
    expect(text.status).toBe(415);
    expect(((await text.json()) as ApiResponse['body']).error?.code).toBe('unsupported_media_type');
    const plain = await api('POST', '/v1/media', { token: auth, raw: { data: jpeg.toString('latin1'), type: 'image/jpeg' } });
    expect(plain.status).toBe(415);
    expect((await upload(jpeg, 'image/jpeg', 'a.jpg')).status).toBe(401);
    const huge = Buffer.concat([jpeg, Buffer.alloc(10 * 1024 * 1024)]);
    const tooLarge = await upload(huge, 'image/jpeg', 'huge.jpg', auth);
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as ApiResponse['body']).error?.code).toBe('too_large');
    expect((await fetch(`${sandbox.origin}/media/${'0'.repeat(64)}.jpg`)).status).toBe(404);
  });
});

describe('Inbox API: broadcast reports', () => {
  const report = {
    sentAt: T0 - HOUR,
    channels: { line: { messages: 30, officialLinks: 30, otherLinks: 0 }, whatsapp: { messages: 12, officialLinks: 0, otherLinks: 12 } },
    totals: { messages: 42, officialLinks: 30, otherLinks: 12 },
  };

  it('stores a report once, repeats idempotently and refuses a conflicting one', async () => {
    const auth = await token('sales2@demo');
    const id = '6f1c2b9e-1d2a-4c3b-9e8f-0a1b2c3d4e5f';
    const first = await api('PUT', `/v1/broadcasts/${id}`, { token: auth, body: { ...report, senderId: 'u-sales2' } });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id, created: true });
    // The same report with keys in another order and without the optional senderId is the same report.
    const reordered = { totals: report.totals, channels: report.channels, sentAt: report.sentAt };
    const repeat = await api('PUT', `/v1/broadcasts/${id}`, { token: auth, body: reordered });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual({ id, created: false });

    const conflict = await api('PUT', `/v1/broadcasts/${id}`, { token: auth, body: { ...report, sentAt: T0 } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error?.code).toBe('conflict');
    const otherUser = await api('PUT', `/v1/broadcasts/${id}`, { token: await token('sales@demo'), body: report });
    expect(otherUser.status).toBe(409);

    const me = await api('GET', '/v1/me', { token: auth });
    expect(me.body.allowance).toEqual({ monthlyLimit: 2000, usedThisMonth: 42 });
  });

  it('counts only this month in the allowance', async () => {
    const auth = await token('manager@demo');
    const lastMonth = { ...report, sentAt: Date.UTC(2026, 3, 20) };
    expect((await api('PUT', '/v1/broadcasts/last-month', { token: auth, body: lastMonth })).status).toBe(201);
    expect((await api('PUT', '/v1/broadcasts/this-month', { token: auth, body: report })).status).toBe(201);
    expect(((await api('GET', '/v1/me', { token: auth })).body.allowance as { usedThisMonth: number }).usedThisMonth).toBe(42);
  });

  it('refuses other roles, other plans and inconsistent bodies', async () => {
    const agent = await api('PUT', '/v1/broadcasts/by-agent', { token: await token('agent@demo'), body: report });
    expect(agent.status).toBe(403);
    expect(agent.body.error?.code).toBe('forbidden_role');
    const admin = await api('PUT', '/v1/broadcasts/by-admin', { token: await token('admin@demo'), body: report });
    expect(admin.body.error?.code).toBe('forbidden_role');
    const standard = await api('PUT', '/v1/broadcasts/by-standard', { token: await token('standard@demo'), body: report });
    expect(standard.status).toBe(403);
    expect(standard.body.error?.code).toBe('forbidden_plan');

    const auth = await token('sales@demo');
    const badTotals = await api('PUT', '/v1/broadcasts/bad-totals', { token: auth, body: { ...report, totals: { messages: 1, officialLinks: 30, otherLinks: 12 } } });
    expect(badTotals.status).toBe(400);
    const badSender = await api('PUT', '/v1/broadcasts/bad-sender', { token: auth, body: { ...report, senderId: 'u-sales2' } });
    expect(badSender.status).toBe(400);
    const badId = await api('PUT', '/v1/broadcasts/has%20space', { token: auth, body: report });
    expect(badId.status).toBe(400);
    expect((await api('PUT', '/v1/broadcasts/no-token', { body: report })).status).toBe(401);
  });
});

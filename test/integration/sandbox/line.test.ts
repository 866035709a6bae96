import { randomUUID } from 'node:crypto';
import { HTTPFetchError, type messagingApi } from '@line/bot-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { createLineClient } from '../../../main/channels/line/messages';
import { SandboxClock } from '../../../main/sandbox/clock';
import type { SandboxLimits } from '../../../main/sandbox/context';
import type { LedgerEntry } from '../../../main/sandbox/ledger';
import { type Sandbox, startSandbox } from '../../../main/sandbox/server';
import type { LineChannel } from '../../../main/sandbox/world';

/** A fixed mid-month instant, so the quota month and the rate windows never straddle a boundary by accident. */
const T0 = Date.UTC(2026, 4, 14, 3, 0, 0);
const DAY = 24 * 60 * 60 * 1000;
const UUID_FORM = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RATE_MESSAGE = 'The API rate limit has been exceeded. Try again later.';
const MONTHLY_MESSAGE = 'You have reached your monthly limit.';

interface LineErrorBody {
  message: string;
  details?: Array<{ message: string; property: string }>;
  sentMessages?: Array<{ id: string; quoteToken?: string }>;
}

interface Harness {
  sandbox: Sandbox;
  clock: SandboxClock;
  channel: LineChannel;
  /** The first channel's users: the seeded ones plus enough synthetic ones for a 500-recipient multicast. */
  users: string[];
  /** A user of another channel (foreign to `channel`). */
  foreignUser: string;
  client: messagingApi.MessagingApiClient;
}

let current: Harness | null = null;

afterEach(async () => {
  await current?.sandbox.close();
  current = null;
});

async function start(limits: Partial<SandboxLimits> = {}): Promise<Harness> {
  const clock = new SandboxClock();
  clock.freeze(T0);
  const sandbox = await startSandbox({ events: 200, seed: 1, limits, clock });
  const world = sandbox.context.world;
  const channel = world.lineChannels[0];
  const other = world.lineChannels[1];
  if (!channel || !other) throw new Error('the seeded world has fewer than two LINE channels');
  // The seeded demo has fewer than 500 customers per channel; a real channel can have many more.
  for (let index = 0; index < 600; index += 1) {
    const userId = `U${index.toString(16).padStart(32, '0')}`;
    world.lineUsers.set(userId, { userId, channelId: channel.id, displayName: `Synthetic ${index}`, pictureUrl: null, language: 'zh-TW' });
  }
  const users = [...world.lineUsers.values()].filter((user) => user.channelId === channel.id).map((user) => user.userId);
  const foreignUser = [...world.lineUsers.values()].find((user) => user.channelId === other.id)?.userId;
  if (!foreignUser) throw new Error('the second channel has no users');
  const client = createLineClient({ channelAccessToken: channel.accessToken, baseURL: sandbox.origin });
  current = { sandbox, clock, channel, users, foreignUser, client };
  return current;
}

function text(value = 'New arrivals this week'): messagingApi.TextMessage {
  return { type: 'text', text: value };
}

function lineEntries(h: Harness): LedgerEntry[] {
  return h.sandbox.context.ledger.entries({ channel: 'line' });
}

/** The SDK's error for a call expected to fail with an HTTP status. */
async function httpFailure(call: Promise<unknown>): Promise<{ error: HTTPFetchError; body: LineErrorBody }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof HTTPFetchError) return { error, body: JSON.parse(error.body) as LineErrorBody };
    throw error;
  }
  throw new Error('expected the SDK call to fail');
}

async function raw(
  h: Harness,
  method: string,
  path: string,
  options: { body?: string; contentType?: string; headers?: Record<string, string>; token?: string } = {},
): Promise<{ status: number; headers: Headers; body: LineErrorBody & Record<string, unknown> }> {
  const response = await fetch(`${h.sandbox.origin}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token ?? h.channel.accessToken}`,
      ...(options.contentType === undefined ? {} : { 'content-type': options.contentType }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const textBody = await response.text();
  return { status: response.status, headers: response.headers, body: (textBody ? JSON.parse(textBody) : {}) as LineErrorBody & Record<string, unknown> };
}

async function armFault(h: Harness, spec: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${h.sandbox.origin}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  expect(response.status).toBe(200);
}

describe('LINE sandbox: authentication', () => {
  it('refuses an unknown token with 401 and LINE’s message', async () => {
    const h = await start();
    const stranger = createLineClient({ channelAccessToken: 'not-a-token', baseURL: h.sandbox.origin });
    const { error, body } = await httpFailure(stranger.multicast({ to: h.users.slice(0, 1), messages: [text()] }));
    expect(error.status).toBe(401);
    expect(body).toEqual({
      message:
        'Authentication failed due to the following reason: invalid token. Confirm that the access token in the authorization header is valid.',
    });
    expect(error.headers.get('x-line-request-id')).toMatch(UUID_FORM);
    const missing = await fetch(`${h.sandbox.origin}/v2/bot/message/quota`);
    expect(missing.status).toBe(401);
    expect(lineEntries(h)).toHaveLength(0);
  });

  it('serves each channel with its own token, and only that channel’s users', async () => {
    const h = await start();
    const second = h.sandbox.context.world.lineChannels[1];
    if (!second) throw new Error('no second channel');
    const client = createLineClient({ channelAccessToken: second.accessToken, baseURL: h.sandbox.origin });
    await expect(client.multicast({ to: [h.foreignUser], messages: [text()] })).resolves.toEqual({});
    expect(lineEntries(h)).toMatchObject([{ account: second.id, recipient: h.foreignUser }]);
  });
});

describe('LINE sandbox: multicast recipients', () => {
  it('accepts 1 and 500 recipients and records each once', async () => {
    const h = await start();
    await expect(h.client.multicast({ to: h.users.slice(0, 1), messages: [text()] })).resolves.toEqual({});
    const five100 = h.users.slice(0, 500);
    const { httpResponse, body } = await h.client.multicastWithHttpInfo({ to: five100, messages: [text('second')] }, randomUUID());
    expect(body).toEqual({});
    const requestId = httpResponse.headers.get('x-line-request-id');
    const entries = lineEntries(h);
    expect(entries).toHaveLength(501);
    const second = entries.filter((entry) => entry.id === requestId);
    expect(second.map((entry) => entry.recipient)).toEqual(five100);
    expect(new Set(second.map((entry) => entry.contentHash)).size).toBe(1);
    expect(second[0]).toMatchObject({ channel: 'line', account: h.channel.id, at: T0 });
  });

  it('refuses 0 and 501 recipients with LINE’s size detail', async () => {
    const h = await start();
    for (const to of [[], h.users.slice(0, 501)]) {
      const { error, body } = await httpFailure(h.client.multicast({ to, messages: [text()] }));
      expect(error.status).toBe(400);
      expect(body).toEqual({ message: 'The request body has 1 error(s)', details: [{ message: 'Size must be between 1 and 500', property: 'to' }] });
    }
    expect(lineEntries(h)).toHaveLength(0);
  });

  it('refuses an unknown or another channel’s user id with 400 and sends to nobody (all or nothing)', async () => {
    const h = await start();
    for (const stranger of ['U0123456789abcdef0123456789abcdef', h.foreignUser]) {
      const { error, body } = await httpFailure(h.client.multicast({ to: [...h.users.slice(0, 10), stranger], messages: [text()] }));
      expect(error.status).toBe(400);
      expect(body.message).toMatch(/^The property, 'to', in the request body is invalid/);
    }
    expect(lineEntries(h)).toHaveLength(0);
    await expect(h.client.getMessageQuotaConsumption()).resolves.toEqual({ totalUsage: 0 });
  });
});

describe('LINE sandbox: message objects', () => {
  it('refuses 0 and 6 messages', async () => {
    const h = await start();
    for (const messages of [[], Array.from({ length: 6 }, () => text())]) {
      const { error, body } = await httpFailure(h.client.multicast({ to: h.users.slice(0, 1), messages }));
      expect(error.status).toBe(400);
      expect(body.details).toEqual([{ message: 'Size must be between 1 and 5', property: 'messages' }]);
    }
    await expect(h.client.multicast({ to: h.users.slice(0, 1), messages: Array.from({ length: 5 }, () => text()) })).resolves.toEqual({});
  });

  it('counts text length in UTF-16 units: 5,000 passes, 4,999 + an emoji (5,001 units) fails, empty fails', async () => {
    const h = await start();
    const to = h.users.slice(0, 1);
    await expect(h.client.multicast({ to, messages: [text('あ'.repeat(5000))] })).resolves.toEqual({});
    await expect(h.client.multicast({ to, messages: [text(`${'a'.repeat(4998)}😀`)] })).resolves.toEqual({});
    const long = await httpFailure(h.client.multicast({ to, messages: [text('x'), text(`${'a'.repeat(4999)}😀`)] }));
    expect(long.error.status).toBe(400);
    expect(long.body).toEqual({
      message: 'The request body has 1 error(s)',
      details: [{ message: 'Length must be between 0 and 5000', property: 'messages[1].text' }],
    });
    const empty = await httpFailure(h.client.multicast({ to, messages: [text('')] }));
    expect(empty.error.status).toBe(400);
    expect(empty.body.details?.[0]?.property).toBe('messages[0].text');
    expect(lineEntries(h)).toHaveLength(2);
  });

  it('takes HTTPS image URLs, and plain http only on the sandbox’s own origin', async () => {
    const h = await start();
    const to = h.users.slice(0, 1);
    const image = (original: string, preview = original): messagingApi.ImageMessage => ({ type: 'image', originalContentUrl: original, previewImageUrl: preview });
    await expect(h.client.multicast({ to, messages: [image('https://cdn.example.com/a.jpg'), text()] })).resolves.toEqual({});
    await expect(h.client.multicast({ to, messages: [image(`${h.sandbox.origin}/v1/media/a.jpg`)] })).resolves.toEqual({});

    const insecure = await httpFailure(h.client.multicast({ to, messages: [image('http://evil.example.com/a.jpg', 'https://cdn.example.com/p.jpg')] }));
    expect(insecure.error.status).toBe(400);
    expect(insecure.body.details).toEqual([{ message: 'Must be a valid HTTPS URL', property: 'messages[0].originalContentUrl' }]);

    const tooLong = `https://cdn.example.com/${'a'.repeat(2001 - 'https://cdn.example.com/'.length)}`;
    expect(tooLong).toHaveLength(2001);
    const long = await httpFailure(h.client.multicast({ to, messages: [image('https://cdn.example.com/a.jpg', tooLong)] }));
    expect(long.error.status).toBe(400);
    expect(long.body.details).toEqual([{ message: 'Length must be between 0 and 2000', property: 'messages[0].previewImageUrl' }]);

    const missing = await raw(h, 'POST', '/v2/bot/message/multicast', {
      contentType: 'application/json',
      body: JSON.stringify({ to, messages: [{ type: 'image', originalContentUrl: 'https://cdn.example.com/a.jpg' }] }),
    });
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([{ message: 'must be specified', property: 'messages[0].previewImageUrl' }]);
    expect(lineEntries(h)).toHaveLength(2);
  });

  it('refuses message types the emulator does not model, ignores unknown properties, checks notificationDisabled', async () => {
    const h = await start();
    const to = h.users.slice(0, 1);
    const sticker = await raw(h, 'POST', '/v2/bot/message/multicast', {
      contentType: 'application/json',
      body: JSON.stringify({ to, messages: [{ type: 'sticker', packageId: '446', stickerId: '1988' }] }),
    });
    expect(sticker.status).toBe(400);
    expect(sticker.body.details?.[0]?.property).toBe('messages[0].type');
    const extra = await raw(h, 'POST', '/v2/bot/message/multicast', {
      contentType: 'application/json',
      body: JSON.stringify({ to, messages: [{ type: 'text', text: 'hi', futureField: 1 }], notificationDisabled: true, somethingNew: 'x' }),
    });
    expect(extra.status).toBe(200);
    const notBoolean = await raw(h, 'POST', '/v2/bot/message/multicast', {
      contentType: 'application/json',
      body: JSON.stringify({ to, messages: [text()], notificationDisabled: 'yes' }),
    });
    expect(notBoolean.status).toBe(400);
    expect(notBoolean.body.message).toMatch(/^The property, 'notificationDisabled'/);
  });
});

describe('LINE sandbox: request format', () => {
  it('refuses a body over 2 MB with 413', async () => {
    const h = await start();
    const body = JSON.stringify({ to: h.users.slice(0, 1), messages: [text()], padding: 'x'.repeat(2 * 1024 * 1024) });
    const response = await raw(h, 'POST', '/v2/bot/message/multicast', { contentType: 'application/json', body });
    expect(response.status).toBe(413);
    expect(response.body).toEqual({ message: 'Request entity too large' });
    expect(response.headers.get('x-line-request-id')).toMatch(UUID_FORM);
    expect(lineEntries(h)).toHaveLength(0);
  });

  it('refuses a wrong content type with 415 and unparsable JSON with 400', async () => {
    const h = await start();
    const wrongType = await raw(h, 'POST', '/v2/bot/message/multicast', { contentType: 'text/plain', body: '{}' });
    expect(wrongType.status).toBe(415);
    const badJson = await raw(h, 'POST', '/v2/bot/message/multicast', { contentType: 'application/json', body: '{"to": [' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.message).toMatch(/^The request body could not be parsed as JSON/);
    const notObject = await raw(h, 'POST', '/v2/bot/message/multicast', { contentType: 'application/json', body: '[1]' });
    expect(notObject.status).toBe(400);
  });

  it('puts a fresh x-line-request-id on every response, errors and framework refusals included', async () => {
    const h = await start({ lineOtherPerSecond: 1 });
    const responses = [
      await raw(h, 'POST', '/v2/bot/message/multicast', { contentType: 'application/json', body: JSON.stringify({ to: h.users.slice(0, 1), messages: [text()] }) }),
      await raw(h, 'POST', '/v2/bot/message/multicast', { contentType: 'application/json', body: '{}' }),
      await raw(h, 'GET', '/v2/bot/message/quota', { token: 'wrong' }),
      await raw(h, 'GET', '/v2/bot/no/such/endpoint'),
      await raw(h, 'GET', '/v2/bot/message/multicast'),
      await raw(h, 'GET', '/v2/bot/message/quota'),
      await raw(h, 'GET', '/v2/bot/message/quota'),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 400, 401, 404, 405, 200, 429]);
    expect(responses[3]?.body).toEqual({ message: 'Not found' });
    const ids = responses.map((response) => response.headers.get('x-line-request-id'));
    for (const id of ids) expect(id).toMatch(UUID_FORM);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('LINE sandbox: X-Line-Retry-Key', () => {
  it('refuses a key that is not a UUID', async () => {
    const h = await start();
    const { error, body } = await httpFailure(h.client.multicast({ to: h.users.slice(0, 1), messages: [text()] }, 'retry-1'));
    expect(error.status).toBe(400);
    expect(body).toEqual({ message: "The value for the 'X-Line-Retry-Key' header is invalid" });
    expect(lineEntries(h)).toHaveLength(0);
  });

  it('refuses the header on endpoints that do not take it', async () => {
    const h = await start();
    const headers = { 'x-line-retry-key': randomUUID() };
    const quota = await raw(h, 'GET', '/v2/bot/message/quota', { headers });
    expect(quota.status).toBe(400);
    expect((await raw(h, 'GET', '/v2/bot/message/quota/consumption', { headers })).status).toBe(400);
    expect((await raw(h, 'GET', `/v2/bot/profile/${h.users[0]}`, { headers })).status).toBe(400);
    const validate = await raw(h, 'POST', '/v2/bot/message/validate/multicast', {
      headers,
      contentType: 'application/json',
      body: JSON.stringify({ messages: [text()] }),
    });
    expect(validate.status).toBe(400);
  });

  it('answers a repeat of an accepted key with 409, the original request id, and no second delivery', async () => {
    const h = await start();
    const key = randomUUID();
    const request = { to: h.users.slice(0, 500), messages: [text()] };
    const first = await h.client.multicastWithHttpInfo(request, key);
    const firstId = first.httpResponse.headers.get('x-line-request-id');
    expect(firstId).toMatch(UUID_FORM);

    const { error, body } = await httpFailure(h.client.multicastWithHttpInfo(request, key));
    expect(error.status).toBe(409);
    expect(body).toEqual({ message: 'The retry key is already accepted' });
    expect(error.headers.get('x-line-accepted-request-id')).toBe(firstId);
    expect(error.headers.get('x-line-request-id')).not.toBe(firstId);

    const entries = lineEntries(h);
    expect(entries).toHaveLength(500);
    expect(new Set(entries.map((entry) => entry.recipient)).size).toBe(500);
    expect(entries.every((entry) => entry.retryKey === key && entry.id === firstId)).toBe(true);
    await expect(h.client.getMessageQuotaConsumption()).resolves.toEqual({ totalUsage: 500 });
  });

  it('repeats sentMessages in a push 409', async () => {
    const h = await start();
    const key = randomUUID();
    const request = { to: h.users[0] ?? '', messages: [text('one'), text('two')] };
    const first = await h.client.pushMessage(request, key);
    expect(first.sentMessages).toHaveLength(2);
    const { error, body } = await httpFailure(h.client.pushMessage(request, key));
    expect(error.status).toBe(409);
    expect(body).toEqual({ message: 'The retry key is already accepted', sentMessages: first.sentMessages });
    expect(lineEntries(h)).toHaveLength(1);
  });

  it('forgets a key after the TTL on the sandbox clock', async () => {
    const h = await start();
    const key = randomUUID();
    const request = { to: h.users.slice(0, 3), messages: [text()] };
    await h.client.multicast(request, key);
    h.clock.advance(DAY - 1);
    expect((await httpFailure(h.client.multicast(request, key))).error.status).toBe(409);
    h.clock.advance(2);
    await expect(h.client.multicast(request, key)).resolves.toEqual({});
    expect(lineEntries(h)).toHaveLength(6);
  });

  it('does not let a failed request consume the key', async () => {
    const h = await start();
    const key = randomUUID();
    const bad = await httpFailure(h.client.multicast({ to: ['Unobody'], messages: [text()] }, key));
    expect(bad.error.status).toBe(400);
    await expect(h.client.multicast({ to: h.users.slice(0, 2), messages: [text()] }, key)).resolves.toEqual({});
    expect((await httpFailure(h.client.multicast({ to: h.users.slice(0, 2), messages: [text()] }, key))).error.status).toBe(409);
    expect(lineEntries(h)).toHaveLength(2);
  });
});

describe('LINE sandbox: rate limit', () => {
  it('answers the request past the per-second limit with 429, and serves again in the next second', async () => {
    const h = await start({ lineMulticastPerSecond: 5 });
    const request = { to: h.users.slice(0, 1), messages: [text()] };
    for (let index = 0; index < 5; index += 1) await h.client.multicast(request);
    const { error, body } = await httpFailure(h.client.multicast(request));
    expect(error.status).toBe(429);
    expect(body).toEqual({ message: RATE_MESSAGE });
    // Per endpoint: push has its own window.
    await expect(h.client.pushMessage({ to: h.users[0] ?? '', messages: [text()] })).resolves.toHaveProperty('sentMessages');
    h.clock.advance(1000);
    await expect(h.client.multicast(request)).resolves.toEqual({});
    expect(lineEntries(h)).toHaveLength(7);
  });
});

describe('LINE sandbox: monthly quota', () => {
  it('counts requests × recipients and refuses a multicast that would pass the quota, whole', async () => {
    const h = await start({ lineMonthlyQuota: 1000 });
    const request = { to: h.users.slice(0, 500), messages: [text(), text('two bubbles still count once')] };
    await h.client.multicast(request);
    await h.client.multicast(request);
    const { error, body } = await httpFailure(h.client.multicast({ to: h.users.slice(0, 1), messages: [text()] }));
    expect(error.status).toBe(429);
    expect(body).toEqual({ message: MONTHLY_MESSAGE });
    expect(lineEntries(h)).toHaveLength(1000);
    await expect(h.client.getMessageQuotaConsumption()).resolves.toEqual({ totalUsage: 1000 });
    await expect(h.client.getMessageQuota()).resolves.toEqual({ type: 'limited', value: 1000 });
  });

  it('refuses all of a multicast that only partly fits', async () => {
    const h = await start({ lineMonthlyQuota: 600 });
    await h.client.multicast({ to: h.users.slice(0, 500), messages: [text()] });
    expect((await httpFailure(h.client.multicast({ to: h.users.slice(0, 101), messages: [text()] }))).error.status).toBe(429);
    await h.client.multicast({ to: h.users.slice(0, 100), messages: [text()] });
    await expect(h.client.getMessageQuotaConsumption()).resolves.toEqual({ totalUsage: 600 });
  });

  it('answers type none for an unlimited channel and starts a new count each UTC month', async () => {
    const h = await start();
    h.channel.monthlyQuota = null;
    await expect(h.client.getMessageQuota()).resolves.toEqual({ type: 'none' });
    await h.client.multicast({ to: h.users.slice(0, 3), messages: [text()] });
    await expect(h.client.getMessageQuotaConsumption()).resolves.toEqual({ totalUsage: 3 });
    h.clock.freeze(Date.UTC(2026, 5, 1, 0, 0, 0));
    await expect(h.client.getMessageQuotaConsumption()).resolves.toEqual({ totalUsage: 0 });
  });

  it('treats an infinite override as no limit (how benchmarks lift it), even over a channel’s own quota', async () => {
    const h = await start({ lineMonthlyQuota: Number.POSITIVE_INFINITY });
    h.channel.monthlyQuota = 10;
    await expect(h.client.getMessageQuota()).resolves.toEqual({ type: 'none' });
    await expect(h.client.multicast({ to: h.users.slice(0, 500), messages: [text()] })).resolves.toEqual({});
  });
});

describe('LINE sandbox: push, validate and profile', () => {
  it('push answers one sentMessage per message and records one entry', async () => {
    const h = await start();
    const response = await h.client.pushMessage({ to: h.users[0] ?? '', messages: [text('a'), text('b')] });
    expect(response.sentMessages).toHaveLength(2);
    for (const sent of response.sentMessages) {
      expect(sent.id).toMatch(/^\d+$/);
      expect(sent.quoteToken).toEqual(expect.any(String));
    }
    expect(lineEntries(h)).toMatchObject([{ recipient: h.users[0], account: h.channel.id }]);
    const foreign = await httpFailure(h.client.pushMessage({ to: h.foreignUser, messages: [text()] }));
    expect(foreign.error.status).toBe(400);
  });

  it('validate/multicast checks messages only: it records nothing and consumes no quota', async () => {
    const h = await start();
    await expect(h.client.validateMulticast({ messages: [text()] })).resolves.toEqual({});
    const { error, body } = await httpFailure(h.client.validateMulticast({ messages: [text(`${'a'.repeat(4999)}😀`)] }));
    expect(error.status).toBe(400);
    expect(body.details).toEqual([{ message: 'Length must be between 0 and 5000', property: 'messages[0].text' }]);
    expect(lineEntries(h)).toHaveLength(0);
    await expect(h.client.getMessageQuotaConsumption()).resolves.toEqual({ totalUsage: 0 });
  });

  it('profile answers a user of this channel and 404 for anyone else', async () => {
    const h = await start();
    const seeded = [...h.sandbox.context.world.lineUsers.values()].find((user) => user.channelId === h.channel.id && user.pictureUrl !== null);
    if (!seeded) throw new Error('no seeded user with a picture');
    const profile = await h.client.getProfile(seeded.userId);
    expect(profile).toEqual({
      userId: seeded.userId,
      displayName: seeded.displayName,
      pictureUrl: `${h.sandbox.origin}${seeded.pictureUrl}`,
      language: seeded.language,
    });
    const synthetic = await h.client.getProfile(h.users[h.users.length - 1] ?? '');
    expect(synthetic).not.toHaveProperty('pictureUrl');
    for (const stranger of ['Unobody', h.foreignUser]) {
      const { error, body } = await httpFailure(h.client.getProfile(stranger));
      expect(error.status).toBe(404);
      expect(body).toEqual({ message: 'Not found' });
    }
  });
});

describe('LINE sandbox: injected faults', () => {
  it('accept_then_cut: the SDK sees a network error, the ledger has the recipients, the retry gets 409', async () => {
    const h = await start();
    await armFault(h, { route: 'line.multicast', kind: 'accept_then_cut' });
    const key = randomUUID();
    const request = { to: h.users.slice(0, 50), messages: [text()] };
    await expect(h.client.multicast(request, key)).rejects.toBeInstanceOf(TypeError);
    const entries = lineEntries(h);
    expect(entries).toHaveLength(50);
    const { error } = await httpFailure(h.client.multicast(request, key));
    expect(error.status).toBe(409);
    expect(error.headers.get('x-line-accepted-request-id')).toBe(entries[0]?.id);
    expect(lineEntries(h)).toHaveLength(50);
  });

  it('error_500: the SDK throws HTTPFetchError 500 in LINE’s format, nothing is sent and the key stays free', async () => {
    const h = await start();
    await armFault(h, { route: 'line.multicast', kind: 'error_500' });
    const key = randomUUID();
    const request = { to: h.users.slice(0, 2), messages: [text()] };
    const { error, body } = await httpFailure(h.client.multicast(request, key));
    expect(error.status).toBe(500);
    expect(body).toEqual({ message: 'Internal server error' });
    expect(error.headers.get('x-line-request-id')).toMatch(UUID_FORM);
    expect(lineEntries(h)).toHaveLength(0);
    await expect(h.client.multicast(request, key)).resolves.toEqual({});
  });

  it('status 429 with the monthly body: the SDK throws HTTPFetchError 429 carrying that message', async () => {
    const h = await start();
    await armFault(h, { route: 'line.*', kind: 'status', status: 429, body: { message: MONTHLY_MESSAGE } });
    const { error, body } = await httpFailure(h.client.multicast({ to: h.users.slice(0, 1), messages: [text()] }));
    expect(error.status).toBe(429);
    expect(body).toEqual({ message: MONTHLY_MESSAGE });
    expect(error.headers.get('x-line-request-id')).toMatch(UUID_FORM);
    expect(lineEntries(h)).toHaveLength(0);
  });

  it('a bodiless status fault gets LINE’s own wording for that status', async () => {
    const h = await start();
    await armFault(h, { route: 'line.quota', kind: 'status', status: 429 });
    const { error, body } = await httpFailure(h.client.getMessageQuota());
    expect(error.status).toBe(429);
    expect(body).toEqual({ message: RATE_MESSAGE });
  });
});

import { HTTPFetchError } from '@line/bot-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildMulticastRequest, createLineClient } from '../../main/channels/line/messages';
import { type Sandbox, startSandbox } from '../../main/sandbox/server';
import { loadSpec } from '../helpers/openapi';

/**
 * The requests our LINE request builder makes, as the SDK puts them on the wire, and the sandbox's answers, checked
 * against LINE's official OpenAPI document (../shared/specs/line/messaging-api.yml).
 */
const spec = loadSpec('line');
let sandbox: Sandbox;
let token: string;
let userIds: string[];
const sent: Array<{ method: string; path: string; body: unknown }> = [];
const realFetch = globalThis.fetch;

beforeAll(async () => {
  sandbox = await startSandbox({ events: 400, seed: 2 });
  const { world } = sandbox.context;
  const channel = world.lineChannels[0];
  if (!channel) throw new Error('no LINE channel');
  token = channel.accessToken;
  userIds = [...world.lineUsers.values()].filter((user) => user.channelId === channel.id).map((user) => user.userId);
  // Records what the SDK sends: the conformance check is on the wire format, not only on our objects.
  globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (typeof init?.body === 'string') sent.push({ method: init.method ?? 'GET', path: url.pathname, body: JSON.parse(init.body) });
    return realFetch(input, init);
  };
});

afterEach(() => {
  sent.length = 0;
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  await sandbox.close();
});

function client() {
  return createLineClient({ channelAccessToken: token, baseURL: sandbox.origin });
}

const IMAGE = { original: 'https://cdn.morninglight.example/new.jpg', preview: 'https://cdn.morninglight.example/new-preview.jpg' };

describe('LINE: our requests conform to the official document', () => {
  it.each([
    ['image and text', { imageUrl: IMAGE, text: '本週新品到貨！https://morninglight.example/new' }],
    ['text only', { text: 'Hello 😀' }],
    ['image only', { imageUrl: IMAGE }],
    ['silent', { text: '快閃優惠', notificationDisabled: true }],
  ])('multicast with %s', async (_label, content) => {
    const request = buildMulticastRequest({ to: userIds.slice(0, 3), ...content });
    expect(spec.validateRequestBody('POST', '/v2/bot/message/multicast', request)).toEqual({ valid: true, errors: [] });
    await client().multicast(request, crypto.randomUUID());
    expect(sent).toHaveLength(1);
    expect(spec.validateRequestBody('POST', sent[0]?.path ?? '', sent[0]?.body)).toEqual({ valid: true, errors: [] });
  });

  it('a full batch of 500 recipients conforms', () => {
    const to = Array.from({ length: 500 }, (_, index) => `U${index.toString(16).padStart(32, '0')}`);
    const request = buildMulticastRequest({ to, text: 'x' });
    expect(request.to).toHaveLength(500);
    expect(spec.validateRequestBody('POST', '/v2/bot/message/multicast', request).valid).toBe(true);
  });

  it('the check has teeth: the same request broken the way the official schema forbids fails', () => {
    const request = buildMulticastRequest({ to: userIds.slice(0, 2), imageUrl: IMAGE, text: 'x' });
    const broken = { ...request, messages: [{ type: 'image', originalContentUrl: IMAGE.original }] };
    expect(spec.validateRequestBody('POST', '/v2/bot/message/multicast', broken).valid).toBe(false);
    expect(spec.validateRequestBody('POST', '/v2/bot/message/multicast', { ...request, to: 'U1' }).valid).toBe(false);
  });
});

describe('LINE: the sandbox answers as the official document says', () => {
  async function raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await realFetch(`${sandbox.origin}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  it('multicast: 200, 400, 409 and 429 bodies', async () => {
    const request = buildMulticastRequest({ to: userIds.slice(0, 2), text: 'x' });
    const key = crypto.randomUUID();
    const ok = await raw('POST', '/v2/bot/message/multicast', request, { 'x-line-retry-key': key });
    expect(ok.status).toBe(200);
    expect(spec.validateResponse('POST', '/v2/bot/message/multicast', 200, ok.body).errors).toEqual([]);

    const again = await raw('POST', '/v2/bot/message/multicast', request, { 'x-line-retry-key': key });
    expect(again.status).toBe(409);
    expect(spec.validateResponse('POST', '/v2/bot/message/multicast', 409, again.body).errors).toEqual([]);

    const bad = await raw('POST', '/v2/bot/message/multicast', { to: [], messages: [] });
    expect(bad.status).toBe(400);
    expect(spec.validateResponse('POST', '/v2/bot/message/multicast', 400, bad.body).errors).toEqual([]);

    await realFetch(`${sandbox.origin}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'line.multicast', kind: 'status', status: 429, body: { message: 'You have reached your monthly limit.' } }),
    });
    const limited = await raw('POST', '/v2/bot/message/multicast', request);
    expect(limited.status).toBe(429);
    expect(spec.validateResponse('POST', '/v2/bot/message/multicast', 429, limited.body).errors).toEqual([]);
  });

  it('errors the document leaves undeclared (401, 413) still use its ErrorResponse', async () => {
    const unauthorized = await raw('POST', '/v2/bot/message/multicast', {}, { authorization: 'Bearer wrong' });
    expect(unauthorized.status).toBe(401);
    expect(spec.validateSchema('ErrorResponse', unauthorized.body).errors).toEqual([]);
  });

  it('push, quota, consumption and profile', async () => {
    const push = await raw('POST', '/v2/bot/message/push', { to: userIds[0], messages: [{ type: 'text', text: 'hi' }] });
    expect(spec.validateResponse('POST', '/v2/bot/message/push', push.status, push.body).errors).toEqual([]);
    for (const path of ['/v2/bot/message/quota', '/v2/bot/message/quota/consumption', `/v2/bot/profile/${userIds[0]}`]) {
      const answer = await raw('GET', path);
      expect(answer.status, path).toBe(200);
      expect(spec.validateResponse('GET', path, 200, answer.body).errors, path).toEqual([]);
    }
  });

  it('the SDK itself reads the answers (409 thrown as HTTPFetchError)', async () => {
    const request = buildMulticastRequest({ to: userIds.slice(0, 1), text: 'once' });
    const key = crypto.randomUUID();
    await client().multicast(request, key);
    const error = await client().multicast(request, key).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HTTPFetchError);
    expect((error as HTTPFetchError).status).toBe(409);
  });
});

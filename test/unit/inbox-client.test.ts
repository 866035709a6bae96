import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboxError, createInboxClient, isRetryable, validateInboxUrl } from '../../main/inbox/client';
import { AppFailure } from '../../main/rpc';

describe('validateInboxUrl', () => {
  it.each([
    ['https://inbox.example', 'https://inbox.example'],
    ['https://inbox.example/', 'https://inbox.example'],
    ['  https://Inbox.Example/api/v1//  ', 'https://inbox.example/api/v1'],
    ['https://inbox.example:8443/x#frag', 'https://inbox.example:8443/x'],
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
    ['http://127.8.9.10:4010/', 'http://127.8.9.10:4010'],
    ['http://localhost:4010', 'http://localhost:4010'],
    ['http://[::1]:4010', 'http://[::1]:4010'],
  ])('accepts %s as %s', (input, expected) => {
    expect(validateInboxUrl(input)).toBe(expected);
  });

  it.each([
    'http://example.com',
    'http://192.168.1.10:4010',
    'http://127.0.0.1.example.com',
    'http://localhost.example.com',
    'ftp://inbox.example',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'inbox.example',
    'https://user:secret@inbox.example',
    'https://inbox.example/?token=abc',
    '',
  ])('refuses %s with invalid_inbox_url', (input) => {
    let thrown: unknown;
    try {
      validateInboxUrl(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppFailure);
    expect((thrown as AppFailure).code).toBe('invalid_inbox_url');
    if (input.includes('secret')) expect((thrown as AppFailure).message).not.toContain('secret');
  });
});

/** One local server whose answer each test sets; it records the last Authorization header. */
let server: http.Server;
let origin = '';
let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end();
let lastAuthorization: string | undefined;

function json(status: number, body: unknown): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    lastAuthorization = req.headers.authorization;
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const TOKEN = 'tok-0123456789abcdef-SECRET';

async function failure(run: () => Promise<unknown>): Promise<InboxError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof InboxError) return error;
    throw error;
  }
  throw new Error('expected an InboxError');
}

describe('the Inbox client’s error policy', () => {
  it.each([
    [401, { error: { code: 'invalid_credentials', message: 'no' } }, 'invalid_credentials'],
    [401, { error: { code: 'token_expired', message: 'old' } }, 'token_expired'],
    [401, { error: { code: 'unauthorized', message: 'who' } }, 'unauthorized'],
    [401, 'not json', 'unauthorized'],
    [403, { error: { code: 'forbidden_role', message: '' } }, 'forbidden'],
    [404, { error: { code: 'not_found', message: '' } }, 'not_found'],
    [409, { error: { code: 'conflict', message: '' } }, 'conflict'],
    [400, { error: { code: 'invalid_request', message: '' } }, 'client'],
    [429, {}, 'server'],
    [500, { error: { code: 'internal', message: '' } }, 'server'],
    [503, '<html>', 'server'],
    [302, {}, 'bad_response'],
  ])('HTTP %i %j → %s', async (status, body, kind) => {
    answer = json(status, body);
    const client = createInboxClient({ baseUrl: origin, accessToken: TOKEN });
    const error = await failure(() => client.me());
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(isRetryable(error)).toBe(kind === 'server');
    expect(`${error.message} ${error.stack ?? ''}`).not.toContain(TOKEN);
  });

  it('sends the token as a bearer header, and reports a 401 to onUnauthorized', async () => {
    answer = json(401, { error: { code: 'token_expired', message: 'old' } });
    const refused: string[] = [];
    const client = createInboxClient({ baseUrl: `${origin}/`, accessToken: TOKEN, onUnauthorized: (error) => refused.push(error.kind) });
    await failure(() => client.channels());
    expect(lastAuthorization).toBe(`Bearer ${TOKEN}`);
    expect(refused).toEqual(['token_expired']);
  });

  it('never sends the password anywhere but the login body, and no message carries it', async () => {
    answer = json(401, { error: { code: 'invalid_credentials', message: 'no' } });
    const error = await failure(() => createInboxClient({ baseUrl: origin }).login('sales@demo', 'hunter2-password'));
    expect(error.kind).toBe('invalid_credentials');
    expect(lastAuthorization).toBeUndefined();
    expect(error.message).not.toContain('hunter2');
  });

  it('checks the events envelope but leaves the items to the caller', async () => {
    answer = json(200, { items: [{ id: 'ok' }, 42, null], nextCursor: null, serverTime: 5 });
    const client = createInboxClient({ baseUrl: origin, accessToken: TOKEN });
    expect(await client.events({ limit: 10, status: ['in_progress', 'pending'] })).toEqual({
      items: [{ id: 'ok' }, 42, null],
      nextCursor: null,
      serverTime: 5,
    });
    answer = json(200, { items: 'nope', nextCursor: null, serverTime: 5 });
    expect((await failure(() => client.events())).kind).toBe('bad_response');
    answer = (_req, res) => res.end('{"items":[');
    expect((await failure(() => client.events())).kind).toBe('bad_response');
  });

  it('refuses channel credentials pointing at plain http off this machine', async () => {
    answer = json(200, { line: [{ id: '1', name: 'L', accessToken: 'x', apiBaseUrl: 'http://evil.example' }], whatsapp: [] });
    const client = createInboxClient({ baseUrl: origin, accessToken: TOKEN });
    expect((await failure(() => client.channels())).kind).toBe('bad_response');
  });

  it('calls a server that does not answer in time a timeout, and a closed port unreachable; both retryable', async () => {
    answer = () => undefined; // never answers
    const slow = await failure(() => createInboxClient({ baseUrl: origin, accessToken: TOKEN, timeoutMs: 100 }).me());
    expect(slow.kind).toBe('timeout');
    expect(isRetryable(slow)).toBe(true);

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await failure(() => createInboxClient({ baseUrl: `http://127.0.0.1:${port}`, accessToken: TOKEN }).me());
    expect(refused.kind).toBe('unreachable');
    expect(refused.code).toBe('ECONNREFUSED');
    expect(isRetryable(refused)).toBe(true);
  });
});

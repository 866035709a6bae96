import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../main/sandbox/server';

let sandbox: Sandbox;

/** What each service's errors look like on the wire: the fuzz test accepts nothing else. */
const ERROR_SHAPES: Record<string, (status: number, headers: Headers, body: unknown) => string | null> = {
  line: (_status, headers, body) =>
    headers.get('x-line-request-id') && typeof (body as { message?: unknown })?.message === 'string'
      ? null
      : `not a LINE error: ${JSON.stringify(body)}`,
  whatsapp: (_status, _headers, body) => {
    const error = (body as { error?: { code?: unknown; message?: unknown; fbtrace_id?: unknown } })?.error;
    return typeof error?.code === 'number' && typeof error.message === 'string' && typeof error.fbtrace_id === 'string'
      ? null
      : `not a Graph error: ${JSON.stringify(body)}`;
  },
  inbox: (_status, _headers, body) => {
    const error = (body as { error?: { code?: unknown; message?: unknown } })?.error;
    return typeof error?.code === 'string' && typeof error.message === 'string' ? null : `not an Inbox error: ${JSON.stringify(body)}`;
  },
  control: (_status, _headers, body) =>
    typeof (body as { error?: { code?: unknown } })?.error?.code === 'string' ? null : `not a control error: ${JSON.stringify(body)}`,
};

function concretePath(pattern: string): string {
  return pattern.replace(/:(\w+)/g, (_match, name: string) => (name === 'version' ? 'v23.0' : `${name}-1`));
}

async function send(method: string, path: string, body?: RequestInit['body'], contentType?: string): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(`${sandbox.origin}${path}`, {
    method,
    ...(body === undefined ? {} : { body }),
    headers: { ...(contentType ? { 'content-type': contentType } : {}), authorization: 'Bearer not-a-token' },
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Left as text: the assertion below then names the body.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

beforeAll(async () => {
  sandbox = await startSandbox({ events: 100, seed: 3 });
});

afterAll(async () => {
  await sandbox.close();
});

describe('sandbox fuzz: every route refuses bad input in its service’s own error format, and the server survives', () => {
  const BAD_BODIES: Array<[string, RequestInit['body'], string]> = [
    ['malformed JSON', '{"to": [', 'application/json'],
    ['a JSON array', '[1,2,3]', 'application/json'],
    ['JSON null', 'null', 'application/json'],
    ['text/plain', 'hello', 'text/plain'],
    ['form-encoded', 'a=1&b=2', 'application/x-www-form-urlencoded'],
    ['binary garbage', new Uint8Array([0, 255, 1, 254, 2]), 'application/octet-stream'],
    ['deeply nested JSON', `${'['.repeat(5000)}${']'.repeat(5000)}`, 'application/json'],
  ];

  it('answers bad bodies on every route with a 4xx in the service format', async () => {
    const failures: string[] = [];
    for (const route of sandbox.routes) {
      // GET and DELETE take no body: what one carries is ignored, as real servers do.
      if (route.method === 'GET' || route.method === 'DELETE') continue;
      for (const [label, body, type] of BAD_BODIES) {
        const response = await send(route.method, concretePath(route.pattern), body, type);
        const problem =
          response.status >= 400 && response.status < 500
            ? ERROR_SHAPES[route.service]?.(response.status, response.headers, response.body)
            : `status ${response.status}`;
        if (problem) failures.push(`${route.method} ${route.pattern} with ${label}: ${problem}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses bodies larger than each service takes with 413', async () => {
    const huge = Buffer.alloc(30 * 1024 * 1024, 0x61);
    for (const route of sandbox.routes.filter((candidate) => candidate.method !== 'GET' && candidate.method !== 'DELETE' && candidate.service !== 'control')) {
      const response = await send(route.method, concretePath(route.pattern), huge, 'application/json');
      expect(response.status, `${route.method} ${route.pattern}`).toBe(413);
      expect(ERROR_SHAPES[route.service]?.(response.status, response.headers, response.body)).toBeNull();
    }
  });

  it('refuses wrong methods and unknown paths in the owning service format', async () => {
    const failures: string[] = [];
    for (const route of sandbox.routes) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
        if (method === route.method || sandbox.routes.some((other) => other.pattern === route.pattern && other.method === method)) continue;
        const response = await send(method, concretePath(route.pattern), method === 'GET' ? undefined : '{}', 'application/json');
        if (response.status < 400 || response.status >= 500) failures.push(`${method} ${route.pattern}: ${response.status}`);
        const problem = ERROR_SHAPES[route.service]?.(response.status, response.headers, response.body);
        if (problem) failures.push(`${method} ${route.pattern}: ${problem}`);
      }
    }
    for (const [service, path] of [
      ['line', '/v2/bot/message/nothing'],
      ['whatsapp', '/v23.0/123/nothing/at/all'],
      ['inbox', '/v1/nothing'],
      ['inbox', `/v1/${'x'.repeat(5000)}`],
      ['control', '/_sandbox/nothing'],
    ] as const) {
      const response = await send('GET', path);
      if (response.status < 400 || response.status >= 500) failures.push(`GET ${path}: ${response.status}`);
      const problem = ERROR_SHAPES[service]?.(response.status, response.headers, response.body);
      if (problem) failures.push(`GET ${path}: ${problem}`);
    }
    const outside = await send('GET', '/%E0%A4%A');
    expect(outside.status).toBe(400);
    expect(failures).toEqual([]);
  });

  it('survives raw garbage on the socket', async () => {
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(sandbox.port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    const health = await send('GET', '/_sandbox/health');
    expect(health.status).toBe(200);
  });

  it('listens on loopback only', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (external) {
      const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
        const socket = net.connect(sandbox.port, external.address);
        socket.once('connect', () => {
          socket.destroy();
          resolve(null);
        });
        socket.once('error', resolve);
      });
      expect(error?.code).toBe('ECONNREFUSED');
    }
    expect(sandbox.origin).toBe(`http://127.0.0.1:${sandbox.port}`);
  });
});

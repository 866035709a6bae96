import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../main/sandbox/server';

let sandbox: Sandbox;
let token: string;
let userId: string;

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${sandbox.origin}/_sandbox/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function quota(signal?: AbortSignal): Promise<Response> {
  return fetch(`${sandbox.origin}/v2/bot/message/quota`, { headers: { authorization: `Bearer ${token}` }, ...(signal ? { signal } : {}) });
}

function multicast(text: string): Promise<Response> {
  return fetch(`${sandbox.origin}/v2/bot/message/multicast`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to: [userId], messages: [{ type: 'text', text }] }),
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ events: 100, seed: 9 });
  const channel = sandbox.context.world.lineChannels[0];
  const user = [...sandbox.context.world.lineUsers.values()].find((candidate) => candidate.channelId === channel?.id);
  if (!channel || !user) throw new Error('no LINE channel or user');
  token = channel.accessToken;
  userId = user.userId;
});

beforeEach(async () => {
  await control('DELETE', 'faults');
  await control('DELETE', 'ledger');
});

afterAll(async () => {
  await sandbox.close();
});

describe('sandbox faults', () => {
  it('apply to the next N matching requests only, then the route works again', async () => {
    await control('POST', 'faults', { route: 'line.quota', kind: 'error_500', count: 2 });
    expect((await quota()).status).toBe(500);
    expect((await quota()).status).toBe(500);
    expect((await quota()).status).toBe(200);
  });

  it('select routes by name, by service wildcard, or all', async () => {
    await control('POST', 'faults', [
      { route: 'line.*', kind: 'status', status: 503 },
      { route: '*', kind: 'status', status: 502 },
    ]);
    expect((await quota()).status).toBe(503);
    expect((await multicast('x')).status).toBe(502);
    expect((await quota()).status).toBe(200);
  });

  it('hang: the request gets no answer until the client gives up', async () => {
    await control('POST', 'faults', { route: 'line.quota', kind: 'hang', ms: 60_000 });
    const started = Date.now();
    await expect(quota(AbortSignal.timeout(300))).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect((await quota()).status).toBe(200);
  });

  it('drop: the connection closes with no answer and nothing is sent', async () => {
    await control('POST', 'faults', { route: 'line.multicast', kind: 'drop' });
    await expect(multicast('dropped')).rejects.toThrow();
    expect((await control('GET', 'ledger')).body.count).toBe(0);
  });

  it('accept_then_cut: the message is sent and recorded, the answer never arrives', async () => {
    await control('POST', 'faults', { route: 'line.multicast', kind: 'accept_then_cut' });
    await expect(multicast('cut')).rejects.toThrow();
    const ledger = (await control('GET', 'ledger')).body as { count: number; entries: Array<{ recipient: string }> };
    expect(ledger.count).toBe(1);
    expect(ledger.entries[0]?.recipient).toBe(userId);
  });

  it('latency: the answer comes, late', async () => {
    await control('POST', 'faults', { route: 'line.quota', kind: 'latency', ms: 250 });
    const started = Date.now();
    expect((await quota()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('a given 429 body is returned as is', async () => {
    const body = { message: 'The API rate limit has been exceeded. Try again later.' };
    await control('POST', 'faults', { route: 'line.multicast', kind: 'status', status: 429, body });
    const response = await multicast('x');
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual(body);
  });

  it('refuses a malformed fault with a 400 naming the problem, and arms nothing', async () => {
    const refused = await control('POST', 'faults', { route: 'line.quota', kind: 'status' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('status');
    expect((await control('GET', 'faults')).body.armed).toEqual([]);
  });

  it('never apply to the test controls themselves', async () => {
    await control('POST', 'faults', { route: '*', kind: 'drop', count: 5 });
    expect((await control('GET', 'health')).status).toBe(200);
    expect((await control('GET', 'ledger')).status).toBe(200);
  });
});

describe('sandbox ledger, clock and limits', () => {
  it('the ledger lists each accepted message per recipient, filters by channel and time, and counts without listing', async () => {
    await multicast('one');
    await multicast('two');
    const all = (await control('GET', 'ledger?channel=line')).body as { count: number; entries: Array<{ contentHash: string; id: string }> };
    expect(all.count).toBe(2);
    expect(all.entries[0]?.contentHash).not.toBe(all.entries[1]?.contentHash);
    expect(all.entries[0]?.id).not.toBe(all.entries[1]?.id);
    expect((await control('GET', 'ledger?channel=whatsapp')).body.count).toBe(0);
    expect((await control('GET', `ledger?since=${Date.now() + 3_600_000}`)).body.count).toBe(0);
    expect((await control('GET', 'ledger?count=only')).body).toEqual({ count: 2 });
  });

  it('the clock moves, freezes and resumes on command', async () => {
    const before = (await control('GET', 'clock')).body.now as number;
    const frozen = (await control('POST', 'clock', { freezeAt: before + 86_400_000 })).body.now as number;
    expect(frozen).toBe(before + 86_400_000);
    expect((await control('POST', 'clock', { advanceMs: 1000 })).body.now).toBe(frozen + 1000);
    const resumed = (await control('POST', 'clock', { resume: true })).body.now as number;
    expect(resumed).toBeGreaterThanOrEqual(frozen + 1000);
    expect((await control('POST', 'clock', { advanceMs: 'soon' })).status).toBe(400);
    await control('POST', 'clock', { advanceMs: -(resumed - Date.now()) });
  });

  it('limits are configurable at run time, and a bad value is refused', async () => {
    const set = await control('POST', 'config', { lineMulticastPerSecond: 1 });
    expect((set.body.limits as Record<string, unknown>).lineMulticastPerSecond).toBe(1);
    // A frozen clock keeps both requests in one rate window.
    await control('POST', 'clock', { freezeAt: Date.now() });
    expect((await multicast('a')).status).toBe(200);
    expect((await multicast('b')).status).toBe(429);
    await control('POST', 'clock', { advanceMs: 1000 });
    expect((await multicast('c')).status).toBe(200);
    await control('POST', 'clock', { resume: true });
    expect((await control('POST', 'config', { lineMulticastPerSecond: -5 })).status).toBe(400);
    await control('POST', 'config', { lineMulticastPerSecond: 200 });
  });
});

import { describe, expect, it } from 'vitest';
import { expectExactlyOnce, startHarness, stateCounts } from './harness';

const RATE_BODY = { message: 'The API rate limit has been exceeded. Try again later.' };

describe('outbox: LINE multicast', () => {
  it('sends ~2,000 recipients image + text in ONE request per batch of 500, each exactly once, with the stored keys', async () => {
    const h = await startHarness({ lineUsers: 2000 });
    const outbox = h.outbox();
    const snapshot = h.snapshot({ id: 'bc-line', line: 2000 });
    // Two customers the re-check left out are never sent to.
    snapshot.recipients.push(
      { eventId: 'evt-skip-1', channel: 'line', channelAccount: h.line.id, recipientId: 'U' + 'f'.repeat(32), customerName: 'Left', state: 'skipped', reason: 'not_in_progress' },
      { eventId: 'evt-skip-2', channel: 'line', channelAccount: h.line.id, recipientId: h.lineUsers[0] ?? '', customerName: 'Dup', state: 'pending', reason: null },
    );
    const queued = await outbox.enqueue(snapshot);
    expect(queued).toMatchObject({ state: 'queued', total: 2002, counts: { pending: 2000, skipped: 2 } });
    // The snapshot is on disk with its retry keys before anything is sent.
    const keys = h.batches('bc-line');
    expect(keys).toHaveLength(4);
    expect(keys.every((batch) => /^[0-9a-f-]{36}$/.test(batch.batchId) && batch.attempts === 0)).toBe(true);
    expect(h.ledger('line')).toHaveLength(0);

    const done = await h.settled(outbox, 'bc-line');
    expect(done).toMatchObject({ state: 'completed', note: null, counts: { accepted: 2000, skipped: 2, failed: 0, unknown: 0, pending: 0, inFlight: 0 } });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();

    const entries = h.ledger('line');
    expectExactlyOnce(entries, h.lineUsers);
    // Image and text travelled together: one ledger hash per recipient, of the [image, text] pair.
    const hash = h.lineContentHash('bc-line');
    expect(new Set(entries.map((entry) => entry.contentHash))).toEqual(new Set([hash]));
    // Four requests, each under the key stored with the snapshot; each row knows the request that carried it.
    const batches = h.batches('bc-line');
    expect(new Set(entries.map((entry) => entry.retryKey))).toEqual(new Set(batches.map((batch) => batch.batchId)));
    expect(batches.every((batch) => batch.state === 'accepted' && batch.attempts === 1)).toBe(true);
    const rows = h.rows('bc-line');
    const byRecipient = new Map(entries.map((entry) => [entry.recipient, entry.id]));
    for (const row of rows.filter((r) => r.state === 'accepted')) expect(row.requestId).toBe(byRecipient.get(row.recipientId));
    expect(stateCounts(rows)).toEqual({ accepted: 2000, 'skipped(not_in_progress)': 1, 'skipped(duplicate)': 1 });
    // The image was hosted once for the broadcast.
    expect(h.db.prepare('SELECT count(*) AS n FROM broadcast_media WHERE broadcast_id = ?').get('bc-line')).toEqual({ n: 1 });
    // The final state is in the progress stream, and in the database.
    expect(h.events.at(-1)?.state).toBe('completed');
    expect(h.db.prepare('SELECT state, note FROM broadcasts WHERE id = ?').get('bc-line')).toEqual({ state: 'completed', note: null });
    expect(outbox.active()).toEqual([]);
  });

  it('keeps LINE recipients packed in their batches while sending, and writes their rows (final state, request id) after the end', async () => {
    const h = await startHarness({ lineUsers: 1200 });
    const outbox = h.outbox();
    await outbox.enqueue(h.snapshot({ id: 'bc-rows', line: 1200 }));
    const packed = (): number =>
      (h.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM broadcast_batches WHERE broadcast_id = ? AND packed = 1').get('bc-rows')?.n ?? 0);
    const realRows = (): number =>
      (h.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM broadcast_recipients WHERE broadcast_id = ?').get('bc-rows')?.n ?? 0);
    // The snapshot: three batch rows with 500, 500 and 200 recipients inside, no recipient rows.
    expect(packed()).toBe(3);
    expect(realRows()).toBe(0);
    expect(h.db.prepare('SELECT size FROM broadcast_batches WHERE broadcast_id = ? ORDER BY seq').all('bc-rows')).toEqual([{ size: 500 }, { size: 500 }, { size: 200 }]);

    await h.settled(outbox, 'bc-rows');
    await expect.poll(packed, { timeout: 5000, interval: 5 }).toBe(0);
    expect(realRows()).toBe(1200);
    const entries = h.ledger('line');
    expectExactlyOnce(entries, h.lineUsers);
    const byRecipient = new Map(entries.map((entry) => [entry.recipient, entry.id]));
    const rows = h.db
      .prepare<[string], { recipientId: string; state: string; requestId: string | null }>(
        'SELECT recipient_id AS recipientId, state, request_id AS requestId FROM broadcast_recipients WHERE broadcast_id = ? ORDER BY rowid',
      )
      .all('bc-rows');
    expect(rows.every((row) => row.state === 'accepted' && row.requestId === byRecipient.get(row.recipientId))).toBe(true);
    // In request order, batch after batch: the snapshot's order.
    expect(rows.map((row) => row.recipientId)).toEqual(h.lineUsers.slice(0, 1200));
  });

  it('retries a burst of 500s under the same key: everyone exactly once', async () => {
    const h = await startHarness({ lineUsers: 1000 });
    await h.fault({ route: 'line.multicast', kind: 'error_500', count: 3 });
    const outbox = h.outbox();
    outbox.enqueue(h.snapshot({ id: 'bc-500', line: 1000 }));
    await expect(h.settled(outbox, 'bc-500')).resolves.toMatchObject({ state: 'completed', counts: { accepted: 1000 } });
    expectExactlyOnce(h.ledger('line'), h.lineUsers);
    const attempts = h.batches('bc-500').reduce((sum, batch) => sum + batch.attempts, 0);
    expect(attempts).toBe(2 + 3);
  });

  it('accepted then cut: the retry gets 409 + x-line-accepted-request-id, which counts as accepted (exactly once)', async () => {
    const h = await startHarness({ lineUsers: 500 });
    await h.fault({ route: 'line.multicast', kind: 'accept_then_cut', count: 1 });
    const outbox = h.outbox();
    outbox.enqueue(h.snapshot({ id: 'bc-cut', line: 500 }));
    await expect(h.settled(outbox, 'bc-cut')).resolves.toMatchObject({ state: 'completed', counts: { accepted: 500 } });
    const entries = h.ledger('line');
    expectExactlyOnce(entries, h.lineUsers);
    const [batch] = h.batches('bc-cut');
    expect(batch).toMatchObject({ state: 'accepted', attempts: 2 });
    // The id of the request LINE accepted (the cut one), not of the 409.
    expect(batch?.requestId).toBe(entries[0]?.id);
    expect(h.rows('bc-cut').every((row) => row.requestId === entries[0]?.id)).toBe(true);
  });

  it('connection resets and timeouts are retried under the same key (exactly once)', async () => {
    const h = await startHarness({ lineUsers: 1500 });
    await h.fault([
      { route: 'line.multicast', kind: 'drop', count: 1 },
      { route: 'line.multicast', kind: 'hang', count: 1, ms: 2000 },
    ]);
    const outbox = h.outbox({ options: { requestTimeoutMs: 300, lineConcurrency: 1 } });
    outbox.enqueue(h.snapshot({ id: 'bc-net', line: 1500 }));
    await expect(h.settled(outbox, 'bc-net')).resolves.toMatchObject({ state: 'completed', counts: { accepted: 1500 } });
    expectExactlyOnce(h.ledger('line'), h.lineUsers);
    // Three batches, two extra attempts (the reset one and the timed-out one), each under its own key.
    const batches = h.batches('bc-net');
    expect(batches.reduce((sum, batch) => sum + batch.attempts, 0)).toBe(5);
    expect(new Set(h.ledger('line').map((entry) => entry.retryKey))).toEqual(new Set(batches.map((batch) => batch.batchId)));
  });

  it('429 rate limit: backs off (note rate_limited), retries the same key, completes', async () => {
    const h = await startHarness({ lineUsers: 1000 });
    await h.fault({ route: 'line.multicast', kind: 'status', status: 429, body: RATE_BODY, count: 2 });
    const outbox = h.outbox({ options: { lineConcurrency: 1, backoff: { baseMs: 40, maxMs: 200 } } });
    outbox.enqueue(h.snapshot({ id: 'bc-429', line: 1000 }));
    await expect(h.settled(outbox, 'bc-429')).resolves.toMatchObject({ state: 'completed', note: null, counts: { accepted: 1000 } });
    expectExactlyOnce(h.ledger('line'), h.lineUsers);
    const notes = h.events.filter((event) => event.id === 'bc-429').map((event) => event.note);
    expect(notes).toContain('rate_limited');
    expect(h.batches('bc-429').reduce((sum, batch) => sum + batch.attempts, 0)).toBe(2 + 2);
  });

  it('429 monthly limit: the rest of the channel fails line_quota, note line_quota, nothing more is sent', async () => {
    const h = await startHarness({ lineUsers: 2000 });
    await h.config({ lineMonthlyQuota: 1000 });
    const outbox = h.outbox({ options: { lineConcurrency: 1 } });
    outbox.enqueue(h.snapshot({ id: 'bc-quota', line: 2000, whatsapp: 0 }));
    const done = await h.settled(outbox, 'bc-quota');
    expect(done).toMatchObject({ state: 'completed_with_failures', note: 'line_quota', counts: { accepted: 1000, failed: 1000 } });
    expect(stateCounts(h.rows('bc-quota'))).toEqual({ accepted: 1000, 'failed(line_quota)': 1000 });
    expect(h.ledger('line')).toHaveLength(1000);
    // One request got the 429; the fourth batch was never sent.
    expect(h.batches('bc-quota').map((batch) => [batch.state, batch.attempts])).toEqual([
      ['accepted', 1],
      ['accepted', 1],
      ['failed', 1],
      ['failed', 0],
    ]);
  });

  it('the monthly limit of one channel stops only that channel', async () => {
    const h = await startHarness({ lineUsers: 1000 });
    const world = h.sandbox.context.world;
    const outlet = world.lineChannels[1];
    if (!outlet) throw new Error('the seeded world has one LINE channel');
    outlet.monthlyQuota = 500;
    await h.config({ lineMonthlyQuota: null });
    const outletUsers = Array.from({ length: 1000 }, (_, i) => `U${(0xb0000 + i).toString(16).padStart(32, '0')}`);
    for (const userId of outletUsers) world.lineUsers.set(userId, { userId, channelId: outlet.id, displayName: userId, pictureUrl: null, language: 'zh-TW' });
    const snapshot = h.snapshot({ id: 'bc-two', line: 1000 });
    snapshot.recipients.push(
      ...outletUsers.map((userId, i) => ({
        eventId: `evt-o-${i}`,
        channel: 'line' as const,
        channelAccount: outlet.id,
        recipientId: userId,
        customerName: userId,
        state: 'pending' as const,
        reason: null,
      })),
    );
    const outbox = h.outbox({ options: { lineConcurrency: 1 } });
    outbox.enqueue(snapshot);
    const done = await h.settled(outbox, 'bc-two');
    expect(done).toMatchObject({ state: 'completed_with_failures', note: 'line_quota', counts: { accepted: 1500, failed: 500 } });
    const rows = h.rows('bc-two');
    expect(stateCounts(rows.filter((row) => row.eventId.startsWith('evt-o-')))).toEqual({ accepted: 500, 'failed(line_quota)': 500 });
    expect(stateCounts(rows.filter((row) => row.eventId.startsWith('evt-l-')))).toEqual({ accepted: 1000 });
  });

  it("other 4xx: that batch fails with LINE's reason, the others go", async () => {
    const h = await startHarness({ lineUsers: 1000 });
    await h.fault({ route: 'line.multicast', kind: 'status', status: 400, count: 1, body: { message: 'The request body has 1 error(s)', details: [{ message: 'invalid', property: 'to[3]' }] } });
    const outbox = h.outbox({ options: { lineConcurrency: 1 } });
    outbox.enqueue(h.snapshot({ id: 'bc-400', line: 1000 }));
    await expect(h.settled(outbox, 'bc-400')).resolves.toMatchObject({ state: 'completed_with_failures', counts: { accepted: 500, failed: 500 } });
    expect(stateCounts(h.rows('bc-400'))).toEqual({ accepted: 500, 'failed(line_rejected: The request body has 1 error(s) (to[3]: invalid))': 500 });
    expect(h.ledger('line')).toHaveLength(500);
  });

  it('a text LINE refuses locally (too long) fails without a request', async () => {
    const h = await startHarness({ lineUsers: 10 });
    const outbox = h.outbox();
    outbox.enqueue(h.snapshot({ id: 'bc-long', line: 10, content: { lineText: 'x'.repeat(5001), image: null } }));
    await expect(h.settled(outbox, 'bc-long')).resolves.toMatchObject({ state: 'completed_with_failures', counts: { failed: 10 } });
    expect(stateCounts(h.rows('bc-long'))).toEqual({ 'failed(line_invalid: text_too_long)': 10 });
    expect(h.batches('bc-long')[0]).toMatchObject({ state: 'failed', attempts: 0 });
    expect(h.ledger('line')).toHaveLength(0);
  });

  it('paces requests per channel across broadcasts: two broadcasts under a 20/s limit never see a 429', async () => {
    const h = await startHarness({ lineUsers: 8000, limits: { lineMulticastPerSecond: 20 } });
    const outbox = h.outbox({ options: { linePerSecond: 20 } });
    const first = h.snapshot({ id: 'bc-pace-1', line: 8000 });
    const second = h.snapshot({ id: 'bc-pace-2', line: 8000 });
    second.recipients = second.recipients.map((r) => ({ ...r, eventId: `${r.eventId}-b` }));
    const started = Date.now();
    outbox.enqueue(first);
    outbox.enqueue(second);
    await Promise.all([h.settled(outbox, 'bc-pace-1'), h.settled(outbox, 'bc-pace-2')]);
    const elapsed = Date.now() - started;
    // 32 requests at 19/s: the first at once, then ~1.6 s of spacing.
    expect(elapsed).toBeGreaterThan(1500);
    const batches = [...h.batches('bc-pace-1'), ...h.batches('bc-pace-2')];
    expect(batches).toHaveLength(32);
    expect(batches.every((batch) => batch.state === 'accepted' && batch.attempts === 1)).toBe(true);
    expect(h.ledger('line')).toHaveLength(16_000);
  });
});

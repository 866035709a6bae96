import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../main/sandbox/context';
import { NAME_FALLBACK, expectExactlyOnce, startHarness, stateCounts } from './harness';

const THROUGHPUT_BODY = {
  error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429, error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' }, fbtrace_id: 'Atest' },
};

describe('outbox: WhatsApp templates', () => {
  it("sends 200 templates with each customer's parameters and the uploaded header image, one each, paced under 80/s", async () => {
    // The sandbox's real limits: 80 messages per second per number (130429 beyond).
    const h = await startHarness({ contacts: 200, limits: { whatsappMessagesPerSecond: DEFAULT_LIMITS.whatsappMessagesPerSecond } });
    const outbox = h.outbox();
    outbox.enqueue(h.snapshot({ id: 'bc-wa', whatsapp: 200 }));
    const started = Date.now();
    const done = await h.settled(outbox, 'bc-wa');
    expect(done).toMatchObject({ state: 'completed', counts: { accepted: 200, failed: 0, unknown: 0 }, whatsapp: { accepted: 200 } });
    // 200 at 76/s: about 2.6 s, never faster than the number allows.
    expect(Date.now() - started).toBeGreaterThan(2000);

    const entries = h.ledger('whatsapp');
    expectExactlyOnce(
      entries,
      h.contacts.map((contact) => contact.waId),
    );
    // One media upload for the number, its id in every header.
    const media = h.db.prepare<[string], { mediaId: string }>(`SELECT media_id AS mediaId FROM broadcast_media WHERE broadcast_id = ? AND channel = 'whatsapp'`).all('bc-wa');
    expect(media).toHaveLength(1);
    // Each message is the template filled for that customer (their name, or the fallback when they have none).
    const byRecipient = new Map(entries.map((entry) => [entry.recipient, entry]));
    for (const contact of h.contacts) {
      expect(byRecipient.get(contact.waId)?.contentHash).toBe(h.whatsappContentHash('bc-wa', { recipientId: contact.waId, customerName: contact.name }));
    }
    const fallbackHash = h.whatsappContentHash('bc-wa', { recipientId: h.contacts[3]?.waId ?? '', customerName: NAME_FALLBACK });
    expect(byRecipient.get(h.contacts[3]?.waId ?? '')?.contentHash).toBe(fallbackHash);
    // Every row carries its wamid.
    const rows = h.rows('bc-wa');
    for (const row of rows) expect(row.messageId).toBe(byRecipient.get(row.recipientId)?.id);
    // No throughput error happened: nothing was ever back in pending.
    expect(h.events.filter((event) => event.id === 'bc-wa').every((event) => event.note !== 'rate_limited')).toBe(true);
  });

  it('NAMED templates carry parameter names; no header image means no upload', async () => {
    const h = await startHarness({ contacts: 5 });
    const outbox = h.outbox();
    const snapshot = h.snapshot({
      id: 'bc-named',
      whatsapp: 5,
      content: {
        whatsapp: [
          {
            phoneNumberId: h.number.phoneNumberId,
            template: { name: 'store_event_named', language: 'zh_TW', parameterFormat: 'NAMED', headerImage: false, params: ['first_name', 'event_date'] },
            params: { first_name: { source: 'customer_name', fallback: '朋友' }, event_date: { source: 'fixed', text: '11/15（六）' } },
          },
        ],
      },
    });
    outbox.enqueue(snapshot);
    await expect(h.settled(outbox, 'bc-named')).resolves.toMatchObject({ state: 'completed', counts: { accepted: 5 } });
    expect(h.ledger('whatsapp')).toHaveLength(5);
    expect(h.db.prepare('SELECT count(*) AS n FROM broadcast_media WHERE broadcast_id = ?').get('bc-named')).toEqual({ n: 0 });
  });

  it('retries 5xx (131000: nothing was sent) and completes, exactly once', async () => {
    const h = await startHarness({ contacts: 30 });
    await h.fault({ route: 'whatsapp.messages', kind: 'error_500', count: 5 });
    const outbox = h.outbox();
    outbox.enqueue(h.snapshot({ id: 'bc-wa500', whatsapp: 30 }));
    await expect(h.settled(outbox, 'bc-wa500')).resolves.toMatchObject({ state: 'completed', counts: { accepted: 30 } });
    expectExactlyOnce(
      h.ledger('whatsapp'),
      h.contacts.map((contact) => contact.waId),
    );
  });

  it('130429 throughput: backs off (note rate_limited) and completes, exactly once', async () => {
    const h = await startHarness({ contacts: 30 });
    await h.fault({ route: 'whatsapp.messages', kind: 'status', status: 429, body: THROUGHPUT_BODY, count: 3 });
    const outbox = h.outbox();
    outbox.enqueue(h.snapshot({ id: 'bc-wa429', whatsapp: 30 }));
    await expect(h.settled(outbox, 'bc-wa429')).resolves.toMatchObject({ state: 'completed', note: null, counts: { accepted: 30 } });
    expectExactlyOnce(
      h.ledger('whatsapp'),
      h.contacts.map((contact) => contact.waId),
    );
    expect(h.events.filter((event) => event.id === 'bc-wa429').map((event) => event.note)).toContain('rate_limited');
  });

  it('accepted then cut, a hang past the timeout, a reset: unknown, never resent (the ledger has the accepted one once)', async () => {
    const h = await startHarness({ contacts: 20 });
    await h.fault([
      { route: 'whatsapp.messages', kind: 'accept_then_cut', count: 1 },
      { route: 'whatsapp.messages', kind: 'hang', count: 1, ms: 1500 },
      { route: 'whatsapp.messages', kind: 'drop', count: 1 },
    ]);
    const outbox = h.outbox({ options: { requestTimeoutMs: 300, whatsappConcurrency: 1 } });
    outbox.enqueue(h.snapshot({ id: 'bc-amb', whatsapp: 20 }));
    const done = await h.settled(outbox, 'bc-amb');
    expect(done).toMatchObject({ state: 'completed_with_failures', counts: { accepted: 17, unknown: 3 } });
    const rows = h.rows('bc-amb');
    expect(stateCounts(rows)).toEqual({ accepted: 17, 'unknown(wa_network)': 2, 'unknown(wa_timeout)': 1 });
    const [cut, hung, dropped] = rows.filter((row) => row.state === 'unknown').sort((a, b) => a.eventId.localeCompare(b.eventId));
    const times = new Map<string, number>();
    for (const entry of h.ledger('whatsapp')) times.set(entry.recipient, (times.get(entry.recipient) ?? 0) + 1);
    // The cut one was delivered exactly once (and not resent); the hung and the reset ones never reached the ledger.
    expect(times.get(cut?.recipientId ?? '')).toBe(1);
    expect(times.get(hung?.recipientId ?? '')).toBeUndefined();
    expect(times.get(dropped?.recipientId ?? '')).toBeUndefined();
    expect([...times.values()].every((n) => n === 1)).toBe(true);
    expect(h.ledger('whatsapp')).toHaveLength(18);
  });

  it('permanent refusals fail with the WhatsApp reason; an auth refusal fails the rest of the number', async () => {
    const h = await startHarness({ contacts: 10 });
    const undeliverable = h.contacts[2];
    if (undeliverable) undeliverable.undeliverable = true;
    const outbox = h.outbox({ options: { whatsappConcurrency: 1 } });
    outbox.enqueue(h.snapshot({ id: 'bc-perm', whatsapp: 10 }));
    await expect(h.settled(outbox, 'bc-perm')).resolves.toMatchObject({ state: 'completed_with_failures', counts: { accepted: 9, failed: 1 } });
    expect(stateCounts(h.rows('bc-perm'))).toEqual({ accepted: 9, 'failed(wa_undeliverable)': 1 });

    // A revoked token: the first refusal stops the number instead of hammering Meta with it.
    const h2 = await startHarness({ contacts: 10 });
    await h2.fault({ route: 'whatsapp.messages', kind: 'status', status: 401, count: 100 });
    const outbox2 = h2.outbox({ options: { whatsappConcurrency: 1 } });
    outbox2.enqueue(h2.snapshot({ id: 'bc-auth', whatsapp: 10 }));
    await expect(h2.settled(outbox2, 'bc-auth')).resolves.toMatchObject({ state: 'completed_with_failures', counts: { failed: 10 } });
    expect(stateCounts(h2.rows('bc-auth'))).toEqual({ 'failed(wa_auth_invalid)': 10 });
    const armed = (await (await fetch(`${h2.sandbox.origin}/_sandbox/faults`)).json()) as { armed: Array<{ remaining: number }> };
    expect(armed.armed[0]?.remaining).toBe(99);
  });

  it('a header image the number refuses to host fails that number with media_failed', async () => {
    const h = await startHarness({ contacts: 5 });
    await h.fault({ route: 'whatsapp.media', kind: 'status', status: 400, count: 1, body: { error: { message: '(#131053) Media upload error', type: 'OAuthException', code: 131053, fbtrace_id: 'A' } } });
    const outbox = h.outbox();
    outbox.enqueue(h.snapshot({ id: 'bc-media', whatsapp: 5 }));
    await expect(h.settled(outbox, 'bc-media')).resolves.toMatchObject({ state: 'completed_with_failures', counts: { failed: 5 } });
    expect(stateCounts(h.rows('bc-media'))).toEqual({ 'failed(media_failed: wa_media_error)': 5 });
    expect(h.ledger('whatsapp')).toHaveLength(0);
  });
});

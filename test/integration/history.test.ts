import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  BroadcastDetail,
  BroadcastPlan,
  BroadcastProgress,
  ComposeCheck,
  ComposedImage,
  DraftHead,
  ExportedCsv,
  HistoryPage,
  RecipientsPage,
  ReferralReport,
} from '../../preload/contract';
import { type App, createApp } from '../../main/app';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { type Sandbox, startSandbox } from '../../main/sandbox/server';
import { MemoryVault } from '../../main/vault';
import { eventIdsByChannel, parseCsv, value, waitForSync } from '../helpers/app-flow';
import { createTempDir } from '../helpers/tmp';

/**
 * 發送紀錄 and 報表 through the bridge of a real createApp against a real sandbox: a sent broadcast in the history
 * with its content and recipients, its CSV, the report's counters (the same before and after a restart, offline or
 * online, and reported to the platform once), retrying failed recipients and resending unknown ones.
 */

let sandbox: Sandbox;
const cleanups: Array<() => Promise<void> | void> = [];
const DAY = 86_400_000;
const TEXT = '週末快閃！官網 https://shop.morninglight.example/sale 也看看 https://www.instagram.com/morninglight';

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 7171, events: 1200 });
});

afterAll(async () => {
  await sandbox.close();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await fetch(`${sandbox.origin}/_sandbox/faults`, { method: 'DELETE' });
});

interface Opened {
  app: App;
  dir: string;
  vault: MemoryVault;
  network: ManualNetworkStatus;
  line: string[];
  whatsapp: string[];
}

function open(dir: string, vault: MemoryVault, network: ManualNetworkStatus): App {
  const app = createApp({ dataDir: dir, version: '0.0.0-test', transport: 'preview', logger: silentLogger, vault, network });
  cleanups.push(() => app.close());
  return app;
}

async function signedIn(account: string): Promise<Opened> {
  const temp = createTempDir('history');
  cleanups.push(() => temp.cleanup());
  const vault = new MemoryVault();
  const network = new ManualNetworkStatus(true);
  const app = open(temp.dir, vault, network);
  await app.ready;
  value(await app.dispatch('session.signIn', { inboxUrl: sandbox.origin, account, password: 'demo' }));
  await waitForSync(app);
  const { line, whatsapp } = await eventIdsByChannel(app);
  return { app, dir: temp.dir, vault, network, line, whatsapp };
}

async function send(app: App, selection: string[], whatsappTemplate = false): Promise<BroadcastProgress> {
  const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: { r: 90, g: 160, b: 60 } } }).png().toBuffer();
  const image = value<ComposedImage>(await app.dispatch('compose.importImage', { name: 'sale.png', data: png.toString('base64') }));
  const draft = value<DraftHead>(await app.dispatch('drafts.save', { text: TEXT, image: { sha256: image.sha256, name: 'sale.png' }, selection }));
  if (whatsappTemplate) {
    value(await app.dispatch('compose.templates', { refresh: true }));
    const check = value<ComposeCheck>(await app.dispatch('compose.check', { id: draft.id }));
    const numbers = check.whatsapp.map((number) => ({
      phoneNumberId: number.phoneNumberId,
      template: { name: 'coupon_reminder', language: 'zh_TW' },
      params: { '1': { source: 'fixed' as const, text: '12/31' } },
    }));
    value(await app.dispatch('drafts.save', { id: draft.id, whatsapp: { numbers } }));
  }
  const plan = value<BroadcastPlan>(await app.dispatch('broadcast.prepare', { draftId: draft.id }));
  return value<BroadcastProgress>(await app.dispatch('broadcast.send', { planId: plan.planId, fit: false }));
}

async function finished(app: App, id: string): Promise<BroadcastProgress> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const progress = value<BroadcastProgress>(await app.dispatch('broadcast.get', { id }));
    const settled = progress.counts.pending === 0 && progress.counts.inFlight === 0;
    if (['completed', 'completed_with_failures', 'cancelled', 'expired'].includes(progress.state) && settled) return progress;
    if (Date.now() > deadline) throw new Error(`broadcast still ${progress.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function report(app: App): Promise<ReferralReport> {
  const now = Date.now();
  return value<ReferralReport>(await app.dispatch('report.get', { from: now - DAY, to: now + DAY, utcOffsetMinutes: 480 }));
}

async function platformReports(id: string): Promise<number> {
  const answer = (await (await fetch(`${sandbox.origin}/_sandbox/inbox/broadcasts`)).json()) as { broadcasts?: Array<{ id: string }> } | Array<{ id: string }>;
  const list = Array.isArray(answer) ? answer : (answer.broadcasts ?? []);
  return list.filter((entry) => entry.id === id).length;
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('發送紀錄 and 報表 after a send', () => {
  it('lists the broadcast, shows it as sent, exports its recipients, and counts the report exactly once', async () => {
    const opened = await signedIn('sales@demo');
    const { app, line } = opened;
    const before = await report(app);
    const started = await send(app, line.slice(0, 10));
    const done = await finished(app, started.id);
    expect(done.counts.accepted).toBe(10);

    const page = value<HistoryPage>(await app.dispatch('history.list', { limit: 20 }));
    expect(page.items[0]).toMatchObject({ id: started.id, kind: 'original', channels: ['line'], state: 'completed', counts: { accepted: 10 } });
    expect(TEXT.startsWith((page.items[0]?.title ?? '?').replace(/…$/, ''))).toBe(true);

    const detail = value<BroadcastDetail>(await app.dispatch('history.get', { id: started.id }));
    expect(detail.content.lineText).toContain(`utm_campaign=${started.id}`);
    expect(detail.content.links.map((link) => link.kind)).toEqual(['official', 'other']);
    const recipients = value<RecipientsPage>(await app.dispatch('history.recipients', { id: started.id, offset: 0, limit: 100 }));
    expect(recipients.total).toBe(10);
    expect(recipients.rows.every((row) => row.state === 'accepted' && row.requestId !== null)).toBe(true);

    const csv = value<ExportedCsv>(await app.dispatch('history.export', { id: started.id }));
    expect(csv.csv.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(csv.csv.slice(1));
    expect(rows).toHaveLength(11);
    expect(csv.fileName).toMatch(/\.csv$/);

    // One message per recipient; each of the two links per recipient, split official / other.
    const after = await report(app);
    expect(after.totals.messages - before.totals.messages).toBe(10);
    expect(after.totals.officialLinks - before.totals.officialLinks).toBe(10);
    expect(after.totals.otherLinks - before.totals.otherLinks).toBe(10);

    // Reported to the platform once, and counted once whether the numbers come from it or from this computer.
    await waitFor(async () => (await platformReports(started.id)) === 1, 'the platform report');
    const reported = value<BroadcastDetail>(await app.dispatch('history.get', { id: started.id }));
    expect(reported.report.state).toBe('reported');
    expect((await report(app)).totals).toEqual(after.totals);

    // Restart with the same vault: the same numbers, still one report on the platform.
    await app.close();
    const again = open(opened.dir, opened.vault, opened.network);
    await again.ready;
    expect((await report(again)).totals).toEqual(after.totals);
    expect(await platformReports(started.id)).toBe(1);

    // Offline: the history and the report are this computer's, and read the same.
    opened.network.set(false);
    expect(value<HistoryPage>(await again.dispatch('history.list', { limit: 5 })).items[0]?.id).toBe(started.id);
    const offline = await report(again);
    expect(offline.source).toBe('local');
    expect(offline.totals.messages - before.totals.messages).toBe(10);
  });

  it('shows every recipient exactly once while its LINE multicast is in flight, and once it is answered', async () => {
    const { app, line } = await signedIn('sales@demo');
    // Each multicast (one per LINE channel of the selection) is held for a while before its answer.
    await fetch(`${sandbox.origin}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'line.multicast', kind: 'latency', ms: 1500, count: 2 }),
    });
    const selection = line.slice(40, 52);
    const started = await send(app, selection);
    await waitFor(async () => value<BroadcastProgress>(await app.dispatch('broadcast.get', { id: started.id })).counts.inFlight > 0, 'a multicast in flight');

    const expectEveryoneOnce = async (states: readonly string[]): Promise<void> => {
      const page = value<RecipientsPage>(await app.dispatch('history.recipients', { id: started.id, offset: 0, limit: 500 }));
      expect(page.total).toBe(selection.length);
      expect(page.rows.map((row) => row.eventId).sort()).toEqual([...selection].sort());
      for (const row of page.rows) expect(states).toContain(row.state);
      // Paged in threes, the same list.
      const paged: string[] = [];
      for (let offset = 0; offset < selection.length; offset += 3) {
        paged.push(...value<RecipientsPage>(await app.dispatch('history.recipients', { id: started.id, offset, limit: 3 })).rows.map((row) => row.eventId));
      }
      expect(paged).toEqual(page.rows.map((row) => row.eventId));
      const csv = parseCsv(value<ExportedCsv>(await app.dispatch('history.export', { id: started.id })).csv.slice(1));
      expect(csv.slice(1).map((row) => row[9]).sort()).toEqual([...selection].sort());
    };
    await expectEveryoneOnce(['pending', 'in_flight', 'accepted']);
    const sending = value<BroadcastDetail>(await app.dispatch('history.get', { id: started.id }));
    expect(sending.item.total).toBe(selection.length);

    await finished(app, started.id);
    await expectEveryoneOnce(['accepted']);
    const detail = value<BroadcastDetail>(await app.dispatch('history.get', { id: started.id }));
    expect(detail.item).toMatchObject({ total: selection.length, counts: { accepted: selection.length } });
  });

  it('retries failed recipients as a new broadcast linked to the original', async () => {
    const { app, line } = await signedIn('sales@demo');
    await fetch(`${sandbox.origin}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'line.multicast', kind: 'status', status: 400, count: 1 }),
    });
    const started = await send(app, line.slice(20, 28));
    const failed = await finished(app, started.id);
    expect(failed.state).toBe('completed_with_failures');
    // The first multicast failed as a whole (the selection may span two LINE channels: one request each).
    const count = failed.counts.failed;
    expect(count).toBeGreaterThan(0);
    expect(count + failed.counts.accepted).toBe(8);
    expect(value<BroadcastDetail>(await app.dispatch('history.get', { id: started.id })).retryableFailed).toBe(count);

    const plan = value<BroadcastPlan>(await app.dispatch('broadcast.retryFailed', { id: started.id }));
    expect(plan).toMatchObject({ originId: started.id, recipients: { total: count, line: count, whatsapp: 0 } });
    const retry = value<BroadcastProgress>(await app.dispatch('broadcast.send', { planId: plan.planId, fit: false }));
    expect((await finished(app, retry.id)).counts.accepted).toBe(count);

    const detail = value<BroadcastDetail>(await app.dispatch('history.get', { id: started.id }));
    expect(detail.retries.map((item) => [item.id, item.kind, item.originId])).toEqual([[retry.id, 'retry_failed', started.id]]);
    const retried = value<BroadcastDetail>(await app.dispatch('history.get', { id: retry.id }));
    expect(retried.content.lineText).toBe(detail.content.lineText);

    // The retry reached them: retrying the original again would send them the message twice, so it offers nobody.
    expect(detail.retryableFailed).toBe(0);
    const again = value<BroadcastPlan>(await app.dispatch('broadcast.retryFailed', { id: started.id }));
    expect(again.recipients.total).toBe(0);
    expect(await app.dispatch('broadcast.send', { planId: again.planId, fit: false })).toMatchObject({ ok: false, error: { code: 'nothing_to_send' } });
  });

  it('resends unknown recipients only when asked', async () => {
    const { app, whatsapp } = await signedIn('sales@demo');
    await fetch(`${sandbox.origin}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'whatsapp.messages', kind: 'accept_then_cut', count: 2 }),
    });
    const started = await send(app, whatsapp.slice(0, 6), true);
    const done = await finished(app, started.id);
    expect(done.counts.unknown).toBe(2);
    expect(value<BroadcastDetail>(await app.dispatch('history.get', { id: started.id })).unknown).toBe(2);
    const plan = value<BroadcastPlan>(await app.dispatch('broadcast.resendUnknown', { id: started.id }));
    expect(plan.recipients.total).toBe(2);
    const resend = value<BroadcastProgress>(await app.dispatch('broadcast.send', { planId: plan.planId, fit: false }));
    expect((await finished(app, resend.id)).counts.accepted).toBe(2);
    expect(value<HistoryPage>(await app.dispatch('history.list', { limit: 5 })).items[0]).toMatchObject({ id: resend.id, kind: 'resend_unknown', originId: started.id });
    // Resent: the original no longer offers them.
    expect(value<BroadcastDetail>(await app.dispatch('history.get', { id: started.id })).unknown).toBe(0);
  });

  it('refuses to retry a broadcast that is still sending or unknown', async () => {
    const { app } = await signedIn('sales@demo');
    expect(await app.dispatch('broadcast.retryFailed', { id: '00000000-0000-4000-8000-000000000000' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});

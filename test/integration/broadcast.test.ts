import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  BroadcastPlan,
  BroadcastProgress,
  ComposeCheck,
  ComposedImage,
  DraftHead,
} from '../../preload/contract';
import { type App, DATABASE_FILE, createApp } from '../../main/app';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { type Sandbox, startSandbox } from '../../main/sandbox/server';
import { MemoryVault } from '../../main/vault';
import { eventIdsByChannel, value, waitForSync } from '../helpers/app-flow';
import { createTempDir } from '../helpers/tmp';

/**
 * 發送 through the bridge of a real createApp against a real sandbox: the confirmation (status re-check, quotas,
 * allowance, estimate), the send, and the sandbox's ledger afterwards — one LINE multicast entry per LINE customer,
 * one template per WhatsApp customer.
 */

let sandbox: Sandbox;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 6161, events: 1200 });
});

afterAll(async () => {
  await sandbox.close();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await fetch(`${sandbox.origin}/_sandbox/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lineMonthlyQuota: null }) });
});

interface Opened {
  app: App;
  dir: string;
  progress: BroadcastProgress[];
  line: string[];
  whatsapp: string[];
}

async function signedIn(account: string): Promise<Opened> {
  const temp = createTempDir('broadcast');
  cleanups.push(() => temp.cleanup());
  const app = createApp({
    dataDir: temp.dir,
    version: '0.0.0-test',
    transport: 'preview',
    logger: silentLogger,
    vault: new MemoryVault(),
    network: new ManualNetworkStatus(true),
  });
  cleanups.push(() => app.close());
  const progress: BroadcastProgress[] = [];
  app.subscribe((event, payload) => {
    if (event === 'broadcast.progress') progress.push(payload as BroadcastProgress);
  });
  await app.ready;
  value(await app.dispatch('session.signIn', { inboxUrl: sandbox.origin, account, password: 'demo' }));
  await waitForSync(app);
  const { line, whatsapp } = await eventIdsByChannel(app);
  return { app, dir: temp.dir, progress, line, whatsapp };
}

/** A ready draft: image + text with an official link, new_arrival on every WhatsApp number of the selection. */
async function readyDraft(app: App, selection: string[]): Promise<string> {
  const png = await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 30, g: 120, b: 200 } } }).png().toBuffer();
  const image = value<ComposedImage>(await app.dispatch('compose.importImage', { name: 'a.png', data: png.toString('base64') }));
  value(await app.dispatch('compose.templates', { refresh: true }));
  const draft = value<DraftHead>(
    await app.dispatch('drafts.save', {
      text: '新品到貨！https://shop.morninglight.example/new',
      image: { sha256: image.sha256, name: 'a.png' },
      selection,
    }),
  );
  const check = value<ComposeCheck>(await app.dispatch('compose.check', { id: draft.id }));
  const numbers = check.whatsapp.map((number) => ({
    phoneNumberId: number.phoneNumberId,
    template: { name: 'new_arrival', language: 'zh_TW' },
    params: { '1': { source: 'customer_name' as const, fallback: '貴賓' }, '2': { source: 'fixed' as const, text: '秋季針織外套' } },
  }));
  value(await app.dispatch('drafts.save', { id: draft.id, whatsapp: { numbers } }));
  expect(value<ComposeCheck>(await app.dispatch('compose.check', { id: draft.id })).ready).toBe(true);
  return draft.id;
}

async function finished(opened: Opened, id: string, timeoutMs = 30_000): Promise<BroadcastProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = value<BroadcastProgress>(await opened.app.dispatch('broadcast.get', { id }));
    if (['completed', 'completed_with_failures', 'cancelled', 'expired'].includes(progress.state)) return progress;
    if (Date.now() > deadline) throw new Error(`broadcast still ${progress.state}: ${JSON.stringify(progress.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface LedgerEntry {
  channel: 'line' | 'whatsapp';
  account: string;
  recipient: string;
  id: string;
  at: number;
  contentHash: string;
}

async function ledger(since: number): Promise<LedgerEntry[]> {
  const answer = (await (await fetch(`${sandbox.origin}/_sandbox/ledger?since=${since}`)).json()) as { entries: LedgerEntry[] };
  return answer.entries;
}

function eventOf(id: string) {
  const event = sandbox.context.world.events.find((candidate) => candidate.id === id);
  if (!event) throw new Error(`no event ${id}`);
  return event;
}

describe('broadcast.prepare: the confirmation', () => {
  it('refuses a draft that is not ready, and roles that may not broadcast', async () => {
    const { app, line } = await signedIn('sales@demo');
    const draft = value<DraftHead>(await app.dispatch('drafts.save', { text: '', selection: line.slice(0, 3) }));
    expect(await app.dispatch('broadcast.prepare', { draftId: draft.id })).toMatchObject({ ok: false, error: { code: 'draft_not_ready' } });

    const agent = await signedIn('agent@demo');
    const other = value<DraftHead>(await agent.app.dispatch('drafts.save', { text: 'x' }));
    expect(await agent.app.dispatch('broadcast.prepare', { draftId: other.id })).toMatchObject({ ok: false, error: { code: 'forbidden_role' } });
  });

  it('re-checks every event: those that left 處理中 or were reassigned away are skipped with the reason', async () => {
    const opened = await signedIn('sales@demo');
    const { app, line, whatsapp } = opened;
    const selection = [...line.slice(0, 40), ...whatsapp.slice(0, 20)];
    const draftId = await readyDraft(app, selection);

    const resolved = [line[0], whatsapp[0]].map((id) => eventOf(id ?? '?'));
    const reassigned = eventOf(line[1] ?? '?');
    const saved = resolved.map((event) => event.status);
    const savedAssignee = reassigned.assigneeId;
    for (const event of resolved) event.status = 'resolved';
    reassigned.assigneeId = 'u-someone-else';
    cleanups.push(() => {
      resolved.forEach((event, index) => (event.status = saved[index] ?? 'in_progress'));
      reassigned.assigneeId = savedAssignee;
    });

    const plan = value<BroadcastPlan>(await app.dispatch('broadcast.prepare', { draftId }));
    expect(plan.recipients).toEqual({ total: 57, line: 38, whatsapp: 19 });
    expect(plan.skippedCount).toBe(3);
    expect(plan.skipped.map((skipped) => [skipped.eventId, skipped.reason]).sort()).toEqual(
      [
        [line[0], 'not_in_progress'],
        [whatsapp[0], 'not_in_progress'],
        // The Inbox hides an event reassigned away from a sales person: it answers it as missing.
        [line[1], 'not_found'],
      ].sort(),
    );
    expect(plan.shortBy).toBe(0);
    expect(plan.sendable).toBe(57);
    expect(plan.lineQuota.length).toBeGreaterThan(0);
    expect(plan.lineQuota.reduce((sum, quota) => sum + quota.needed, 0)).toBe(38);
    expect(plan.allowance.monthlyLimit).toBeNull();
    expect(plan.estimatedSeconds).toBeGreaterThan(0);
    expect(plan.expiresAt - Date.now()).toBeGreaterThan(23 * 3_600_000);

    // Sending it: the skipped ones are recorded as skipped, the rest reach the sandbox exactly once.
    const since = Date.now() - 1;
    const started = value<BroadcastProgress>(await app.dispatch('broadcast.send', { planId: plan.planId, fit: false }));
    expect(started.total).toBe(60);
    const done = await finished(opened, started.id);
    expect(done.state).toBe('completed');
    expect(done.counts).toMatchObject({ accepted: 57, skipped: 3, failed: 0, unknown: 0, pending: 0, inFlight: 0 });
    const entries = await ledger(since);
    expect(entries.filter((entry) => entry.channel === 'line')).toHaveLength(38);
    expect(entries.filter((entry) => entry.channel === 'whatsapp')).toHaveLength(19);
    const recipients = entries.map((entry) => `${entry.channel}:${entry.recipient}`);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(await app.dispatch('broadcast.send', { planId: plan.planId, fit: false })).toMatchObject({ ok: false, error: { code: 'plan_expired' } });

    // The snapshot's LINE text carries the UTM tags with this broadcast's id.
    const db = new BetterSqlite3(path.join(opened.dir, DATABASE_FILE), { readonly: true });
    const row = db.prepare<[string], { content: string }>('SELECT content FROM broadcasts WHERE id = ?').get(started.id);
    db.close();
    const content = JSON.parse(row?.content ?? '{}') as { lineText: string; links: Array<{ kind: string }> };
    expect(content.lineText).toContain(`utm_campaign=${started.id}`);
    expect(content.lineText).toContain('utm_medium=omo_broadcast');
    expect(content.links.map((link) => link.kind)).toEqual(['official']);
  });

  it('says how far the LINE quota is short, refuses to overshoot, and sends to fewer when asked', async () => {
    const opened = await signedIn('sales@demo');
    const { app, line } = opened;
    const draftId = await readyDraft(app, line.slice(0, 30));
    await fetch(`${sandbox.origin}/_sandbox/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lineMonthlyQuota: 1_000_000 }),
    });
    const quota = value<BroadcastPlan>(await app.dispatch('broadcast.prepare', { draftId }));
    const used = quota.lineQuota.map((entry) => 1_000_000 - (entry.remaining ?? 0));
    // Leave each channel room for 5 more recipients.
    await fetch(`${sandbox.origin}/_sandbox/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lineMonthlyQuota: Math.max(...used) + 5 }),
    });
    const plan = value<BroadcastPlan>(await app.dispatch('broadcast.prepare', { draftId }));
    expect(plan.shortBy).toBeGreaterThan(0);
    expect(plan.sendable).toBe(30 - plan.shortBy);
    expect(await app.dispatch('broadcast.send', { planId: plan.planId, fit: false })).toMatchObject({ ok: false, error: { code: 'over_limit' } });
    const started = value<BroadcastProgress>(await app.dispatch('broadcast.send', { planId: plan.planId, fit: true }));
    const done = await finished(opened, started.id);
    expect(done.counts.accepted).toBe(plan.sendable);
    expect(done.counts.skipped).toBe(plan.shortBy);
    expect(done.state).toBe('completed');
  });

  it('explains failures grouped by reason (broadcast.problems)', async () => {
    const opened = await signedIn('sales@demo');
    const { app, line } = opened;
    const draftId = await readyDraft(app, line.slice(0, 12));
    await fetch(`${sandbox.origin}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'line.multicast', kind: 'status', status: 400, count: 50 }),
    });
    cleanups.push(async () => void (await fetch(`${sandbox.origin}/_sandbox/faults`, { method: 'DELETE' })));
    const plan = value<BroadcastPlan>(await app.dispatch('broadcast.prepare', { draftId }));
    const started = value<BroadcastProgress>(await app.dispatch('broadcast.send', { planId: plan.planId, fit: false }));
    const done = await finished(opened, started.id);
    expect(done.state).toBe('completed_with_failures');
    const problems = value<Array<{ channel: string; state: string; reason: string; count: number }>>(
      await app.dispatch('broadcast.problems', { id: started.id }),
    );
    expect(problems).toEqual([expect.objectContaining({ channel: 'line', state: 'failed', reason: 'line_rejected', count: 12 })]);
    expect(await app.dispatch('broadcast.problems', { id: '00000000-0000-4000-8000-000000000000' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('refuses an unknown plan', async () => {
    const { app } = await signedIn('sales@demo');
    expect(await app.dispatch('broadcast.send', { planId: '00000000-0000-4000-8000-000000000000', fit: true })).toMatchObject({
      ok: false,
      error: { code: 'plan_expired' },
    });
  });
});

/**
 * The fake bridge's sending side: broadcast.prepare re-checks the draft's selection against what the test says
 * changed on the Inbox API and against the quotas; broadcast.send snapshots it; the test then drives the progress
 * main would push (accepted / failed / skipped / unknown, pauses, the end).
 */
import type {
  BroadcastNote,
  BroadcastPlan,
  BroadcastProblem,
  BroadcastProgress,
  BroadcastState,
  Channel,
  ComposeCheck,
  Draft,
  ErrorCode,
  PlainEventList,
  RecipientCounts,
  SkipReason,
  SkippedEvent,
} from '../../preload/contract';

/** A refusal the fake answers as `{ok:false, error:{code}}`, as main does. */
export class Failure extends Error {
  constructor(readonly code: ErrorCode) {
    super(code);
  }
}

const FINAL: readonly BroadcastState[] = ['completed', 'completed_with_failures', 'cancelled', 'expired'];
const HOUR = 60 * 60_000;

export const NO_COUNTS: RecipientCounts = { pending: 0, inFlight: 0, accepted: 0, failed: 0, skipped: 0, unknown: 0 };

/** A schema-valid progress for tests that start with a broadcast already running (after a restart, say). */
export function makeProgress(fields: Partial<BroadcastProgress> & Pick<BroadcastProgress, 'id'>): BroadcastProgress {
  const counts = fields.counts ?? { ...NO_COUNTS, pending: fields.total ?? 10 };
  const total = fields.total ?? Object.values(counts).reduce((sum, value) => sum + value, 0);
  return {
    draftId: null,
    state: 'sending',
    note: null,
    total,
    counts,
    line: fields.line ?? counts,
    whatsapp: fields.whatsapp ?? NO_COUNTS,
    ratePerSecond: 0,
    etaSeconds: null,
    createdAt: Date.UTC(2025, 0, 15, 9, 0),
    startedAt: Date.UTC(2025, 0, 15, 9, 0),
    finishedAt: null,
    expiresAt: Date.UTC(2025, 0, 16, 9, 0),
    ...fields,
  };
}

/** Who a plan sends to (broadcast.send snapshots them). */
export interface PlanRecipient {
  eventId: string;
  channel: Channel;
  accountId: string;
}

interface StoredPlan {
  plan: BroadcastPlan;
  recipients: PlanRecipient[];
}

/** A change the test asks main to report: recipients moving out of pending, and the broadcast's own fields. */
export interface ProgressStep {
  accepted?: number;
  failed?: number;
  skipped?: number;
  unknown?: number;
  state?: BroadcastState;
  note?: BroadcastNote | null;
  ratePerSecond?: number;
  etaSeconds?: number | null;
}

function add(counts: RecipientCounts, patch: Partial<RecipientCounts>): RecipientCounts {
  const next = { ...counts };
  for (const [key, value] of Object.entries(patch) as Array<[keyof RecipientCounts, number]>) next[key] += value;
  return next;
}

/** Moves up to `n` recipients from pending to `into`, LINE first; returns how many moved per channel. */
function moveFromPending(progress: BroadcastProgress, into: keyof RecipientCounts, n: number): BroadcastProgress {
  const fromLine = Math.min(n, progress.line.pending);
  const fromWhatsApp = Math.min(n - fromLine, progress.whatsapp.pending);
  const moved = fromLine + fromWhatsApp;
  return {
    ...progress,
    counts: add(progress.counts, { pending: -moved, [into]: moved }),
    line: add(progress.line, { pending: -fromLine, [into]: fromLine }),
    whatsapp: add(progress.whatsapp, { pending: -fromWhatsApp, [into]: fromWhatsApp }),
  };
}

export class FakeBroadcasts {
  /** Events the Inbox API's re-check now reports differently (left 處理中, reassigned…): skipped with this reason. */
  readonly statusChanges = new Map<string, SkipReason>();
  /** LINE's message quota left this month, per LINE channel (null: LINE did not answer). Default unlimited. */
  lineQuotaRemaining: number | null = 500;
  /** The sender's monthly allowance (null limit: none). */
  allowance: { monthlyLimit: number | null; usedThisMonth: number } = { monthlyLimit: null, usedThisMonth: 0 };
  /** How long a confirmation may wait before broadcast.send refuses it (plan_expired). */
  planLifetimeMs = 10 * 60_000;
  readonly plans = new Map<string, StoredPlan>();
  readonly broadcasts = new Map<string, BroadcastProgress>();
  /** What broadcast.problems answers per broadcast, as the test sets it (none set: an empty list). */
  readonly problems = new Map<string, BroadcastProblem[]>();

  prepare(draft: Draft, check: ComposeCheck, list: PlainEventList, now: number, planId: string): BroadcastPlan {
    if (!check.ready) throw new Failure('draft_not_ready');
    const rowOf = new Map(list.rows.ids.map((id, row) => [id, row]));
    const skipped: SkippedEvent[] = [];
    const recipients: PlanRecipient[] = [];
    for (const eventId of draft.selection ?? []) {
      const row = rowOf.get(eventId);
      if (row === undefined) continue;
      const channel: Channel = list.rows.channels[row] === 0 ? 'line' : 'whatsapp';
      const reason = this.statusChanges.get(eventId);
      if (reason) skipped.push({ eventId, customerName: list.rows.names[row] ?? '', channel, reason });
      else recipients.push({ eventId, channel, accountId: list.accounts[list.rows.accountIndex[row] ?? 0]?.id ?? '?' });
    }
    if (recipients.length === 0) throw new Failure('nothing_to_send');
    const line = recipients.filter((recipient) => recipient.channel === 'line');
    const total = recipients.length;
    const lineChannels = [...new Set(line.map((recipient) => recipient.accountId))];
    const lineQuota = lineChannels.map((channelId) => ({
      channelId,
      name: list.accounts.find((account) => account.id === channelId)?.name ?? channelId,
      needed: line.filter((recipient) => recipient.accountId === channelId).length,
      remaining: this.lineQuotaRemaining,
    }));
    const { monthlyLimit, usedThisMonth } = this.allowance;
    const allowanceLeft = monthlyLimit === null ? null : Math.max(0, monthlyLimit - usedThisMonth);
    let sendable = total;
    for (const quota of lineQuota) {
      if (quota.remaining !== null && quota.needed > quota.remaining) sendable -= quota.needed - quota.remaining;
    }
    if (allowanceLeft !== null) sendable = Math.min(sendable, allowanceLeft);
    const plan: BroadcastPlan = {
      planId,
      draftId: draft.id,
      originId: null,
      recipients: { total, line: line.length, whatsapp: total - line.length },
      skipped: skipped.slice(0, 200),
      skippedCount: skipped.length,
      lineQuota,
      allowance: { monthlyLimit, usedThisMonth, remaining: allowanceLeft },
      sendable,
      shortBy: total - sendable,
      estimatedSeconds: line.length / 1000 + (total - line.length) / 80,
      validUntil: now + this.planLifetimeMs,
      expiresAt: now + 24 * HOUR,
    };
    this.plans.set(planId, { plan, recipients });
    return plan;
  }

  /** A plan made elsewhere (a retry of a broadcast in the history), for broadcast.send to take. */
  addPlan(plan: BroadcastPlan, recipients: PlanRecipient[]): void {
    this.plans.set(plan.planId, { plan, recipients });
  }

  /** The plan broadcast.send would take (undefined once sent or never made). */
  planOf(planId: string): BroadcastPlan | undefined {
    return this.plans.get(planId)?.plan;
  }

  send(planId: string, fit: boolean, now: number, id: string): BroadcastProgress {
    const stored = this.plans.get(planId);
    if (!stored || now > stored.plan.validUntil) throw new Failure('plan_expired');
    const { plan, recipients } = stored;
    if (!fit && plan.shortBy > 0) throw new Failure('over_limit');
    this.plans.delete(planId);
    // Send to fewer: WhatsApp first (its quota is not short here), then LINE up to what fits.
    const ordered = [...recipients].sort((a, b) => (a.channel === b.channel ? 0 : a.channel === 'whatsapp' ? -1 : 1));
    const kept = fit ? ordered.slice(0, plan.sendable) : ordered;
    const line = kept.filter((recipient) => recipient.channel === 'line').length;
    const whatsapp = kept.length - line;
    const leftOut = recipients.length - kept.length;
    // The events the re-check left out are in the snapshot as skipped (the fake's plans never exceed 200 of them).
    const planSkippedLine = plan.skipped.filter((event) => event.channel === 'line').length;
    const skippedLine = planSkippedLine + (plan.recipients.line - line);
    const skippedWhatsApp = plan.skipped.length - planSkippedLine + (plan.recipients.whatsapp - whatsapp);
    const progress: BroadcastProgress = {
      id,
      draftId: plan.draftId,
      state: 'sending',
      note: null,
      total: kept.length + leftOut + plan.skippedCount,
      counts: { ...NO_COUNTS, pending: kept.length, skipped: leftOut + plan.skippedCount },
      line: { ...NO_COUNTS, pending: line, skipped: skippedLine },
      whatsapp: { ...NO_COUNTS, pending: whatsapp, skipped: skippedWhatsApp },
      ratePerSecond: 0,
      etaSeconds: null,
      createdAt: now,
      startedAt: now,
      finishedAt: null,
      expiresAt: plan.expiresAt,
    };
    this.broadcasts.set(id, progress);
    return progress;
  }

  get(id: string): BroadcastProgress {
    const progress = this.broadcasts.get(id);
    if (!progress) throw new Failure('not_found');
    return progress;
  }

  /** Like main: not_found for a broadcast it never had. */
  problemsOf(id: string): BroadcastProblem[] {
    this.get(id);
    return this.problems.get(id) ?? [];
  }

  active(): BroadcastProgress[] {
    return [...this.broadcasts.values()].filter((progress) => !FINAL.includes(progress.state)).sort((a, b) => b.createdAt - a.createdAt);
  }

  private live(id: string): BroadcastProgress {
    const progress = this.get(id);
    if (FINAL.includes(progress.state)) throw new Failure('broadcast_finished');
    return progress;
  }

  private store(progress: BroadcastProgress): BroadcastProgress {
    this.broadcasts.set(progress.id, progress);
    return progress;
  }

  pause(id: string): BroadcastProgress {
    return this.store({ ...this.live(id), state: 'paused', ratePerSecond: 0, etaSeconds: null });
  }

  resume(id: string): BroadcastProgress {
    return this.store({ ...this.live(id), state: 'sending' });
  }

  /** In-flight requests finish (accepted here); nothing new starts; the rest is skipped. */
  cancel(id: string, now: number): BroadcastProgress {
    let progress = this.live(id);
    progress = { ...progress, counts: add(progress.counts, { inFlight: -progress.counts.inFlight, accepted: progress.counts.inFlight }) };
    progress = moveFromPending(progress, 'skipped', progress.counts.pending);
    return this.store({ ...progress, state: 'cancelled', note: 'cancelled', ratePerSecond: 0, etaSeconds: null, finishedAt: now });
  }

  /** What main reports next: recipients done, and the state; with nobody left pending it ends by itself. */
  step(id: string, change: ProgressStep, now: number): BroadcastProgress {
    let progress = this.get(id);
    for (const key of ['accepted', 'failed', 'skipped', 'unknown'] as const) {
      const n = change[key];
      if (n) progress = moveFromPending(progress, key, n);
    }
    const { accepted: _a, failed: _f, skipped: _s, unknown: _u, ...fields } = change;
    progress = { ...progress, ...fields };
    if (change.state === undefined && progress.counts.pending + progress.counts.inFlight === 0 && !FINAL.includes(progress.state)) {
      progress = { ...progress, state: progress.counts.failed > 0 ? 'completed_with_failures' : 'completed', etaSeconds: null };
    }
    if (FINAL.includes(progress.state) && progress.finishedAt === null) progress = { ...progress, finishedAt: now, ratePerSecond: 0, etaSeconds: null };
    return this.store(progress);
  }
}

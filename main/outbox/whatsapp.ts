import { type BodyParameter, TemplateBuildError, type TemplateMessagePayload, buildTemplateMessage } from '../channels/whatsapp/messages';
import { resolveParam } from '../compose/check';
import type { WhatsAppCredentials } from '../session';
import { type PendingWhatsAppRecipient, type RecipientStateName, listPendingWhatsApp, moveRecipient, sweepPendingOfAccount } from '../store/outbox';
import { SWEEP_CHUNK, yieldToLoop } from './context';
import { RetryQueue } from './queue';
import type { BroadcastRun } from './run';
import type { BroadcastContent } from './types';

/**
 * The WhatsApp part of one broadcast for one number (DESIGN §4 Delivery semantics): one template message per
 * recipient, paced through the number's shared lane. WhatsApp has no idempotency key, so a recipient is marked
 * in_flight (committed) BEFORE its request, and an answer that may hide a delivery (timeout, reset, unreadable 2xx:
 * errors.ts's `ambiguous`) makes it `unknown` — never resent automatically. Every other answer follows errors.ts.
 */

type NumberEntry = BroadcastContent['whatsapp'][number];

interface Item extends PendingWhatsAppRecipient {
  /** Attempts that ended in a retryable answer (this run), for the back-off. */
  attempts: number;
}

const PAGE_SIZE = 200;

/** The number's pending recipients, read from the database a page at a time, plus those waiting for a retry. */
class WhatsAppSource {
  readonly retries = new RetryQueue<Item>((item) => item.rowid);
  #page: Item[] = [];
  #cursor = 0;
  #exhausted = false;

  constructor(
    private readonly run: BroadcastRun,
    private readonly account: string,
  ) {}

  #fill(): void {
    if (this.#page.length > 0 || this.#exhausted) return;
    const rows = listPendingWhatsApp(this.run.ctx.db, this.run.id, this.account, this.#cursor, PAGE_SIZE);
    if (rows.length < PAGE_SIZE) this.#exhausted = true;
    const last = rows.at(-1);
    if (last) this.#cursor = last.rowid;
    this.#page = rows.map((row) => ({ ...row, attempts: 0 }));
  }

  isEmpty(): boolean {
    this.#fill();
    return this.#page.length === 0 && this.retries.size === 0;
  }

  next(now: number): { item: Item } | { later: number } | null {
    const retry = this.retries.next(now);
    if (retry !== null && 'item' in retry) return retry;
    this.#fill();
    const item = this.#page.shift();
    if (item) return { item };
    return retry;
  }

  putBack(item: Item, notBefore = 0): void {
    this.retries.push(item, notBefore);
  }

  /** Forgets everything queued (the database sweep settles those rows). */
  clear(): void {
    this.#page = [];
    this.#exhausted = true;
    this.retries.removeWhere();
  }
}

interface WhatsAppPart {
  readonly account: string;
  readonly entry: NumberEntry;
  readonly source: WhatsAppSource;
  /** Set when the rest of this number cannot be sent (auth refused, image refused, number gone). */
  failure: string | null;
}

/** The template message for one customer: each template parameter resolved for them, in the template's order. */
export function buildRecipientMessage(entry: NumberEntry, recipient: { recipientId: string; customerName: string }, mediaId: string | null): TemplateMessagePayload {
  const named = entry.template.parameterFormat === 'NAMED';
  const bodyParameters = entry.template.params.map((key, index): BodyParameter => {
    const value = Object.hasOwn(entry.params, key) ? entry.params[key] : undefined;
    if (value === undefined) throw new TemplateBuildError('wa_param_empty', `The template parameter ${key} has no value.`, index);
    const text = resolveParam(value, { name: recipient.customerName });
    return named ? { name: key, text } : { text };
  });
  return buildTemplateMessage({
    to: recipient.recipientId,
    template: { name: entry.template.name, language: entry.template.language, parameterFormat: entry.template.parameterFormat },
    ...(mediaId !== null ? { headerImage: { mediaId } } : {}),
    bodyParameters,
  });
}

export async function runWhatsAppPart(run: BroadcastRun, content: BroadcastContent, entry: NumberEntry): Promise<void> {
  const { ctx } = run;
  const account = entry.phoneNumberId;
  const part: WhatsAppPart = {
    account,
    entry,
    source: new WhatsAppSource(run, account),
    failure: entry.template.headerImage && content.image === null ? 'media_failed: no_image' : null,
  };
  const inflight = new Set<Promise<void>>();
  let mediaId: string | null | undefined = entry.template.headerImage ? undefined : null;
  let waitAttempts = 0;
  let waitUntil = 0;

  for (;;) {
    if (part.source.isEmpty() && inflight.size === 0) break;
    if (!(await run.gate())) break;
    const now = ctx.clock.now();

    if (part.failure !== null) {
      await failPending(run, part, part.failure);
      if (inflight.size === 0) break;
      await run.waitForChange(null);
      continue;
    }
    const item = await run.takeDue(now, waitUntil, (at) => part.source.next(at));
    if (item === null) continue;

    const all = ctx.credentials();
    const number = all?.whatsapp.find((candidate) => candidate.phoneNumberId === account);
    if (!number) {
      part.source.putBack(item);
      if (all !== null) {
        ctx.logger.warn('outbox: WhatsApp number no longer in the workspace', { broadcastId: run.id, account });
        part.failure = 'channel_unavailable';
      } else {
        waitAttempts += 1;
        waitUntil = now + ctx.backoff(waitAttempts);
      }
      continue;
    }

    if (mediaId === undefined) {
      const media = await run.whatsappMedia(number);
      if (media.kind !== 'ready') {
        part.source.putBack(item);
        if (media.kind === 'failed') part.failure = media.reason;
        else {
          waitAttempts += 1;
          waitUntil = ctx.clock.now() + ctx.backoff(waitAttempts);
        }
        continue;
      }
      mediaId = media.value;
    }
    waitAttempts = 0;

    let payload: TemplateMessagePayload;
    try {
      payload = buildRecipientMessage(entry, item, mediaId);
    } catch (error) {
      if (!(error instanceof TemplateBuildError)) throw error;
      // Refused locally what Meta would refuse: nothing was sent.
      settle(run, item, 'pending', { state: 'failed', reason: error.code });
      continue;
    }

    const lane = ctx.whatsappLane(account);
    let release: () => void;
    try {
      release = await lane.acquire(run.abort.signal);
    } catch {
      part.source.putBack(item);
      continue;
    }
    // The wait for the lane may have been long: the broadcast, or this number's part, may have stopped meanwhile.
    if (!run.canSendNow() || part.failure !== null) {
      release();
      part.source.putBack(item);
      continue;
    }
    if (!moveRecipient(ctx.db, item.rowid, 'pending', { state: 'in_flight', reason: null }, ctx.clock.now())) {
      release();
      continue;
    }
    run.moved('whatsapp', 'pending', 'in_flight', 1);
    ctx.trace('whatsapp.in_flight', { broadcastId: run.id, eventId: item.eventId, account, recipientId: item.recipientId });
    const task: Promise<void> = send(run, part, item, payload, number).finally(() => {
      release();
      inflight.delete(task);
    });
    inflight.add(task);
    run.track(task);
  }
}

async function send(run: BroadcastRun, part: WhatsAppPart, item: Item, payload: TemplateMessagePayload, number: WhatsAppCredentials): Promise<void> {
  const { ctx } = run;
  const result = await ctx.graphClient(number).sendMessage(part.account, payload);
  // stop() is over: the next engine's start() makes this row unknown (it may have been sent).
  if (run.detached) return;
  const now = ctx.clock.now();
  const lane = ctx.whatsappLane(part.account);
  const detail = { broadcastId: run.id, eventId: item.eventId, account: part.account, recipientId: item.recipientId };

  if (result.ok) {
    const messageId = result.value.messages[0]?.id ?? null;
    settle(run, item, 'in_flight', { state: 'accepted', reason: null, messageId });
    lane.rateLimitStreak = 0;
    run.setRateLimited(false);
    ctx.trace('whatsapp.answered', { ...detail, outcome: 'accepted', messageId, status: result.status });
    return;
  }
  const error = result.error;
  const answered = { ...detail, status: error.status, code: error.code, reason: error.reason };
  const cap = ctx.options.backoff.maxMs;
  switch (error.kind) {
    case 'ambiguous':
      // It may have been delivered and WhatsApp has no idempotency key: the user decides whether to resend.
      settle(run, item, 'in_flight', { state: 'unknown', reason: error.reason });
      ctx.trace('whatsapp.answered', { ...answered, outcome: 'unknown' });
      return;
    case 'permanent':
      settle(run, item, 'in_flight', { state: 'failed', reason: error.reason });
      ctx.trace('whatsapp.answered', { ...answered, outcome: 'failed' });
      return;
    case 'auth':
      // The token or the account is unusable: every further request would be refused the same way.
      settle(run, item, 'in_flight', { state: 'failed', reason: error.reason });
      if (part.failure === null) {
        ctx.logger.warn('outbox: WhatsApp refused the number; the rest of it fails', { broadcastId: run.id, account: part.account, reason: error.reason });
        part.failure = error.reason;
      }
      ctx.trace('whatsapp.answered', { ...answered, outcome: 'failed' });
      return;
    case 'rate_limited': {
      lane.rateLimitStreak += 1;
      const delay = Math.min(cap, error.retryAfterMs ?? ctx.backoff(lane.rateLimitStreak));
      lane.pacer.holdUntil(now + delay);
      run.setRateLimited(true);
      retry(run, part, item, now + delay);
      ctx.trace('whatsapp.answered', { ...answered, outcome: 'retry', delayMs: delay });
      return;
    }
    case 'pair_rate_limited': {
      // Too fast for this one customer: only this recipient waits.
      const delay = Math.min(cap, error.retryAfterMs ?? ctx.backoff(item.attempts + 1));
      retry(run, part, item, now + delay);
      ctx.trace('whatsapp.answered', { ...answered, outcome: 'retry', delayMs: delay });
      return;
    }
    case 'retryable': {
      item.attempts += 1;
      const delay = Math.max(ctx.backoff(item.attempts), Math.min(cap, error.retryAfterMs ?? 0));
      retry(run, part, item, now + delay);
      ctx.trace('whatsapp.answered', { ...answered, outcome: 'retry', delayMs: delay });
      return;
    }
  }
}

/** Nothing was sent (errors.ts says so for every retryable kind): pending again, unless the broadcast or part ended. */
function retry(run: BroadcastRun, part: WhatsAppPart, item: Item, at: number): void {
  const ended = run.endedReason();
  if (ended !== null) settle(run, item, 'in_flight', { state: 'skipped', reason: ended });
  else if (part.failure !== null) settle(run, item, 'in_flight', { state: 'failed', reason: part.failure });
  else if (settle(run, item, 'in_flight', { state: 'pending', reason: null })) part.source.putBack(item, at);
}

function settle(
  run: BroadcastRun,
  item: Item,
  from: 'pending' | 'in_flight',
  to: { state: Exclude<RecipientStateName, 'in_flight'>; reason: string | null; messageId?: string | null },
): boolean {
  const moved = moveRecipient(run.ctx.db, item.rowid, from, to, run.ctx.clock.now());
  if (moved) run.moved('whatsapp', from, to.state, 1);
  return moved;
}

/** The part cannot go on: its pending recipients (queued or not yet read) fail with `reason`, a chunk at a time. */
async function failPending(run: BroadcastRun, part: WhatsAppPart, reason: string): Promise<void> {
  part.source.clear();
  for (;;) {
    const moved = sweepPendingOfAccount(run.ctx.db, run.id, 'whatsapp', part.account, { state: 'failed', reason }, SWEEP_CHUNK, run.ctx.clock.now());
    run.moved('whatsapp', 'pending', 'failed', moved);
    if (moved < SWEEP_CHUNK) return;
    await yieldToLoop();
  }
}

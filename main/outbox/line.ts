import type { messagingApi } from '@line/bot-sdk';
import { type ClassifiedLineError, LineTimeoutError, classifyLineError } from '../channels/line/errors';
import { type LineImageUrls, LineMessageError, buildMulticastRequest } from '../channels/line/messages';
import type { LineCredentials } from '../session';
import { type BatchTransition, type PendingBatch, listBatchRecipientIds, listPendingBatches, markBatchInFlight, moveBatch } from '../store/outbox';
import { LINE_KEY_SAFE_MS, yieldToLoop } from './context';
import { RetryQueue } from './queue';
import type { BroadcastRun } from './run';
import type { BroadcastContent } from './types';

/**
 * The LINE part of one broadcast for one channel (DESIGN §4 Delivery semantics): its multicast batches, in seq order,
 * each sent with its persisted retry key (= batch_id) through the channel's shared lane.
 *
 * Per batch: pending → in_flight (the batch row, attempts + 1; its recipient rows stay pending and are counted in
 * flight from the batch) BEFORE the request; then
 * accepted (200, or 409 = already accepted), failed (monthly limit, other 4xx), or back to pending for a retry with
 * the SAME key (5xx, 429 rate limit, timeout, reset) — the recipient rows move once, with the batch's answer. A pending batch that was attempted without an answer carries
 * that reason: if it is never retried (cancel, expiry, quota), its recipients are `unknown`, not "not sent".
 */

interface LinePart {
  readonly account: string;
  readonly queue: RetryQueue<PendingBatch>;
  /** Set when the rest of this channel cannot be sent (channel gone, image refused): pending batches fail with it. */
  failure: string | null;
  /** LINE answered "monthly limit": batches never attempted without answer fail line_quota instead of being sent. */
  quotaHit: boolean;
}

type Outcome = { kind: 'accepted'; requestId: string | null; status: number } | ClassifiedLineError;

/** Races an SDK call with a timer (the SDK has none); the late answer of a timed-out attempt is ignored. */
async function withTimeout<T>(call: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new LineTimeoutError(timeoutMs)), timeoutMs);
  });
  // The retry reuses the key, so whatever this attempt ends up doing is harmless; only its rejection must be caught.
  call.catch(() => undefined);
  try {
    return await Promise.race([call, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

export async function runLinePart(run: BroadcastRun, content: BroadcastContent, account: string): Promise<void> {
  const { ctx } = run;
  const part: LinePart = {
    account,
    queue: new RetryQueue<PendingBatch>((batch) => batch.seq, listPendingBatches(ctx.db, run.id, account)),
    failure: null,
    // Per channel, and learnt again after a restart: the batches a quota stop failed are failed in the database
    // already, and any left would be refused (429) and failed then.
    quotaHit: false,
  };
  const inflight = new Set<Promise<void>>();
  let urls: LineImageUrls | null | undefined;
  /** An http (not https) media origin the image URLs may use: the loopback sandbox. Read once, with the media. */
  let insecureOrigin: string | null = null;
  let waitAttempts = 0;
  let waitUntil = 0;

  for (;;) {
    if (part.queue.size === 0 && inflight.size === 0) break;
    if (!(await run.gate())) break;
    const now = ctx.clock.now();

    if (part.failure !== null) {
      await failQueued(run, part, part.failure);
      if (inflight.size === 0) break;
      await run.waitForChange(null);
      continue;
    }
    const batch = await run.takeDue(now, waitUntil, (at) => part.queue.next(at));
    if (batch === null) continue;

    if (part.quotaHit && batch.reason === null) {
      settle(run, batch, 'pending', { state: 'failed', reason: 'line_quota' });
      continue;
    }
    if (batch.reason !== null && now >= run.createdAt + LINE_KEY_SAFE_MS) {
      // LINE forgets a key 24 h after its first attempt: a retry now could send the batch twice.
      settle(run, batch, 'pending', { state: 'unknown', reason: batch.reason });
      continue;
    }

    const all = ctx.credentials();
    const channel = all?.line.find((candidate) => candidate.id === account);
    if (!channel) {
      part.queue.push(batch);
      if (all !== null) {
        ctx.logger.warn('outbox: LINE channel no longer in the workspace', { broadcastId: run.id, account });
        part.failure = 'channel_unavailable';
      } else {
        // Signed out (or expired): the channel may come back after signing in; expiry bounds the wait.
        waitAttempts += 1;
        waitUntil = now + ctx.backoff(waitAttempts);
      }
      continue;
    }

    if (urls === undefined) {
      const media = await run.lineMedia();
      if (media.kind !== 'ready') {
        part.queue.push(batch);
        if (media.kind === 'failed') part.failure = media.reason;
        else {
          waitAttempts += 1;
          waitUntil = ctx.clock.now() + ctx.backoff(waitAttempts);
        }
        continue;
      }
      urls = media.value;
      insecureOrigin = ctx.options.insecureMediaOrigin();
    }
    waitAttempts = 0;

    let request: messagingApi.MulticastRequest;
    try {
      const origin = insecureOrigin;
      request = buildMulticastRequest(
        {
          // The ids the snapshot was written with (this process enqueued it), else as stored: the same list, in order.
          to: run.batchRecipientIds(batch.batchId) ?? listBatchRecipientIds(ctx.db, run.id, batch.batchId),
          ...(urls !== null ? { imageUrl: urls } : {}),
          ...(content.lineText !== null ? { text: content.lineText } : {}),
        },
        origin !== null ? { allowInsecureOrigin: origin } : {},
      );
    } catch (error) {
      if (!(error instanceof LineMessageError)) throw error;
      // Refused locally what LINE would refuse with a 400: never sent, so no retry key is spent.
      settle(run, batch, 'pending', { state: 'failed', reason: `line_invalid: ${error.code}` });
      continue;
    }

    const lane = ctx.lineLane(account);
    let release: () => void;
    try {
      release = await lane.acquire(run.abort.signal);
    } catch {
      part.queue.push(batch);
      continue;
    }
    // The wait for the lane may have been long: the broadcast, or this channel's part, may have stopped meanwhile.
    if (!run.canSendNow() || part.failure !== null || (part.quotaHit && batch.reason === null)) {
      release();
      part.queue.push(batch);
      continue;
    }
    const marked = markBatchInFlight(ctx.db, run.id, batch.batchId, ctx.clock.now());
    if (marked === null) {
      release();
      continue;
    }
    run.moved('line', 'pending', 'in_flight', marked.recipients);
    ctx.trace('line.batch.in_flight', {
      broadcastId: run.id,
      batchId: batch.batchId,
      account,
      attempt: marked.attempts,
      recipients: marked.recipients,
    });
    const task: Promise<void> = send(run, part, { ...batch, attempts: marked.attempts }, request, channel).finally(() => {
      release();
      inflight.delete(task);
    });
    inflight.add(task);
    run.track(task);
  }
}

async function send(run: BroadcastRun, part: LinePart, batch: PendingBatch, request: messagingApi.MulticastRequest, channel: LineCredentials): Promise<void> {
  const { ctx } = run;
  let outcome: Outcome;
  try {
    const response = await withTimeout(ctx.lineClient(channel).multicastWithHttpInfo(request, batch.batchId), ctx.options.requestTimeoutMs);
    outcome = { kind: 'accepted', requestId: response.httpResponse.headers.get('x-line-request-id'), status: response.httpResponse.status };
  } catch (error) {
    outcome = classifyLineError(error);
  }
  // stop() is over: the next engine's start() puts this batch back to pending and resends it under the same key.
  if (run.detached) return;
  const now = ctx.clock.now();
  const lane = ctx.lineLane(part.account);
  const detail = { broadcastId: run.id, batchId: batch.batchId, account: part.account, attempt: batch.attempts, status: outcome.status };

  switch (outcome.kind) {
    case 'accepted':
    case 'already_accepted': {
      const requestId = outcome.kind === 'accepted' ? outcome.requestId : outcome.acceptedRequestId;
      const moved = moveBatch(
        ctx.db,
        run.id,
        batch.batchId,
        { from: 'in_flight', batch: { state: 'accepted', reason: null, requestId }, recipients: { state: 'accepted', reason: null, requestId } },
        now,
      );
      run.moved('line', 'in_flight', 'accepted', moved);
      lane.rateLimitStreak = 0;
      run.setRateLimited(false);
      ctx.trace('line.batch.answered', { ...detail, outcome: 'accepted', requestId, conflict: outcome.kind === 'already_accepted' });
      return;
    }
    case 'monthly_limit': {
      // LINE checks the key before the quota, so this attempt's key was never accepted: the batch was not sent.
      settle(run, batch, 'in_flight', { state: 'failed', reason: 'line_quota' });
      ctx.trace('line.batch.answered', { ...detail, outcome: 'failed', reason: 'line_quota' });
      if (!part.quotaHit) {
        part.quotaHit = true;
        run.markQuotaStopped();
        ctx.logger.warn('outbox: LINE monthly limit reached; the rest of the channel fails', { broadcastId: run.id, account: part.account });
        // Batches never attempted without an answer surely were not accepted: fail them now. The others are sent
        // once more under their key, so LINE itself says whether they were accepted (409) or not (429).
        const doomed = part.queue.removeWhere((queued) => queued.reason === null);
        for (const [index, queued] of doomed.entries()) {
          settle(run, queued, 'pending', { state: 'failed', reason: 'line_quota' });
          if (index < doomed.length - 1) await yieldToLoop();
        }
      }
      return;
    }
    case 'rejected':
      settle(run, batch, 'in_flight', { state: 'failed', reason: outcome.reason });
      ctx.trace('line.batch.answered', { ...detail, outcome: 'failed', reason: outcome.reason });
      return;
    case 'rate_limited': {
      lane.rateLimitStreak += 1;
      const delay = ctx.backoff(lane.rateLimitStreak);
      lane.pacer.holdUntil(now + delay);
      run.setRateLimited(true);
      retry(run, part, batch, now + delay, null);
      ctx.trace('line.batch.answered', { ...detail, outcome: 'retry', reason: outcome.reason, delayMs: delay });
      return;
    }
    case 'server_error':
    case 'no_answer': {
      const delay = ctx.backoff(batch.attempts);
      ctx.logger.warn('outbox: LINE batch will be retried', { broadcastId: run.id, batchId: batch.batchId, reason: outcome.reason, delayMs: delay });
      retry(run, part, batch, now + delay, outcome.kind === 'no_answer' ? outcome.reason : null);
      ctx.trace('line.batch.answered', { ...detail, outcome: 'retry', reason: outcome.reason, delayMs: delay });
      return;
    }
  }
}

/**
 * An attempt that must be repeated: back to pending under the same key, unless the broadcast ended meanwhile (then
 * skipped, or unknown if an attempt went unanswered) or the part stopped (quota, failure).
 */
function retry(run: BroadcastRun, part: LinePart, batch: PendingBatch, at: number, unanswered: string | null): void {
  const reason = unanswered ?? batch.reason;
  const ended = run.endedReason();
  if (ended !== null) {
    settle(run, batch, 'in_flight', reason !== null ? { state: 'unknown', reason } : { state: 'skipped', reason: ended });
    return;
  }
  if (part.failure !== null) {
    settle(run, batch, 'in_flight', reason !== null ? { state: 'unknown', reason } : { state: 'failed', reason: part.failure });
    return;
  }
  if (part.quotaHit && reason === null) {
    settle(run, batch, 'in_flight', { state: 'failed', reason: 'line_quota' });
    return;
  }
  const moved = moveBatch(
    run.ctx.db,
    run.id,
    batch.batchId,
    { from: 'in_flight', batch: { state: 'pending', reason }, recipients: { state: 'pending', reason: null } },
    run.ctx.clock.now(),
  );
  if (moved === 0) return;
  run.moved('line', 'in_flight', 'pending', moved);
  part.queue.push({ ...batch, reason }, at);
}

/** A batch's final word for its recipients (the batch itself is failed, with the same reason). */
function settle(
  run: BroadcastRun,
  batch: PendingBatch,
  from: 'pending' | 'in_flight',
  to: { state: 'failed' | 'skipped' | 'unknown'; reason: string },
): void {
  const change: BatchTransition = { from, batch: { state: 'failed', reason: to.reason }, recipients: to };
  const moved = moveBatch(run.ctx.db, run.id, batch.batchId, change, run.ctx.clock.now());
  run.moved('line', from, to.state, moved);
}

/** The part cannot go on: every queued batch settles with `reason` (unknown where an attempt went unanswered). */
async function failQueued(run: BroadcastRun, part: LinePart, reason: string): Promise<void> {
  const batches = part.queue.removeWhere();
  for (const [index, batch] of batches.entries()) {
    settle(run, batch, 'pending', batch.reason !== null ? { state: 'unknown', reason: batch.reason } : { state: 'failed', reason });
    if (index < batches.length - 1) await yieldToLoop();
  }
}

import type { BroadcastNote, BroadcastProgress, BroadcastState } from '../../preload/contract';
import { FINAL_BROADCAST_STATES } from '../../preload/contract';
import type { LineImageUrls } from '../channels/line/messages';
import { InboxError, isRetryable, isUnauthorized } from '../inbox/client';
import { AppFailure } from '../rpc';
import type { WhatsAppCredentials } from '../session';
import type { Channel } from '../store/events';
import {
  type BatchMember,
  type NewOutboxBatch,
  countRecipientStates,
  countUnfinishedRecipients,
  getBroadcastMedia,
  listPendingBatches,
  listPendingLineAccounts,
  moveBatch,
  saveBroadcastMedia,
  setBroadcastNote,
  setBroadcastState,
  sweepPendingRecipients,
} from '../store/outbox';
import { type EngineContext, SWEEP_CHUNK, yieldToLoop } from './context';
import { RateWindow, RecipientCounters, buildProgress } from './counts';
import type { Next } from './queue';
import { runLinePart } from './line';
import { Notifier, waitFor } from './timing';
import type { BroadcastContent } from './types';
import { runWhatsAppPart } from './whatsapp';

/** What a media upload came to: ready (with its value), worth another try later, or failed for good. */
export type MediaOutcome<T> = { kind: 'ready'; value: T } | { kind: 'retry'; detail: string } | { kind: 'failed'; reason: string };

export interface RunFacts {
  id: string;
  draftId: string | null;
  state: BroadcastState;
  note: BroadcastNote | null;
  createdAt: number;
  expiresAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

const FINAL: ReadonlySet<BroadcastState> = new Set(FINAL_BROADCAST_STATES);

export function isFinalState(state: BroadcastState): boolean {
  return FINAL.has(state);
}

/** How long the progress stream stays quiet after an event (DESIGN: ≤ 1 per 100 ms per broadcast). */
const PROGRESS_INTERVAL_MS = 100;

/**
 * One broadcast being sent: its state machine (queued → sending ⇄ paused | waiting_for_network → final), its
 * counters, and one part per account (runLinePart / runWhatsAppPart) that sends through the shared lanes.
 *
 * Every transition is written to SQLite before the effect it guards (CONVENTIONS habit 5). The parts ask `gate()`
 * before each request: it waits (without polling) while paused or offline, and ends the broadcast on expiry.
 */
export class BroadcastRun {
  readonly id: string;
  readonly draftId: string | null;
  readonly createdAt: number;
  readonly expiresAt: number;
  state: BroadcastState;
  note: BroadcastNote | null;
  startedAt: number | null;
  finishedAt: number | null;

  counters: RecipientCounters;
  readonly rate = new RateWindow();
  /** Woken by every change a waiting part may care about: state, network, an answer, stop. */
  readonly wake = new Notifier();
  /** Aborted by stop(): every wait and lane acquisition ends. */
  readonly abort = new AbortController();
  /** Requests in flight (and their outcome writes), for stop() and the end of the run. */
  readonly inflight = new Set<Promise<void>>();

  /** stop() was called: start nothing new. */
  stopping = false;
  /** stop() is over: late answers are dropped (start() of the next engine settles what they left in flight). */
  detached = false;
  /** A LINE channel of this broadcast ran out of monthly quota (the note stays line_quota). */
  quotaStopped = false;
  /** A rate-limit answer is being backed off (note rate_limited until the next success). */
  rateLimited = false;
  /** How many runs of this broadcast failed unexpectedly in a row (the resume's back-off). */
  failures = 0;
  /** Called once the run halted after an unexpected failure. */
  onHalt: ((run: BroadcastRun) => void) | null = null;

  #launched = false;
  #done: Promise<void> | null = null;
  #sweeping: Promise<void> | null = null;
  #lineMedia: Promise<MediaOutcome<LineImageUrls | null>> | null = null;
  readonly #whatsappMedia = new Map<string, Promise<MediaOutcome<string>>>();
  #progressTimer: NodeJS.Timeout | null = null;
  #progressDirty = false;
  #taskError: unknown = null;
  /** The packed recipients per batch of a snapshot this engine wrote (not read back from SQLite); null otherwise. */
  #batchMembers: ReadonlyMap<string, readonly BatchMember[]> | null = null;

  constructor(
    readonly ctx: EngineContext,
    facts: RunFacts,
    counters: RecipientCounters,
    /** null: the stored content could not be read back (its pending recipients fail). */
    readonly content: BroadcastContent | null,
  ) {
    this.id = facts.id;
    this.draftId = facts.draftId;
    this.createdAt = facts.createdAt;
    this.expiresAt = facts.expiresAt;
    this.state = facts.state;
    this.note = facts.note;
    this.startedAt = facts.startedAt;
    this.finishedAt = facts.finishedAt;
    this.counters = counters;
    if (facts.note === 'line_quota') this.quotaStopped = true;
  }

  /** Enqueue hands over the batches it wrote, their recipients in their stored order. */
  rememberBatches(batches: readonly NewOutboxBatch[]): void {
    this.#batchMembers = new Map(batches.map((batch) => [batch.batchId, batch.members]));
  }

  /** A batch's LINE user ids as enqueue wrote them; null when this run did not write it (read them from SQLite). */
  batchRecipientIds(batchId: string): string[] | null {
    return this.#batchMembers?.get(batchId)?.map((member) => member.recipientId) ?? null;
  }

  get launched(): boolean {
    return this.#launched;
  }

  get done(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }

  get sweeping(): Promise<void> | null {
    return this.#sweeping;
  }

  isFinal(): boolean {
    return isFinalState(this.state);
  }

  /** Starts sending in the background (once). */
  launch(): void {
    if (this.#launched || this.isFinal()) return;
    this.#launched = true;
    this.#done = this.#main().catch((error: unknown) => this.#halt(error));
  }

  /**
   * An unexpected failure (a bug, the disk): this run stops like stop() would, lets its requests settle, and hands
   * over to `onHalt`, which resumes the broadcast from the database as a restart would.
   */
  async #halt(error: unknown): Promise<void> {
    this.ctx.logger.error('outbox: broadcast run failed; it resumes from the database', { broadcastId: this.id, error });
    this.beginStop();
    await Promise.allSettled([...this.inflight]);
    if (this.#sweeping) await this.#sweeping;
    this.detach();
    this.onHalt?.(this);
  }

  /** The counters were written by someone else (start-up recovery): read them again. */
  recount(): void {
    this.counters = RecipientCounters.from(countRecipientStates(this.ctx.db, this.id));
  }

  async #main(): Promise<void> {
    const content = this.content;
    if (content === null) {
      this.ctx.logger.error('outbox: broadcast content unreadable; its pending recipients fail', { broadcastId: this.id });
      await this.#sweepAll({ state: 'failed', reason: 'content_unreadable' });
    } else {
      const parts: Array<Promise<void>> = [];
      for (const account of listPendingLineAccounts(this.ctx.db, this.id)) parts.push(runLinePart(this, content, account));
      for (const entry of content.whatsapp) parts.push(runWhatsAppPart(this, content, entry));
      // One part failing stops the others too (nothing keeps writing behind a run being halted).
      const results = await Promise.allSettled(
        parts.map((part) =>
          part.catch((error: unknown) => {
            this.beginStop();
            throw error;
          }),
        ),
      );
      const failure = results.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    }
    await Promise.allSettled([...this.inflight]);
    if (this.#taskError !== null) throw this.#taskError;
    if (this.stopping) return;
    if (this.#sweeping) await this.#sweeping;
    if (this.isFinal()) return;

    const left = countUnfinishedRecipients(this.ctx.db, this.id);
    if (left > 0) {
      // Every part ended yet rows are unfinished: a bug, not a network state. Say so rather than hang.
      this.ctx.logger.error('outbox: recipients left unfinished after every part ended', { broadcastId: this.id, left });
      await this.#sweepAll({ state: 'failed', reason: 'internal' });
      this.recount();
    }
    const { failed, unknown } = this.counters.total;
    const now = this.ctx.clock.now();
    this.setState(failed + unknown > 0 ? 'completed_with_failures' : 'completed', { startedAt: now, finishedAt: now });
  }

  // -------------------------------------------------------------------------------------------------------------
  // State

  /** The note the state and the flags imply (BroadcastNote). */
  #noteFor(state: BroadcastState): BroadcastNote | null {
    if (state === 'cancelled') return 'cancelled';
    if (state === 'expired') return 'expired';
    if (this.quotaStopped) return 'line_quota';
    if (state === 'waiting_for_network') return 'waiting_for_network';
    if (state === 'sending' && this.rateLimited) return 'rate_limited';
    return null;
  }

  /** Persists a state change (before anything acts on it), traces it, and emits progress at once. */
  setState(state: BroadcastState, times: { startedAt?: number; finishedAt?: number } = {}): void {
    if (this.detached) return;
    const now = this.ctx.clock.now();
    const note = this.#noteFor(state);
    setBroadcastState(this.ctx.db, this.id, { state, note, now, ...times });
    const previous = this.state;
    this.state = state;
    this.note = note;
    if (times.startedAt !== undefined) this.startedAt ??= times.startedAt;
    if (times.finishedAt !== undefined) this.finishedAt ??= times.finishedAt;
    if (state === 'sending' && previous !== 'sending') this.rate.restart(now);
    this.ctx.logger.info('outbox: broadcast state', { broadcastId: this.id, from: previous, state, note });
    this.ctx.trace('state', { broadcastId: this.id, state, note, previous });
    this.wake.notify();
    this.emit(true);
    if (isFinalState(state)) {
      this.#batchMembers = null;
      this.ctx.writeRows(this.id);
    }
  }

  /** Re-derives the note after a flag changed; persists and emits only if it differs. */
  refreshNote(): void {
    if (this.detached) return;
    const note = this.#noteFor(this.state);
    if (note === this.note) return;
    setBroadcastNote(this.ctx.db, this.id, note, this.ctx.clock.now());
    this.note = note;
    this.emit(true);
  }

  setRateLimited(limited: boolean): void {
    if (this.rateLimited === limited) return;
    this.rateLimited = limited;
    this.refreshNote();
  }

  markQuotaStopped(): void {
    if (this.quotaStopped) return;
    this.quotaStopped = true;
    this.refreshNote();
  }

  pause(): void {
    this.#assertNotFinal();
    if (this.state === 'paused') return;
    this.setState('paused');
  }

  resume(): void {
    this.#assertNotFinal();
    if (this.state !== 'paused') return;
    // The gate moves it on to sending or waiting_for_network at once.
    this.setState(this.startedAt === null ? 'queued' : 'sending');
  }

  /** cancel(): nothing new starts, in-flight requests finish, every pending recipient is skipped('cancelled'). */
  cancel(): void {
    this.#assertNotFinal();
    this.finishEarly('cancelled');
  }

  #assertNotFinal(): void {
    if (this.isFinal()) throw new AppFailure('broadcast_finished', `Broadcast ${this.id} is already ${this.state}`);
  }

  /**
   * Ends the broadcast now (cancelled or expired): the state first (so no part starts another request), then the
   * sweep of what is still pending. The first chunks run before this returns, so a small broadcast's progress is
   * complete at once; a huge one finishes in chunks that yield to the event loop.
   */
  finishEarly(kind: 'cancelled' | 'expired'): void {
    if (this.isFinal() || this.detached) return;
    const now = this.ctx.clock.now();
    this.setState(kind, { finishedAt: now });
    this.#startSweep(kind);
  }

  /**
   * Settles the pending recipients of a cancelled or expired broadcast: a LINE batch that was attempted without an
   * answer may have been accepted, so its recipients become unknown (reason: why there was no answer); everything
   * else pending is skipped(kind). Also run at start-up for a sweep a crash cut short.
   */
  #startSweep(kind: 'cancelled' | 'expired'): void {
    const sweep: Promise<void> = this.sweepEnded(kind)
      .catch((error: unknown) => {
        this.ctx.logger.error('outbox: sweep failed', { broadcastId: this.id, error });
      })
      .finally(() => {
        if (this.#sweeping === sweep) this.#sweeping = null;
        this.ctx.writeRows(this.id);
      });
    this.#sweeping = sweep;
  }

  /** Start-up: a cancelled or expired broadcast whose sweep a crash cut short finishes it. */
  resumeSweep(): void {
    const kind = this.endedReason();
    if (kind === null || this.#sweeping !== null) return;
    this.#startSweep(kind);
  }

  async sweepEnded(kind: 'cancelled' | 'expired'): Promise<void> {
    let budget = 0;
    for (const batch of listPendingBatches(this.ctx.db, this.id)) {
      if (this.detached) return;
      const unanswered = batch.reason;
      const moved = moveBatch(
        this.ctx.db,
        this.id,
        batch.batchId,
        unanswered === null
          ? { from: 'pending', batch: { state: 'failed', reason: kind }, recipients: { state: 'skipped', reason: kind } }
          : { from: 'pending', batch: { state: 'failed', reason: unanswered }, recipients: { state: 'unknown', reason: unanswered } },
        this.ctx.clock.now(),
      );
      this.counters.move('line', 'pending', unanswered === null ? 'skipped' : 'unknown', moved);
      budget += moved;
      if (budget >= SWEEP_CHUNK) {
        budget = 0;
        this.emit();
        await yieldToLoop();
      }
    }
    await this.#sweepAll({ state: 'skipped', reason: kind });
  }

  async #sweepAll(to: { state: 'skipped' | 'failed'; reason: string }): Promise<void> {
    for (;;) {
      if (this.detached) return;
      const moved = sweepPendingRecipients(this.ctx.db, this.id, to, SWEEP_CHUNK, this.ctx.clock.now());
      this.counters.move('line', 'pending', to.state, moved.line);
      this.counters.move('whatsapp', 'pending', to.state, moved.whatsapp);
      this.emit();
      if (moved.line + moved.whatsapp < SWEEP_CHUNK) return;
      await yieldToLoop();
    }
  }

  /**
   * Before each request: false when the part must stop (stopping, final, just expired). Waits while paused or
   * offline — woken by resume, the network's online event, cancel, stop, or the expiry time — and moves the state to
   * waiting_for_network / sending as needed.
   */
  async gate(): Promise<boolean> {
    for (;;) {
      if (this.stopping || this.isFinal()) return false;
      const now = this.ctx.clock.now();
      if (now >= this.expiresAt) {
        this.finishEarly('expired');
        return false;
      }
      if (this.state === 'paused') {
        await this.waitForChange(this.expiresAt);
        continue;
      }
      if (!this.ctx.network.isOnline()) {
        if (this.state !== 'waiting_for_network') this.setState('waiting_for_network');
        await this.waitForChange(this.expiresAt);
        continue;
      }
      if (this.state !== 'sending') this.setState('sending', { startedAt: now });
      return true;
    }
  }

  /** The synchronous last check right before a request is marked in flight (nothing can change in between). */
  canSendNow(): boolean {
    return !this.stopping && this.state === 'sending' && this.ctx.network.isOnline() && this.ctx.clock.now() < this.expiresAt;
  }

  /** Waits for the next wake-up, `until` (engine clock; null: none), or stop. */
  waitForChange(until: number | null): Promise<void> {
    return waitFor(this.wake, { until, clock: this.ctx.clock, sleep: this.ctx.sleep, signal: this.abort.signal });
  }

  /**
   * The item a part may send now: none while the part backs off (`waitUntil`), else the first ready one of `next`.
   * When there is none yet it waits for the change that could bring one and answers null, so the caller loops.
   */
  async takeDue<T>(now: number, waitUntil: number, next: (now: number) => Next<T>): Promise<T | null> {
    if (now < waitUntil) {
      await this.waitForChange(waitUntil);
      return null;
    }
    const found = next(now);
    if (found === null) {
      await this.waitForChange(null);
      return null;
    }
    if ('later' in found) {
      await this.waitForChange(found.later);
      return null;
    }
    return found.item;
  }

  /**
   * Tracks a request and its outcome write, so stop() and the end of the run can wait for it. An unexpected error
   * there (the outcome could not be written) halts the run: its row stays in flight and is settled as after a crash.
   */
  track(task: Promise<void>): void {
    const tracked: Promise<void> = task
      .catch((error: unknown) => {
        this.#taskError ??= error;
        this.beginStop();
      })
      .finally(() => {
        this.inflight.delete(tracked);
        this.wake.notify();
      });
    this.inflight.add(tracked);
  }

  /** Skip reason for work that ends because the broadcast did. */
  endedReason(): 'cancelled' | 'expired' | null {
    return this.state === 'cancelled' || this.state === 'expired' ? this.state : null;
  }

  beginStop(): void {
    this.stopping = true;
    this.abort.abort();
    this.wake.notify();
  }

  detach(): void {
    this.detached = true;
    if (this.#progressTimer) clearTimeout(this.#progressTimer);
    this.#progressTimer = null;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Counters and progress

  /** Moves counters after a committed transition; answered sends also feed the rate. */
  moved(channel: Channel, from: 'pending' | 'in_flight', to: 'pending' | 'in_flight' | 'accepted' | 'failed' | 'skipped' | 'unknown', n: number): void {
    if (n <= 0) return;
    this.counters.move(channel, from, to, n);
    if (from === 'in_flight' && (to === 'accepted' || to === 'failed' || to === 'unknown')) this.rate.record(this.ctx.clock.now(), n);
    this.emit();
  }

  progress(): BroadcastProgress {
    return buildProgress(
      {
        id: this.id,
        draftId: this.draftId,
        state: this.state,
        note: this.note,
        createdAt: this.createdAt,
        startedAt: this.startedAt,
        finishedAt: this.finishedAt,
        expiresAt: this.expiresAt,
      },
      this.counters,
      this.rate.perSecond(this.ctx.clock.now()),
    );
  }

  /** Leading edge now, then at most one more per 100 ms (trailing); `force` (state changes) always goes at once. */
  emit(force = false): void {
    if (this.detached) return;
    if (!force && this.#progressTimer !== null) {
      this.#progressDirty = true;
      return;
    }
    this.#progressDirty = false;
    this.ctx.emit(this.progress());
    if (this.#progressTimer !== null) clearTimeout(this.#progressTimer);
    this.#progressTimer = setTimeout(() => {
      this.#progressTimer = null;
      if (this.#progressDirty) this.emit();
    }, PROGRESS_INTERVAL_MS);
    this.#progressTimer.unref();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Media, uploaded once per broadcast (LINE) or per number (WhatsApp) and reused by every request and retry

  /** The LINE image's hosted URLs (null: no image). Concurrent callers share one upload. */
  lineMedia(): Promise<MediaOutcome<LineImageUrls | null>> {
    if (this.#lineMedia === null) {
      const task = this.#uploadLineMedia().then((outcome) => {
        if (outcome.kind === 'retry') this.#lineMedia = null;
        return outcome;
      });
      this.#lineMedia = task;
    }
    return this.#lineMedia;
  }

  async #uploadLineMedia(): Promise<MediaOutcome<LineImageUrls | null>> {
    const image = this.content?.image ?? null;
    if (image === null) return { kind: 'ready', value: null };
    const stored = getBroadcastMedia(this.ctx.db, this.id, 'line', '');
    if (stored?.url && stored.previewUrl) return { kind: 'ready', value: { original: stored.url, preview: stored.previewUrl } };
    const inbox = this.ctx.inbox();
    if (inbox === null) return { kind: 'retry', detail: 'not_signed_in' };
    try {
      const file = await this.ctx.images.read(image.sha256, 'original');
      if (file === null) return { kind: 'failed', reason: 'media_failed: image_missing' };
      const extension = file.contentType === 'image/png' ? 'png' : 'jpg';
      const hosted = await inbox.uploadMedia(file.body, file.contentType, `${image.sha256}.${extension}`);
      if (this.detached) return { kind: 'retry', detail: 'stopped' };
      saveBroadcastMedia(this.ctx.db, this.id, 'line', '', { url: hosted.url, previewUrl: hosted.previewUrl, mediaId: null }, this.ctx.clock.now());
      this.ctx.trace('media', { broadcastId: this.id, channel: 'line', account: '' });
      return { kind: 'ready', value: { original: hosted.url, preview: hosted.previewUrl } };
    } catch (error) {
      if (error instanceof InboxError && !isRetryable(error) && !isUnauthorized(error)) {
        this.ctx.logger.warn('outbox: LINE image upload refused', { broadcastId: this.id, kind: error.kind, status: error.status });
        return { kind: 'failed', reason: `media_failed: ${error.kind}` };
      }
      this.ctx.logger.warn('outbox: LINE image upload failed; will retry', { broadcastId: this.id, error });
      return { kind: 'retry', detail: error instanceof InboxError ? error.kind : 'error' };
    }
  }

  /** A number's uploaded header image id. Concurrent callers share one upload. */
  whatsappMedia(number: WhatsAppCredentials): Promise<MediaOutcome<string>> {
    let task = this.#whatsappMedia.get(number.phoneNumberId);
    if (task === undefined) {
      task = this.#uploadWhatsAppMedia(number).then((outcome) => {
        if (outcome.kind === 'retry') this.#whatsappMedia.delete(number.phoneNumberId);
        return outcome;
      });
      this.#whatsappMedia.set(number.phoneNumberId, task);
    }
    return task;
  }

  async #uploadWhatsAppMedia(number: WhatsAppCredentials): Promise<MediaOutcome<string>> {
    const image = this.content?.image ?? null;
    if (image === null) return { kind: 'failed', reason: 'media_failed: no_image' };
    const stored = getBroadcastMedia(this.ctx.db, this.id, 'whatsapp', number.phoneNumberId);
    if (stored?.mediaId) return { kind: 'ready', value: stored.mediaId };
    try {
      const file = await this.ctx.images.read(image.sha256, 'whatsapp');
      if (file === null) return { kind: 'failed', reason: 'media_failed: image_missing' };
      const extension = file.contentType === 'image/png' ? 'png' : 'jpg';
      const result = await this.ctx
        .graphClient(number)
        .uploadMedia(number.phoneNumberId, { bytes: file.body, mimeType: file.contentType, filename: `${image.sha256}.${extension}` });
      if (!result.ok) {
        const { kind, reason } = result.error;
        if (kind === 'permanent' || kind === 'auth') {
          this.ctx.logger.warn('outbox: WhatsApp media upload refused', { broadcastId: this.id, reason });
          return { kind: 'failed', reason: `media_failed: ${reason}` };
        }
        return { kind: 'retry', detail: reason };
      }
      if (this.detached) return { kind: 'retry', detail: 'stopped' };
      saveBroadcastMedia(this.ctx.db, this.id, 'whatsapp', number.phoneNumberId, { url: null, previewUrl: null, mediaId: result.value.id }, this.ctx.clock.now());
      this.ctx.trace('media', { broadcastId: this.id, channel: 'whatsapp', account: number.phoneNumberId });
      return { kind: 'ready', value: result.value.id };
    } catch (error) {
      this.ctx.logger.warn('outbox: WhatsApp media upload failed; will retry', { broadcastId: this.id, error });
      return { kind: 'retry', detail: 'error' };
    }
  }
}

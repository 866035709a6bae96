import { randomUUID } from 'node:crypto';
import type { messagingApi } from '@line/bot-sdk';
import {
  type BroadcastPlan,
  type BroadcastState,
  FINAL_BROADCAST_STATES,
  type ComposeCheck,
  type SkipReason,
  type SkippedEvent,
  type TemplateCatalog,
  type TemplateInfo,
  type WhatsAppDraft,
} from '../../preload/contract';
import { createLineClient } from '../channels/line/client';
import { LINE_MAX_RECIPIENTS } from '../channels/line/messages';
import type { Clock } from '../clock';
import { type InboxClient, isUnauthorized } from '../inbox/client';
import type { Logger } from '../log';
import type { BroadcastContent, OutboxSnapshot, SnapshotRecipient } from '../outbox';
import { AppFailure } from '../rpc';
import type { LineCredentials, SessionManager } from '../session';
import type { Database } from '../store/db';
import type { DraftRow } from '../store/drafts';
import { recipientsInState } from '../store/broadcasts';
import { type SelectedEvent, selectedEvents } from '../store/events';
import { fillTemplate } from './check';
import { findLinks, tagText } from './links';

/**
 * The confirmation after 發送 (DESIGN §4): a ready draft becomes a plan — who is sent to after re-checking every
 * selected event with the Inbox API, what is skipped and why, the LINE quotas and the sender's allowance, an estimate —
 * and a confirmed plan becomes the broadcast's immutable snapshot for the outbox.
 */

/** A plan is good for this long: the statuses it re-checked are that fresh. */
export const PLAN_TTL_MS = 10 * 60_000;
/** POST /v1/events/status takes at most 1,000 ids. */
const STATUS_CHUNK = 1000;
const STATUS_CONCURRENCY = 4;
/** Shown in the plan; the rest is counted. */
const SKIPPED_SHOWN = 200;
/** The engine paces under each limit by this much (see main/outbox); the estimate uses the same. */
const PACE = 0.95;

export interface PlannerDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  session: SessionManager;
  /** The stored draft, and main's check of it (compose.check). */
  draft(id: string): DraftRow;
  check(id: string): ComposeCheck;
  catalog(): TemplateCatalog;
  parseWhatsApp(raw: string | null): WhatsAppDraft;
  imageFormat(sha256: string): 'jpeg' | 'png' | null;
  /** A stored broadcast: its state, draft and content (null when unknown or unreadable). */
  origin(id: string): { state: BroadcastState; draftId: string | null; content: BroadcastContent } | null;
  rates: { linePerSecond: number; whatsappPerSecond: number };
  lineClient?: (channel: LineCredentials) => Pick<messagingApi.MessagingApiClient, 'getMessageQuota' | 'getMessageQuotaConsumption'>;
}

export interface Planner {
  prepare(draftId: string): Promise<BroadcastPlan>;
  /** A plan for a new broadcast, linked to a finished one, to its failed (retry_failed) or unknown (resend_unknown) recipients. */
  prepareRetry(originId: string, kind: 'retry_failed' | 'resend_unknown'): Promise<BroadcastPlan>;
  /** The snapshot of a confirmed plan (forgotten once taken). plan_expired / over_limit / nothing_to_send otherwise. */
  take(planId: string, fit: boolean): OutboxSnapshot;
}

interface HeldPlan {
  plan: BroadcastPlan;
  broadcastId: string;
  origin: OutboxSnapshot['origin'];
  content: BroadcastContent;
  /** In sending order (newest conversation first); `fitSkip` says who "send to fewer" leaves out, and why. */
  recipients: SnapshotRecipient[];
  fitSkip: Map<string, SkipReason>;
  createdBy: string;
}

function statusFailure(error: unknown): AppFailure {
  if (error instanceof AppFailure) return error;
  if (isUnauthorized(error)) {
    return new AppFailure('not_signed_in', 'The sign-in has expired; sign in again to broadcast');
  }
  return new AppFailure('unreachable', `The events' status could not be re-checked (${error instanceof Error ? error.message : String(error)})`);
}

export function createPlanner(deps: PlannerDeps): Planner {
  const plans = new Map<string, HeldPlan>();
  const lineClientOf = deps.lineClient ?? ((channel: LineCredentials) => createLineClient({ channelAccessToken: channel.accessToken, baseURL: channel.apiBaseUrl }));

  const forgetOld = (): void => {
    const now = deps.clock.now();
    for (const [id, held] of plans) if (held.plan.validUntil <= now) plans.delete(id);
  };

  /** The current status of every event, by id (missing: the Inbox no longer shows it to this user). */
  const recheck = async (client: InboxClient, ids: readonly string[]): Promise<Map<string, { status: string; assigneeId: string } | null>> => {
    const answers = new Map<string, { status: string; assigneeId: string } | null>();
    const chunks: string[][] = [];
    for (let start = 0; start < ids.length; start += STATUS_CHUNK) chunks.push(ids.slice(start, start + STATUS_CHUNK));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const chunk = chunks[next++];
        if (chunk === undefined) return;
        const answer = await client.eventsStatus(chunk);
        for (const item of answer.items) answers.set(item.id, { status: item.status, assigneeId: item.assignee.id });
        for (const id of answer.missing) answers.set(id, null);
      }
    };
    await Promise.all(Array.from({ length: Math.min(STATUS_CONCURRENCY, chunks.length) }, worker));
    return answers;
  };

  /** Monthly quota left per LINE channel (null: unlimited, or LINE did not say). */
  const lineQuota = async (channel: LineCredentials): Promise<number | null> => {
    try {
      const client = lineClientOf(channel);
      const [quota, consumption] = await Promise.all([client.getMessageQuota(), client.getMessageQuotaConsumption()]);
      if (quota.type !== 'limited' || quota.value === undefined) return null;
      return Math.max(0, quota.value - consumption.totalUsage);
    } catch (error) {
      deps.logger.warn('plan: LINE quota unavailable', { channel: channel.id, error });
      return null;
    }
  };

  const whatsappContent = (
    draft: DraftRow,
    catalog: TemplateCatalog,
    numbers: ReadonlySet<string>,
    officialDomains: readonly string[],
  ): BroadcastContent['whatsapp'] => {
    const out: BroadcastContent['whatsapp'] = [];
    for (const number of deps.parseWhatsApp(draft.whatsapp).numbers) {
      if (!numbers.has(number.phoneNumberId) || number.template === null) continue;
      const choice = number.template;
      const template: TemplateInfo | undefined = catalog.numbers
        .find((entry) => entry.phoneNumberId === number.phoneNumberId)
        ?.templates.find((candidate) => candidate.name === choice.name && candidate.language === choice.language);
      // compose.check said ready, so the template is there; a race with a template refresh is refused plainly.
      if (template === undefined) throw new AppFailure('draft_not_ready', `The template ${choice.name} (${choice.language}) is no longer listed`);
      // The body as every customer gets it but for customer fields: its links are the same for all of them.
      const body = fillTemplate(template, number.params, { name: '' }).body;
      out.push({
        phoneNumberId: number.phoneNumberId,
        template: {
          name: template.name,
          language: template.language,
          parameterFormat: template.parameterFormat,
          headerImage: template.header.format === 'IMAGE',
          params: template.params.map((param) => param.key),
        },
        params: number.params,
        body,
        links: findLinks(body, officialDomains).map((link) => ({ url: link.url, kind: link.kind })),
      });
    }
    return out;
  };

  interface Gathered {
    draftId: string | null;
    origin: OutboxSnapshot['origin'];
    /** Events to re-check, newest conversation first. */
    candidates: SelectedEvent[];
    /** Already left out (not cached as in progress), and how many selected ids are no longer cached at all. */
    skipped: SkippedEvent[];
    uncached: number;
    /** The content for a broadcast id (a send from a draft tags its official links with that id). */
    content: (broadcastId: string, user: { id: string; name: string }) => BroadcastContent;
  }

  /** The common part of a send and a retry: re-check, dedupe, quotas, allowance, "send to fewer", estimate. */
  const plan = async (gathered: Gathered): Promise<BroadcastPlan> => {
    const client = deps.session.client();
    const info = deps.session.info();
    if (client === null || info.user === null) throw new AppFailure('not_signed_in', 'Sign in to your workspace to broadcast');
    const user = info.user;
    const credentials = deps.session.channelCredentials();
    const { candidates, skipped } = gathered;
    const skip = (event: Pick<SelectedEvent, 'id' | 'customerName' | 'channel'>, reason: SkipReason): void => {
      skipped.push({ eventId: event.id, customerName: event.customerName, channel: event.channel, reason });
    };

    let answers: Map<string, { status: string; assigneeId: string } | null>;
    try {
      answers = await recheck(client, candidates.map((event) => event.id));
    } catch (error) {
      throw statusFailure(error);
    }
    if (deps.session.client() !== client) throw new AppFailure('not_signed_in', 'The session changed while confirming; confirm again');

    const seen = new Set<string>();
    const recipients: SelectedEvent[] = [];
    for (const event of candidates) {
      const answer = answers.get(event.id);
      if (answer === undefined || answer === null) skip(event, 'not_found');
      else if (answer.status !== 'in_progress') skip(event, 'not_in_progress');
      else if (user.role === 'sales_person' && answer.assigneeId !== user.id) skip(event, 'reassigned');
      else {
        const key = `${event.channel}\u0000${event.channelAccount}\u0000${event.customerPlatformId}`;
        if (seen.has(key)) skip(event, 'duplicate');
        else {
          seen.add(key);
          recipients.push(event);
        }
      }
    }

    const line = recipients.filter((event) => event.channel === 'line');
    const whatsapp = recipients.filter((event) => event.channel === 'whatsapp');
    const lineChannels = [...new Set(line.map((event) => event.channelAccount))];
    const lineQuotas = await Promise.all(
      lineChannels.map(async (channelId) => {
        const channel = credentials?.line.find((candidate) => candidate.id === channelId);
        const needed = line.filter((event) => event.channelAccount === channelId).length;
        return { channelId, name: channel?.name ?? channelId, needed, remaining: channel ? await lineQuota(channel) : null };
      }),
    );
    let allowance: BroadcastPlan['allowance'];
    try {
      const profile = await client.me();
      const { monthlyLimit, usedThisMonth } = profile.allowance;
      allowance = { monthlyLimit, usedThisMonth, remaining: monthlyLimit === null ? null : Math.max(0, monthlyLimit - usedThisMonth) };
    } catch (error) {
      throw statusFailure(error);
    }

    // "Send to fewer": each LINE channel to its quota, then everyone to the allowance, keeping the newest conversations.
    const fitSkip = new Map<string, SkipReason>();
    const lineLeft = new Map(lineQuotas.map((quota) => [quota.channelId, quota.remaining]));
    for (const event of line) {
      const left = lineLeft.get(event.channelAccount);
      if (left === null || left === undefined) continue;
      if (left <= 0) fitSkip.set(event.id, 'over_quota');
      else lineLeft.set(event.channelAccount, left - 1);
    }
    let allowed = allowance.remaining ?? Number.POSITIVE_INFINITY;
    for (const event of recipients) {
      if (fitSkip.has(event.id)) continue;
      if (allowed <= 0) fitSkip.set(event.id, 'over_allowance');
      else allowed -= 1;
    }
    const sendable = recipients.length - fitSkip.size;

    // The estimate: accounts are paced in parallel, so the slowest one decides.
    const perAccount = new Map<string, number>();
    for (const event of recipients) {
      if (fitSkip.has(event.id)) continue;
      const key = `${event.channel}:${event.channelAccount}`;
      perAccount.set(key, (perAccount.get(key) ?? 0) + 1);
    }
    let estimatedSeconds = 0;
    for (const [key, count] of perAccount) {
      const seconds = key.startsWith('line:')
        ? Math.ceil(count / LINE_MAX_RECIPIENTS) / (deps.rates.linePerSecond * PACE)
        : count / (deps.rates.whatsappPerSecond * PACE);
      estimatedSeconds = Math.max(estimatedSeconds, seconds);
    }

    const now = deps.clock.now();
    const broadcastId = randomUUID();
    const content = gathered.content(broadcastId, user);
    const toSnapshot = (event: SelectedEvent, state: 'pending' | 'skipped', reason: SkipReason | null): SnapshotRecipient => ({
      eventId: event.id,
      channel: event.channel,
      channelAccount: event.channelAccount,
      recipientId: event.customerPlatformId,
      customerName: event.customerName,
      state,
      reason,
    });
    const byId = new Map(candidates.map((event) => [event.id, event]));
    const snapshotRecipients: SnapshotRecipient[] = recipients.map((event) => toSnapshot(event, 'pending', null));
    for (const entry of skipped) {
      const event = byId.get(entry.eventId);
      if (event !== undefined) snapshotRecipients.push(toSnapshot(event, 'skipped', entry.reason));
    }

    const result: BroadcastPlan = {
      planId: randomUUID(),
      draftId: gathered.draftId,
      originId: gathered.origin?.id ?? null,
      recipients: { total: recipients.length, line: line.length, whatsapp: whatsapp.length },
      skipped: skipped.slice(0, SKIPPED_SHOWN),
      skippedCount: skipped.length + gathered.uncached,
      lineQuota: lineQuotas,
      allowance,
      sendable,
      shortBy: recipients.length - sendable,
      estimatedSeconds: Math.round(estimatedSeconds * 10) / 10,
      validUntil: now + PLAN_TTL_MS,
      expiresAt: now + deps.session.workspaceSettings().broadcastExpiryHours * 3_600_000,
    };
    plans.set(result.planId, {
      plan: result,
      broadcastId,
      origin: gathered.origin,
      content,
      recipients: snapshotRecipients,
      fitSkip,
      createdBy: user.id,
    });
    deps.logger.info('broadcast planned', {
      planId: result.planId,
      origin: gathered.origin?.kind ?? 'original',
      recipients: result.recipients,
      skipped: result.skippedCount,
      shortBy: result.shortBy,
    });
    return result;
  };

  return {
    async prepare(draftId) {
      deps.session.assertCanBroadcast();
      forgetOld();
      const check = deps.check(draftId);
      if (!check.ready) {
        const codes = [...check.problems, ...check.line.problems, ...check.whatsapp.flatMap((number) => number.problems)].map((problem) => problem.code);
        throw new AppFailure('draft_not_ready', `The draft is not ready to send: ${[...new Set(codes)].join(', ') || 'no recipients'}`);
      }
      const draft = deps.draft(draftId);
      let selection: string[] = [];
      try {
        const parsed: unknown = JSON.parse(draft.selection ?? '[]');
        if (Array.isArray(parsed)) selection = [...new Set(parsed.filter((id): id is string => typeof id === 'string'))];
      } catch {
        selection = [];
      }
      const cached = selectedEvents(deps.db, selection);
      const skipped: SkippedEvent[] = [];
      const candidates = cached.filter((event) => {
        if (event.status === 'in_progress') return true;
        skipped.push({ eventId: event.id, customerName: event.customerName, channel: event.channel, reason: 'not_in_progress' });
        return false;
      });
      const settings = deps.session.workspaceSettings();
      return plan({
        draftId,
        origin: undefined,
        candidates,
        skipped,
        // Ids no longer cached were reassigned away or closed since the selection: the seed's rule skips them.
        uncached: selection.length - cached.length,
        content: (broadcastId, user) => {
          const hasText = draft.text.trim() !== '';
          const links = hasText ? findLinks(draft.text, settings.officialDomains) : [];
          const lineText = !hasText
            ? null
            : settings.utmEnabled
              ? tagText(draft.text, links, { source: 'line', campaign: broadcastId, content: user.id })
              : draft.text;
          const imageFormat = draft.imageSha256 === null ? null : deps.imageFormat(draft.imageSha256);
          const numbers = new Set(candidates.filter((event) => event.channel === 'whatsapp').map((event) => event.channelAccount));
          return {
            version: 1,
            senderId: user.id,
            senderName: user.name,
            text: hasText ? draft.text : null,
            lineText,
            links: links.map((link) => ({ url: link.url, kind: link.kind })),
            image: draft.imageSha256 === null || imageFormat === null ? null : { sha256: draft.imageSha256, format: imageFormat },
            whatsapp: whatsappContent(draft, deps.catalog(), numbers, settings.officialDomains),
          };
        },
      });
    },

    async prepareRetry(originId, kind) {
      deps.session.assertCanBroadcast();
      forgetOld();
      const origin = deps.origin(originId);
      if (origin === null) throw new AppFailure('not_found', `No broadcast ${originId}`);
      if (!FINAL_BROADCAST_STATES.includes(origin.state)) {
        throw new AppFailure('broadcast_active', 'The broadcast is still sending; retry its failures once it has finished');
      }
      const state = kind === 'retry_failed' ? 'failed' : 'unknown';
      const rows = recipientsInState(deps.db, originId, state);
      const cached = new Map(selectedEvents(deps.db, rows.map((row) => row.eventId)).map((event) => [event.id, event]));
      const skipped: SkippedEvent[] = [];
      const candidates: SelectedEvent[] = [];
      for (const row of rows) {
        const event = cached.get(row.eventId);
        // A customer is who the original was sent to; the cache says whether their conversation is still 處理中.
        const candidate: SelectedEvent = {
          id: row.eventId,
          channel: row.channel,
          channelAccount: row.channelAccount,
          customerPlatformId: row.recipientId,
          customerName: row.customerName,
          status: event?.status ?? 'in_progress',
          lastMessageAt: event?.lastMessageAt ?? 0,
        };
        if (event !== undefined && event.status !== 'in_progress') {
          skipped.push({ eventId: row.eventId, customerName: row.customerName, channel: row.channel, reason: 'not_in_progress' });
        } else candidates.push(candidate);
      }
      candidates.sort((a, b) => b.lastMessageAt - a.lastMessageAt || a.id.localeCompare(b.id));
      // The same message as the original, its links tagged with the original's id: one campaign in the analytics.
      return plan({ draftId: origin.draftId, origin: { id: originId, kind }, candidates, skipped, uncached: 0, content: () => origin.content });
    },

    take(planId, fit) {
      deps.session.assertCanBroadcast();
      const held = plans.get(planId);
      if (held === undefined || held.plan.validUntil <= deps.clock.now()) {
        plans.delete(planId);
        throw new AppFailure('plan_expired', 'The confirmation is too old; confirm again');
      }
      if (held.plan.shortBy > 0 && !fit) {
        throw new AppFailure('over_limit', `${held.plan.shortBy} recipients over the LINE quota or the allowance; send to fewer`);
      }
      const recipients = held.recipients.map((recipient): SnapshotRecipient => {
        const reason = recipient.state === 'pending' ? held.fitSkip.get(recipient.eventId) : undefined;
        return reason === undefined ? recipient : { ...recipient, state: 'skipped', reason };
      });
      if (!recipients.some((recipient) => recipient.state === 'pending')) {
        throw new AppFailure('nothing_to_send', 'Nobody is left to send to');
      }
      plans.delete(planId);
      return {
        id: held.broadcastId,
        createdBy: held.createdBy,
        draftId: held.plan.draftId,
        origin: held.origin,
        content: held.content,
        createdAt: deps.clock.now(),
        expiresAt: held.plan.expiresAt,
        recipients,
      };
    },
  };
}

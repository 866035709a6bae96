/**
 * The fake bridge's history side (發送紀錄 and 報表): broadcasts main has kept, with their content as sent and every
 * recipient, answered as history.list / history.get / history.recipients / history.export / report.get answer; and the
 * retries (broadcast.retryFailed / resendUnknown) made from them. Deterministic: ids, names and times from a number.
 */
import type {
  BroadcastDetail,
  BroadcastKind,
  BroadcastPlan,
  BroadcastProblem,
  BroadcastProgress,
  BroadcastState,
  Channel,
  ExportedCsv,
  HistoryItem,
  HistoryPage,
  HistoryQuery,
  RecipientCounts,
  RecipientEntry,
  RecipientsPage,
  RecipientsQuery,
  ReferralReport,
  ReportQuery,
  ReportRow,
  ReportSync,
  SkippedEvent,
} from '../../preload/contract';
import { type FakeBroadcasts, Failure, NO_COUNTS, type PlanRecipient } from './fake-broadcast';
import { WHATSAPP_NUMBER } from './fake-compose';

const HOUR = 60 * 60_000;
const FINAL: readonly BroadcastState[] = ['completed', 'completed_with_failures', 'cancelled', 'expired'];
const ACTIVE: readonly BroadcastState[] = ['queued', 'sending', 'paused', 'waiting_for_network'];

/** When the first fake broadcast was made; broadcast n was made n × 3 hours before. */
export const HISTORY_START = Date.UTC(2025, 0, 15, 6, 0);
export const LINE_CHANNEL = '1650000001';
export const SENDER = { id: 'u-sales', name: '林志豪' };
export const IMAGE_SHA = 'ab'.repeat(32);
export const OFFICIAL_URL = 'https://shop.example.com/sale';
export const OTHER_URL = 'https://blog.example.org/post';

/** Schema-valid, deterministic ids of history broadcasts (apart from the fake bridge's own fakeId). */
export function historyId(n: number): string {
  return `00000000-0000-4000-9000-${n.toString(16).padStart(12, '0')}`;
}

const NAMES = ['王小明', '陳美玲', 'Amy Chen', '林志偉', '張雅婷', 'Kevin Wang', '李家豪', '黃淑芬'];

/** How many recipients of a channel end in each state. */
export interface RecipientSpec {
  accepted?: number;
  failed?: number;
  skipped?: number;
  unknown?: number;
  pending?: number;
}

export interface HistoryRecord {
  item: HistoryItem;
  content: BroadcastDetail['content'];
  report: ReportSync;
  recipients: RecipientEntry[];
}

const FAIL_REASON: Readonly<Record<Channel, { failed: string; unknown: string; detail: string | null }>> = {
  line: { failed: 'line_rejected', unknown: 'line_timeout', detail: 'The request body has 1 error(s)' },
  whatsapp: { failed: 'wa_undeliverable', unknown: 'wa_timeout', detail: null },
};

function recipientsOf(n: number, channel: Channel, spec: RecipientSpec, at: number): RecipientEntry[] {
  const states: Array<RecipientEntry['state']> = [];
  for (const state of ['accepted', 'failed', 'skipped', 'unknown', 'pending'] as const) {
    for (let i = 0; i < (spec[state] ?? 0); i += 1) states.push(state);
  }
  return states.map((state, index) => {
    const reasons = FAIL_REASON[channel];
    const line = channel === 'line';
    const answered = state === 'accepted' || state === 'failed';
    return {
      eventId: `hst-${n}-${channel}-${index}`,
      channel,
      channelAccount: line ? LINE_CHANNEL : WHATSAPP_NUMBER,
      customerName: `${NAMES[index % NAMES.length] ?? '顧客'} ${index + 1}`,
      state,
      reason:
        state === 'failed' ? reasons.failed : state === 'unknown' ? reasons.unknown : state === 'skipped' ? 'not_in_progress' : null,
      detail: state === 'failed' ? reasons.detail : null,
      at: at + index * 1000,
      requestId: line && answered ? `req-${n}-${Math.floor(index / 500)}` : null,
      messageId: !line && state === 'accepted' ? `wamid.HBgM${n}x${index}` : null,
    };
  });
}

export function countsOf(recipients: readonly RecipientEntry[]): RecipientCounts {
  const counts = { ...NO_COUNTS };
  for (const recipient of recipients) {
    if (recipient.state === 'in_flight') counts.inFlight += 1;
    else counts[recipient.state] += 1;
  }
  return counts;
}

export interface BroadcastFields extends Partial<HistoryItem> {
  line?: RecipientSpec;
  whatsapp?: RecipientSpec;
  text?: string | null;
  lineText?: string | null;
  links?: BroadcastDetail['content']['links'];
  report?: ReportSync;
}

/**
 * Broadcast n of the history: by default 5 LINE customers (3 sent, 1 failed, 1 skipped) and 3 WhatsApp customers
 * (1 sent, 1 failed, 1 unknown), a text with an official link (UTM-tagged for LINE) and another link, and an image.
 */
export function makeBroadcast(n: number, fields: BroadcastFields = {}): HistoryRecord {
  const { line: lineSpec, whatsapp: whatsappSpec, text, lineText, links, report, ...itemFields } = fields;
  const id = itemFields.id ?? historyId(n);
  const createdAt = itemFields.createdAt ?? HISTORY_START - n * 3 * HOUR;
  const line = lineSpec ?? { accepted: 3, failed: 1, skipped: 1 };
  const whatsapp = whatsappSpec ?? { accepted: 1, failed: 1, unknown: 1 };
  const recipients = [...recipientsOf(n, 'line', line, createdAt + 5000), ...recipientsOf(n, 'whatsapp', whatsapp, createdAt + 9000)];
  const counts = countsOf(recipients);
  const channels = (['line', 'whatsapp'] as const).filter((channel) => recipients.some((recipient) => recipient.channel === channel));
  const state: BroadcastState = itemFields.state ?? (counts.pending > 0 ? 'sending' : counts.failed > 0 ? 'completed_with_failures' : 'completed');
  const final = FINAL.includes(state);
  const finishedAt = final ? createdAt + 60_000 : null;
  const plainText = text === undefined ? `週末快閃 第 ${n} 波\n全館 8 折，詳情 ${OFFICIAL_URL} 和 ${OTHER_URL}` : text;
  const tagged = `${OFFICIAL_URL}?utm_source=line&utm_medium=omo_broadcast&utm_campaign=${id}&utm_content=${SENDER.id}`;
  const item: HistoryItem = {
    id,
    kind: 'original',
    originId: null,
    createdAt,
    startedAt: createdAt + 1000,
    finishedAt,
    senderId: SENDER.id,
    senderName: SENDER.name,
    channels,
    imageSha256: IMAGE_SHA,
    title: plainText?.split('\n')[0] ?? 'store_event',
    state,
    note: null,
    total: recipients.length,
    counts,
    ...itemFields,
  };
  return {
    item,
    content: {
      text: plainText,
      lineText: lineText !== undefined ? lineText : plainText === null ? null : plainText.replace(OFFICIAL_URL, tagged),
      links:
        links ??
        (plainText === null
          ? []
          : [
              { url: OFFICIAL_URL, kind: 'official' },
              { url: OTHER_URL, kind: 'other' },
            ]),
      whatsapp: channels.includes('whatsapp')
        ? [
            {
              phoneNumberId: WHATSAPP_NUMBER,
              template: { name: 'store_event', language: 'en_US' },
              body: 'Hi {{1}}, our store event is on {{2}}: https://shop.example.com/event',
              links: [{ url: 'https://shop.example.com/event', kind: 'official' }],
            },
          ]
        : [],
    },
    report: report ?? (final ? { state: 'reported', reportedAt: (finishedAt ?? createdAt) + 2000, attempts: 1, lastError: null } : { state: 'not_due', reportedAt: null, attempts: 0, lastError: null }),
    recipients,
  };
}

/** `count` broadcasts, newest first (1…count), each with the default recipients. */
export function makeHistory(count: number): HistoryRecord[] {
  return Array.from({ length: count }, (_, index) => makeBroadcast(index + 1));
}

function problemsOf(recipients: readonly RecipientEntry[]): BroadcastProblem[] {
  const groups = new Map<string, BroadcastProblem>();
  for (const recipient of recipients) {
    if ((recipient.state !== 'failed' && recipient.state !== 'unknown') || recipient.reason === null) continue;
    const key = `${recipient.channel}:${recipient.state}:${recipient.reason}`;
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { channel: recipient.channel, state: recipient.state, reason: recipient.reason, detail: recipient.detail, count: 1 });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

function matchesState(item: HistoryItem, state: HistoryQuery['state']): boolean {
  switch (state) {
    case undefined:
      return true;
    case 'active':
      return ACTIVE.includes(item.state);
    case 'completed':
      return item.state === 'completed' && item.counts.failed + item.counts.unknown === 0;
    case 'failures':
      return (item.state === 'completed' || item.state === 'completed_with_failures') && item.counts.failed + item.counts.unknown > 0;
    case 'cancelled':
      return item.state === 'cancelled';
    case 'expired':
      return item.state === 'expired';
  }
}

/** The calendar day of a time at a UTC offset, as report rows name it. */
function dayAt(time: number, utcOffsetMinutes: number): string {
  return new Date(time + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

function csvCell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export class FakeHistory {
  readonly records = new Map<string, HistoryRecord>();
  /** Events that left 處理中 since: their failed recipients are not retried. */
  readonly closedEvents = new Set<string>();
  /** report.get's rows (the test sets them); filtered by the range asked. */
  reportRows: ReportRow[] = [];
  reportSource: ReferralReport['source'] = 'local';
  pendingReports = 0;
  /** Retry plans made, by plan id: broadcast.send records the broadcast it starts as a retry of its origin. */
  private readonly retryPlans = new Map<string, { originId: string; kind: Exclude<BroadcastKind, 'original'> }>();

  add(...records: HistoryRecord[]): void {
    for (const record of records) this.records.set(record.item.id, record);
  }

  private record(id: string): HistoryRecord {
    const record = this.records.get(id);
    if (!record) throw new Failure('not_found');
    return record;
  }

  list(query: HistoryQuery): HistoryPage {
    const search = query.search?.toLowerCase();
    const matches = [...this.records.values()]
      .map((record) => record.item)
      .filter(
        (item) =>
          (query.from === undefined || item.createdAt >= query.from) &&
          (query.to === undefined || item.createdAt < query.to) &&
          (query.channel === undefined || item.channels.includes(query.channel)) &&
          matchesState(item, query.state) &&
          (search === undefined || item.title.toLowerCase().includes(search) || item.senderName.toLowerCase().includes(search)),
      )
      .sort((a, b) => b.createdAt - a.createdAt);
    const offset = query.cursor === undefined ? 0 : Number(query.cursor);
    const items = matches.slice(offset, offset + query.limit);
    const next = offset + items.length;
    return { items, nextCursor: next < matches.length ? String(next) : null };
  }

  private retryable(record: HistoryRecord): RecipientEntry[] {
    return record.recipients.filter((recipient) => recipient.state === 'failed' && !this.closedEvents.has(recipient.eventId));
  }

  detail(id: string): BroadcastDetail {
    const record = this.record(id);
    const byChannel = (channel: Channel) => countsOf(record.recipients.filter((recipient) => recipient.channel === channel));
    return {
      item: record.item,
      content: record.content,
      byChannel: { line: byChannel('line'), whatsapp: byChannel('whatsapp') },
      retries: [...this.records.values()]
        .map((candidate) => candidate.item)
        .filter((item) => item.originId === id)
        .sort((a, b) => b.createdAt - a.createdAt),
      problems: problemsOf(record.recipients),
      report: record.report,
      retryableFailed: this.retryable(record).length,
      unknown: record.item.counts.unknown,
    };
  }

  recipients(query: RecipientsQuery): RecipientsPage {
    const record = this.record(query.id);
    const search = query.search?.toLowerCase();
    const rows = record.recipients.filter(
      (recipient) =>
        (query.state === undefined || recipient.state === query.state) &&
        (query.channel === undefined || recipient.channel === query.channel) &&
        (search === undefined || recipient.customerName.toLowerCase().includes(search)),
    );
    return { rows: rows.slice(query.offset, query.offset + query.limit), total: rows.length };
  }

  exportCsv(id: string): ExportedCsv {
    const record = this.record(id);
    const header = ['customer', 'channel', 'state', 'time', 'request_id', 'message_id', 'reason'];
    const lines = record.recipients.map((recipient) =>
      [recipient.customerName, recipient.channel, recipient.state, new Date(recipient.at).toISOString(), recipient.requestId ?? '', recipient.messageId ?? '', recipient.reason ?? '']
        .map(csvCell)
        .join(','),
    );
    const day = new Date(record.item.createdAt).toISOString().slice(0, 10);
    return {
      fileName: `omo-broadcast-${day}-${id.slice(-8)}.csv`,
      csv: `\uFEFF${[header.join(','), ...lines].join('\r\n')}\r\n`,
      rows: lines.length,
    };
  }

  report(query: ReportQuery): ReferralReport {
    const first = dayAt(query.from, query.utcOffsetMinutes);
    const last = dayAt(query.to - 1, query.utcOffsetMinutes);
    const rows = this.reportRows.filter((row) => row.day >= first && row.day <= last);
    const totals = rows.reduce(
      (sum, row) => ({
        messages: sum.messages + row.messages,
        officialLinks: sum.officialLinks + row.officialLinks,
        otherLinks: sum.otherLinks + row.otherLinks,
      }),
      { messages: 0, officialLinks: 0, otherLinks: 0 },
    );
    return { from: query.from, to: query.to, rows, totals, source: this.reportSource, pendingReports: this.pendingReports };
  }

  /** broadcast.retryFailed / resendUnknown: a plan (registered with the sending side) for the origin's recipients. */
  retryPlan(id: string, kind: Exclude<BroadcastKind, 'original'>, sending: FakeBroadcasts, now: number, planId: string): BroadcastPlan {
    const record = this.record(id);
    if (!FINAL.includes(record.item.state)) throw new Failure('broadcast_active');
    const chosen = kind === 'retry_failed' ? this.retryable(record) : record.recipients.filter((recipient) => recipient.state === 'unknown');
    if (chosen.length === 0) throw new Failure('nothing_to_send');
    const skipped: SkippedEvent[] =
      kind === 'retry_failed'
        ? record.recipients
            .filter((recipient) => recipient.state === 'failed' && this.closedEvents.has(recipient.eventId))
            .map((recipient) => ({ eventId: recipient.eventId, customerName: recipient.customerName, channel: recipient.channel, reason: 'not_in_progress' }))
        : [];
    const recipients: PlanRecipient[] = chosen.map((recipient) => ({
      eventId: recipient.eventId,
      channel: recipient.channel,
      accountId: recipient.channelAccount,
    }));
    const line = recipients.filter((recipient) => recipient.channel === 'line').length;
    const total = recipients.length;
    const { monthlyLimit, usedThisMonth } = sending.allowance;
    const remaining = monthlyLimit === null ? null : Math.max(0, monthlyLimit - usedThisMonth);
    const sendable = remaining === null ? total : Math.min(total, remaining);
    const plan: BroadcastPlan = {
      planId,
      draftId: null,
      originId: id,
      recipients: { total, line, whatsapp: total - line },
      skipped,
      skippedCount: skipped.length,
      lineQuota: line > 0 ? [{ channelId: LINE_CHANNEL, name: 'OMO 旗艦店', needed: line, remaining: sending.lineQuotaRemaining }] : [],
      allowance: { monthlyLimit, usedThisMonth, remaining },
      sendable,
      shortBy: total - sendable,
      estimatedSeconds: line / 1000 + (total - line) / 80,
      validUntil: now + sending.planLifetimeMs,
      expiresAt: now + 24 * HOUR,
    };
    sending.addPlan(plan, recipients);
    this.retryPlans.set(planId, { originId: id, kind });
    return plan;
  }

  /** broadcast.send took a plan: when it was a retry, the new broadcast joins the history, linked to its origin. */
  recordSend(planId: string, progress: BroadcastProgress): void {
    const retry = this.retryPlans.get(planId);
    if (!retry) return;
    this.retryPlans.delete(planId);
    const origin = this.record(retry.originId);
    const n = this.records.size + 1000;
    this.add({
      ...makeBroadcast(n, { id: progress.id, createdAt: progress.createdAt, line: { pending: progress.line.pending }, whatsapp: { pending: progress.whatsapp.pending } }),
      item: {
        ...origin.item,
        id: progress.id,
        kind: retry.kind,
        originId: retry.originId,
        createdAt: progress.createdAt,
        startedAt: progress.startedAt,
        finishedAt: null,
        state: progress.state,
        note: null,
        total: progress.total,
        counts: progress.counts,
      },
      content: origin.content,
    });
  }
}

import { createHash } from 'node:crypto';

export type LedgerChannel = 'line' | 'whatsapp';

/** One accepted message to one recipient, as the real service would have delivered it. */
export interface LedgerEntry {
  readonly channel: LedgerChannel;
  /** LINE channel id or WhatsApp phone-number id. */
  readonly account: string;
  /** LINE user id or WhatsApp wa_id. */
  readonly recipient: string;
  /** LINE: the x-line-request-id of the accepting request. WhatsApp: the wamid. */
  readonly id: string;
  readonly at: number;
  /** SHA-256 of the canonical JSON of the messages / template, so tests can tell two different broadcasts apart. */
  readonly contentHash: string;
  /** LINE only: the retry key of the accepting request, when one was sent. */
  readonly retryKey?: string;
}

export function contentHash(content: unknown): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

/** One accepted request: its shared fields once, its recipients as the array the request carried. */
interface LedgerRecord {
  readonly common: Omit<LedgerEntry, 'recipient'>;
  readonly recipients: readonly string[];
}

/**
 * Every accepted message per recipient, so tests can assert exactly-once delivery. Stored one record per request
 * and expanded per recipient only when read: at benchmark rates (1,000 requests/s × 500 recipients) an object per
 * recipient would make the ledger, not the emulated API, the bottleneck.
 */
export class Ledger {
  #records: LedgerRecord[] = [];
  #size = 0;
  enabled = true;

  record(entry: LedgerEntry): void {
    const { recipient, ...common } = entry;
    this.recordMany(common, [recipient]);
  }

  /** Records one request's recipients sharing id, time and hash (LINE multicast). */
  recordMany(common: Omit<LedgerEntry, 'recipient'>, recipients: readonly string[]): void {
    if (!this.enabled || recipients.length === 0) return;
    this.#records.push({ common, recipients });
    this.#size += recipients.length;
  }

  entries(filter: { channel?: LedgerChannel; since?: number } = {}): LedgerEntry[] {
    const out: LedgerEntry[] = [];
    for (const { common, recipients } of this.#records) {
      if (filter.channel !== undefined && common.channel !== filter.channel) continue;
      if (filter.since !== undefined && common.at < filter.since) continue;
      for (const recipient of recipients) out.push({ ...common, recipient });
    }
    return out;
  }

  /** How many recipient entries match, without expanding them. */
  count(filter: { channel?: LedgerChannel; since?: number } = {}): number {
    let count = 0;
    for (const { common, recipients } of this.#records) {
      if (filter.channel !== undefined && common.channel !== filter.channel) continue;
      if (filter.since !== undefined && common.at < filter.since) continue;
      count += recipients.length;
    }
    return count;
  }

  get size(): number {
    return this.#size;
  }

  clear(): void {
    this.#records = [];
    this.#size = 0;
  }
}

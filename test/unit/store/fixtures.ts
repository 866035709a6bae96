import type { BroadcastRow, NewRecipient } from '../../../main/store/broadcasts';
import type { EventRow } from '../../../main/store/events';

export const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);

/** A deterministic event; `index` decides every varying field. */
export function makeEvent(index: number, overrides: Partial<EventRow> = {}): EventRow {
  const channel = index % 2 === 0 ? 'line' : 'whatsapp';
  return {
    id: `evt-${String(index).padStart(6, '0')}`,
    channel,
    channelAccount: channel === 'line' ? 'line-channel-1' : 'wa-phone-1',
    customerName: `Customer ${index}`,
    customerAvatarUrl: index % 3 === 0 ? null : `https://cdn.example.test/avatar/${index}.png`,
    customerPlatformId: channel === 'line' ? `U${index.toString(16).padStart(32, '0')}` : `8869${String(index).padStart(8, '0')}`,
    status: 'in_progress',
    assigneeId: 'user-1',
    assigneeName: 'Sales One',
    storeId: 'store-1',
    storeName: 'Taipei 101',
    tags: index % 4 === 0 ? ['vip', 'shoes'] : [],
    lastMessageAt: T0 + index * 1000,
    lastInboundAt: index % 5 === 0 ? null : T0 + index * 1000 - 500,
    updatedAt: T0 + index * 1000,
    syncedAt: T0 + 10_000_000,
    ...overrides,
  };
}

export function makeBroadcast(id: string, overrides: Partial<BroadcastRow> = {}): BroadcastRow {
  return {
    id,
    createdBy: 'user-1',
    content: JSON.stringify({ text: 'New arrivals this week', imageSha256: null }),
    state: 'queued',
    createdAt: T0,
    updatedAt: T0,
    expiresAt: T0 + 24 * 3600 * 1000,
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

export function makeRecipient(event: EventRow, overrides: Partial<NewRecipient> = {}): NewRecipient {
  return {
    eventId: event.id,
    channel: event.channel,
    channelAccount: event.channelAccount,
    recipientId: event.customerPlatformId,
    customerName: event.customerName,
    state: 'pending',
    reason: null,
    batchId: null,
    requestId: null,
    messageId: null,
    updatedAt: T0,
    ...overrides,
  };
}

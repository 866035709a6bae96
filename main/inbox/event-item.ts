import { z } from 'zod';
import type { EventRow } from '../store/events';

const EpochMs = z.number().int().nonnegative();

/**
 * A person or store reference. The API document says {id, name} strings; a platform that sends null (unassigned)
 * or leaves it out is read as "none" rather than rejected, since the cache stores nullable columns anyway.
 */
const Ref = z.object({ id: z.string().min(1), name: z.string() }).nullable().optional();

/**
 * One item of GET /v1/events (main/inbox/openapi.yaml, Event). Not `.strict()`: a field the platform adds later must
 * not make every item "malformed". The id's bound is the contract's selection id bound, so any cached id is selectable.
 */
export const EventItem = z.object({
  id: z.string().min(1).max(200),
  channel: z.enum(['line', 'whatsapp']),
  channelAccount: z.string().min(1),
  customer: z.object({
    name: z.string(),
    avatarUrl: z.string().nullable().optional(),
    platformId: z.string().min(1),
  }),
  // An open set on the platform ('in_progress', 'pending', 'resolved', …): anything non-empty is kept.
  status: z.string().min(1),
  assignee: Ref,
  store: Ref,
  tags: z.array(z.string()),
  lastMessageAt: EpochMs,
  lastInboundAt: EpochMs.nullable(),
  updatedAt: EpochMs,
});
export type EventItem = z.output<typeof EventItem>;

/** The cache row of a validated item. */
export function toEventRow(item: EventItem, syncedAt: number): EventRow {
  return {
    id: item.id,
    channel: item.channel,
    channelAccount: item.channelAccount,
    customerName: item.customer.name,
    customerAvatarUrl: item.customer.avatarUrl ?? null,
    customerPlatformId: item.customer.platformId,
    status: item.status,
    assigneeId: item.assignee?.id ?? null,
    assigneeName: item.assignee?.name ?? null,
    storeId: item.store?.id ?? null,
    storeName: item.store?.name ?? null,
    tags: item.tags,
    lastMessageAt: item.lastMessageAt,
    lastInboundAt: item.lastInboundAt,
    updatedAt: item.updatedAt,
    syncedAt,
  };
}

/** Validates one raw item: its cache row, or null when it is malformed (the sync skips and counts it). */
export function parseEventItem(raw: unknown, syncedAt: number): EventRow | null {
  const parsed = EventItem.safeParse(raw);
  return parsed.success ? toEventRow(parsed.data, syncedAt) : null;
}

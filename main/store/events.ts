import type { Database } from './db';
import { statementsFor } from './statements';

export type Channel = 'line' | 'whatsapp';

/** One cached conversation event (DESIGN §4 Event). Times are epoch milliseconds. */
export interface EventRow {
  id: string;
  channel: Channel;
  /** LINE channel id or WhatsApp phone-number id. */
  channelAccount: string;
  customerName: string;
  customerAvatarUrl: string | null;
  /** LINE user id or WhatsApp wa_id: who the message goes to. */
  customerPlatformId: string;
  /** 'in_progress', 'pending', 'resolved', … (an open set on the platform). */
  status: string;
  assigneeId: string | null;
  assigneeName: string | null;
  storeId: string | null;
  storeName: string | null;
  tags: string[];
  lastMessageAt: number;
  lastInboundAt: number | null;
  updatedAt: number;
  /** When this row was last written from the Inbox API. */
  syncedAt: number;
}

type EventRecord = Omit<EventRow, 'channel' | 'tags'> & { channel: string; tags: string };

const COLUMNS = `id, channel, channel_account AS channelAccount, customer_name AS customerName,
  customer_avatar_url AS customerAvatarUrl, customer_platform_id AS customerPlatformId, status,
  assignee_id AS assigneeId, assignee_name AS assigneeName, store_id AS storeId, store_name AS storeName, tags,
  last_message_at AS lastMessageAt, last_inbound_at AS lastInboundAt, updated_at AS updatedAt, synced_at AS syncedAt`;

type UpsertParams = [
  id: string,
  channel: Channel,
  channelAccount: string,
  customerName: string,
  customerAvatarUrl: string | null,
  customerPlatformId: string,
  status: string,
  assigneeId: string | null,
  assigneeName: string | null,
  storeId: string | null,
  storeName: string | null,
  tags: string,
  lastMessageAt: number,
  lastInboundAt: number | null,
  updatedAt: number,
  syncedAt: number,
  syncGeneration: number,
];

/** What the send needs of a selected event. */
export interface SelectedEvent {
  id: string;
  channel: Channel;
  channelAccount: string;
  customerPlatformId: string;
  customerName: string;
  status: string;
  lastMessageAt: number;
}

const statements = statementsFor((db: Database) => ({
  // One statement whatever the selection's size: the ids travel as one JSON array.
  selected: db.prepare<[string], SelectedEvent>(
    `SELECT id, channel, channel_account AS channelAccount, customer_platform_id AS customerPlatformId,
       customer_name AS customerName, status, last_message_at AS lastMessageAt
     FROM events WHERE id IN (SELECT value FROM json_each(?))
     ORDER BY last_message_at DESC, id`,
  ),
  // Positional parameters: upsert is the hot path of a sync, and binding an array is cheaper than named lookups.
  upsert: db.prepare<UpsertParams>(
    `INSERT INTO events (id, channel, channel_account, customer_name, customer_avatar_url, customer_platform_id,
       status, assignee_id, assignee_name, store_id, store_name, tags, last_message_at, last_inbound_at, updated_at,
       synced_at, sync_generation)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       channel = excluded.channel, channel_account = excluded.channel_account,
       customer_name = excluded.customer_name, customer_avatar_url = excluded.customer_avatar_url,
       customer_platform_id = excluded.customer_platform_id, status = excluded.status,
       assignee_id = excluded.assignee_id, assignee_name = excluded.assignee_name,
       store_id = excluded.store_id, store_name = excluded.store_name, tags = excluded.tags,
       last_message_at = excluded.last_message_at, last_inbound_at = excluded.last_inbound_at,
       updated_at = excluded.updated_at, synced_at = excluded.synced_at,
       sync_generation = excluded.sync_generation`,
  ),
  byStatus: db.prepare<[string, number], EventRecord>(
    `SELECT ${COLUMNS} FROM events WHERE status = ? ORDER BY last_message_at DESC, id LIMIT ?`,
  ),
  get: db.prepare<[string], EventRecord>(`SELECT ${COLUMNS} FROM events WHERE id = ?`),
  count: db.prepare<[], number>('SELECT count(*) FROM events').pluck(),
  delete: db.prepare<[string]>('DELETE FROM events WHERE id = ?'),
  deleteBeforeGeneration: db.prepare<[number]>('DELETE FROM events WHERE sync_generation < ?'),
  deleteAll: db.prepare<[]>('DELETE FROM events'),
}));

function fromRecord(record: EventRecord): EventRow {
  // The CHECK constraints guarantee channel is 'line' | 'whatsapp' and tags a JSON array.
  return { ...record, channel: record.channel as Channel, tags: JSON.parse(record.tags) as string[] };
}

export interface UpsertOptions {
  /** The full-sync generation the rows are marked with (migration 2); older generations are swept by a full sync. */
  generation?: number;
}

/** Inserts or replaces every row in one transaction: a sync page lands whole or not at all. */
export function upsertEvents(db: Database, rows: readonly EventRow[], options: UpsertOptions = {}): void {
  const generation = options.generation ?? 0;
  const { upsert } = statements(db);
  db.transaction(() => {
    for (const row of rows) {
      upsert.run(
        row.id,
        row.channel,
        row.channelAccount,
        row.customerName,
        row.customerAvatarUrl,
        row.customerPlatformId,
        row.status,
        row.assigneeId,
        row.assigneeName,
        row.storeId,
        row.storeName,
        JSON.stringify(row.tags),
        row.lastMessageAt,
        row.lastInboundAt,
        row.updatedAt,
        row.syncedAt,
        generation,
      );
    }
  })();
}

/** Events with that status, latest conversation first; all of them when `limit` is absent. */
export function listEventsByStatus(db: Database, status: string, limit?: number): EventRow[] {
  // SQLite reads a negative LIMIT as "no limit".
  return statements(db).byStatus.all(status, limit ?? -1).map(fromRecord);
}

export function getEvent(db: Database, id: string): EventRow | undefined {
  const record = statements(db).get.get(id);
  return record === undefined ? undefined : fromRecord(record);
}

export function countEvents(db: Database): number {
  return statements(db).count.get() ?? 0;
}

/** Deletes the given ids in one transaction; returns how many existed. */
export function deleteEvents(db: Database, ids: readonly string[]): number {
  const { delete: remove } = statements(db);
  return db.transaction(() => {
    let deleted = 0;
    for (const id of ids) deleted += remove.run(id).changes;
    return deleted;
  })();
}

/** Deletes the rows a completed full sync did not see (marked with an older generation); returns how many. */
export function deleteEventsBeforeGeneration(db: Database, generation: number): number {
  return statements(db).deleteBeforeGeneration.run(generation).changes;
}

/** Empties the cache (sign-out, another account); returns how many rows went. */
export function deleteAllEvents(db: Database): number {
  return statements(db).deleteAll.run().changes;
}

/** The cached events among `ids` (any status), newest conversation first; ids not in the cache are left out. */
export function selectedEvents(db: Database, ids: readonly string[]): SelectedEvent[] {
  if (ids.length === 0) return [];
  return statements(db).selected.all(JSON.stringify([...new Set(ids)]));
}

import { z } from 'zod';
import type { EventColumns, EventList, PlainEventList, SelectionSummary } from '../../preload/contract';
import type { Database } from '../store/db';
import { getSetting } from '../store/settings';
import { statementsFor } from '../store/statements';

/** The status the list shows (the seed's 處理中事件) and the only one a broadcast goes to. */
const LISTED_STATUS = 'in_progress';

type Channel = 'line' | 'whatsapp';

/** One row of the list query, as `.raw()` returns it: no per-row object with named keys to build. */
type ListRow = [
  id: string,
  customerName: string,
  /** 1 = LINE (computed by SQLite: no channel string per row). */
  isLine: number,
  channelAccount: string,
  lastMessageAt: number,
  storeId: string | null,
  storeName: string | null,
  assigneeId: string | null,
  assigneeName: string | null,
  tags: string,
  hasAvatar: number,
];

/** SQLite's bare-column rule: with max(), customer_name comes from the row holding the newest message. */
type SummaryRow = [channel: string, channelAccount: string, count: number, sampleCustomer: string, newest: number];

/**
 * The dictionary fields of a row in one string, so 100,000 rows bring 3 strings each across from SQLite instead of 9:
 * channel, account, store id and name, assignee id and name, tags JSON, separated by U+001F. '=' marks a present
 * nullable value ('' = NULL). Tags JSON never holds a raw U+001F (JSON escapes control characters).
 */
const GROUP_KEY = `channel || char(31) || channel_account || char(31) || coalesce('=' || store_id, '') || char(31) ||
  coalesce('=' || store_name, '') || char(31) || coalesce('=' || assignee_id, '') || char(31) ||
  coalesce('=' || assignee_name, '') || char(31) || tags`;
const GROUP_FIELDS = 7;
const RECORD = '\x1e';
const FIELD = '\x1f';

/** The list as a few long strings (see buildEventList); NULLs when no row matches. */
type PackedList = [
  count: number,
  ids: string | null,
  names: string | null,
  /** A JSON array of numbers (parsed natively, faster than splitting and converting). */
  lastMessageAt: string | null,
  avatars: string | null,
  groups: string | null,
];

const statements = statementsFor((db: Database) => ({
  // Served by events_by_status_last_message (status, last_message_at DESC, id): no sort step for 100,000 rows.
  list: db
    .prepare<[string], ListRow>(
      `SELECT id, customer_name, channel = 'line', channel_account, last_message_at, store_id, store_name, assignee_id,
         assignee_name, tags, customer_avatar_url IS NOT NULL
       FROM events WHERE status = ? ORDER BY last_message_at DESC, id`,
    )
    .raw(),
  // The same rows packed by SQLite into one string per column (U+001E between rows). The aggregates read the ordered
  // subquery in its order (SQLite does not flatten an ORDER BY subquery into an aggregate); buildEventList verifies
  // the order and the counts anyway and falls back to the row-by-row query if anything does not add up.
  packed: db
    .prepare<[string], PackedList>(
      `SELECT count(*), group_concat(id, char(30)), group_concat(customer_name, char(30)),
         json_group_array(last_message_at), group_concat(avatar, ''), group_concat(grp, char(30))
       FROM (SELECT id, customer_name, last_message_at, CASE WHEN customer_avatar_url IS NULL THEN '0' ELSE '1' END AS avatar,
               ${GROUP_KEY} AS grp
             FROM events WHERE status = ? ORDER BY last_message_at DESC, id)`,
    )
    .raw(),
  // One statement whatever the selection's size: the ids travel as one JSON array (no 32,766-parameter limit).
  summary: db
    .prepare<[string, string], SummaryRow>(
      `SELECT channel, channel_account, count(*), customer_name, max(last_message_at) FROM events
       WHERE status = ? AND id IN (SELECT value FROM json_each(?))
       GROUP BY channel, channel_account ORDER BY channel, channel_account`,
    )
    .raw(),
}));

/**
 * The channel names the session stored (settings key 'session'), if it stored any in a shape we recognise. Disk
 * data: read defensively, and an account without a known name is shown by its id.
 */
const StoredSession = z.looseObject({
  channels: z.array(z.looseObject({ channel: z.enum(['line', 'whatsapp']), id: z.string(), name: z.string() })),
});

function accountNames(db: Database): (channel: Channel, id: string) => string {
  const names = new Map<string, string>();
  const raw = getSetting(db, 'session');
  if (raw !== undefined) {
    try {
      const parsed = StoredSession.safeParse(JSON.parse(raw));
      if (parsed.success) {
        for (const account of parsed.data.channels) {
          if (account.name !== '') names.set(`${account.channel}:${account.id}`, account.name);
        }
      }
    } catch {
      // Not JSON: names fall back to ids.
    }
  }
  return (channel, id) => names.get(`${channel}:${id}`) ?? id;
}

/** The dictionary columns of one row, resolved to indices. Rows sharing them share one object. */
interface Group {
  /** 0 = LINE, 1 = WhatsApp. */
  channel: number;
  account: number;
  store: number;
  assignee: number;
  tags: number[];
}

/** The list's dictionaries, each entry indexed in the order it is first seen (the same for both read paths). */
class Dictionaries {
  readonly stores: EventList['stores'] = [];
  readonly assignees: EventList['assignees'] = [];
  readonly tags: string[] = [];
  readonly accounts: EventList['accounts'] = [];
  readonly #storeAt = new Map<string, number>();
  readonly #assigneeAt = new Map<string, number>();
  readonly #tagAt = new Map<string, number>();
  readonly #tagSets = new Map<string, number[]>();
  // One map per channel: a LINE channel id and a WhatsApp number id never share an entry.
  readonly #lineAccounts = new Map<string, number>();
  readonly #whatsappAccounts = new Map<string, number>();

  constructor(private readonly nameOf: (channel: Channel, id: string) => string) {}

  group(isLine: boolean, account: string, tagsJson: string, storeId: string | null, storeName: string | null, assigneeId: string | null, assigneeName: string | null): Group {
    return {
      channel: isLine ? 0 : 1,
      account: this.#account(isLine, account),
      tags: this.#tagList(tagsJson),
      store: storeId === null ? -1 : Dictionaries.#ref(this.#storeAt, this.stores, storeId, storeName),
      assignee: assigneeId === null ? -1 : Dictionaries.#ref(this.#assigneeAt, this.assignees, assigneeId, assigneeName),
    };
  }

  #account(isLine: boolean, id: string): number {
    const map = isLine ? this.#lineAccounts : this.#whatsappAccounts;
    let at = map.get(id);
    if (at === undefined) {
      at = this.accounts.length;
      const channel: Channel = isLine ? 'line' : 'whatsapp';
      this.accounts.push({ channel, id, name: this.nameOf(channel, id) });
      map.set(id, at);
    }
    return at;
  }

  /** Each distinct tags JSON text is parsed once; rows with the same set share one (read-only) index array. */
  #tagList(json: string): number[] {
    let list = this.#tagSets.get(json);
    if (list === undefined) {
      // The CHECK constraint of the events table guarantees a JSON array; non-strings are dropped defensively.
      const parsed: unknown = JSON.parse(json);
      list = [];
      for (const tag of Array.isArray(parsed) ? parsed : []) {
        if (typeof tag !== 'string') continue;
        let at = this.#tagAt.get(tag);
        if (at === undefined) {
          at = this.tags.length;
          this.tags.push(tag);
          this.#tagAt.set(tag, at);
        }
        list.push(at);
      }
      this.#tagSets.set(json, list);
    }
    return list;
  }

  static #ref(index: Map<string, number>, values: Array<{ id: string; name: string }>, id: string, name: string | null): number {
    let at = index.get(id);
    if (at === undefined) {
      at = values.length;
      values.push({ id, name: name ?? id });
      index.set(id, at);
    }
    return at;
  }
}

/** Filled by push: V8 keeps pushed arrays packed, while `new Array(100_000)` may start out holey or as a dictionary. */
function emptyColumns(): EventColumns {
  return { ids: [], names: [], channels: [], accountIndex: [], lastMessageAt: [], storeIndex: [], assigneeIndex: [], tagIndex: [], avatar: [] };
}

function pushGroup(columns: EventColumns, group: Group): void {
  columns.channels.push(group.channel);
  columns.accountIndex.push(group.account);
  columns.storeIndex.push(group.store);
  columns.assigneeIndex.push(group.assignee);
  columns.tagIndex.push(group.tags);
}

/** A nullable field of the group key: '' is NULL, '=value' is value. */
function nullable(field: string): string | null {
  return field === '' ? null : field.slice(1);
}

/** The fast read: SQLite packs each column into one string; null when the packed form does not add up (fallback). */
function readPacked(db: Database, dictionaries: Dictionaries): EventColumns | null {
  const packed = statements(db).packed.get(LISTED_STATUS);
  if (packed === undefined) return null;
  const [count, idText, nameText, timeJson, avatarText, groupText] = packed;
  if (count === 0) return emptyColumns();
  if (idText === null || nameText === null || timeJson === null || avatarText === null || groupText === null) return null;
  // The split arrays are the columns themselves: no copy of 100,000 strings.
  const ids = idText.split(RECORD);
  const names = nameText.split(RECORD);
  const groupKeys = groupText.split(RECORD);
  const parsedTimes: unknown = JSON.parse(timeJson);
  // A separator inside a value (a customer name with U+001E, say) shows up here as a wrong count.
  if (!Array.isArray(parsedTimes) || parsedTimes.length !== count || ids.length !== count || names.length !== count) return null;
  if (groupKeys.length !== count || avatarText.length !== count) return null;
  const lastMessageAt = parsedTimes as number[];
  const columns = emptyColumns();
  columns.ids = ids;
  columns.names = names;
  columns.lastMessageAt = lastMessageAt;
  const groups = new Map<string, Group>();
  let previousTime = Number.POSITIVE_INFINITY;
  for (let i = 0; i < count; i += 1) {
    const time = lastMessageAt[i] as number;
    // The order the aggregate saw must be the query's: newest first. Anything else → the row-by-row read.
    if (!(time <= previousTime)) return null;
    previousTime = time;
    const key = groupKeys[i] as string;
    let group = groups.get(key);
    if (group === undefined) {
      const fields = key.split(FIELD);
      if (fields.length !== GROUP_FIELDS) return null;
      const [channel, account, storeId, storeName, assigneeId, assigneeName, tagsJson] = fields as [string, string, string, string, string, string, string];
      group = dictionaries.group(channel === 'line', account, tagsJson, nullable(storeId), nullable(storeName), nullable(assigneeId), nullable(assigneeName));
      groups.set(key, group);
    }
    columns.avatar.push(avatarText.charCodeAt(i) === 49); // '1'
    pushGroup(columns, group);
  }
  return columns;
}

/** The plain read, one array per row: the reference the packed read must equal, and its fallback. */
function readRows(db: Database, dictionaries: Dictionaries): EventColumns {
  const columns = emptyColumns();
  for (const row of statements(db).list.all(LISTED_STATUS)) {
    const [id, name, isLine, account, lastMessageAt, storeId, storeName, assigneeId, assigneeName, tagsJson, hasAvatar] = row;
    columns.ids.push(id);
    columns.names.push(name);
    columns.lastMessageAt.push(lastMessageAt);
    columns.avatar.push(hasAvatar === 1);
    pushGroup(columns, dictionaries.group(isLine === 1, account, tagsJson, storeId, storeName, assigneeId, assigneeName));
  }
  return columns;
}

/**
 * Every cached in-progress event, newest conversation first, as the contract's columns and dictionaries. Built for
 * 100,000 rows: SQLite packs each column into one long string (3 strings cross from SQLite per row, not 9, and no
 * array per row), rows sharing their account, store, assignee and tags share one decoded group, and each distinct
 * tags JSON is parsed once. `rowByRow` forces the plain read (tests compare the two).
 */
export function buildEventList(
  db: Database,
  meta: { lastSyncedAt: number | null; version: number },
  options: { rowByRow?: boolean } = {},
): PlainEventList {
  const nameOf = accountNames(db);
  let dictionaries = new Dictionaries(nameOf);
  let rows = options.rowByRow === true ? null : readPacked(db, dictionaries);
  if (rows === null) {
    // A half-filled dictionary from an abandoned packed read would shift every index: start over.
    dictionaries = new Dictionaries(nameOf);
    rows = readRows(db, dictionaries);
  }
  return {
    rows,
    stores: dictionaries.stores,
    assignees: dictionaries.assignees,
    tags: dictionaries.tags,
    accounts: dictionaries.accounts,
    version: meta.version,
    lastSyncedAt: meta.lastSyncedAt,
  };
}

/**
 * What a selection amounts to: counts per channel and account among the ids that are cached and still in progress;
 * `dropped` counts the other distinct ids (left in_progress, reassigned away, or never cached).
 */
/** A selection per channel and account, with the customer of each account's newest conversation (the preview's sample). */
export interface SelectionBreakdown extends SelectionSummary {
  accounts: Array<SelectionSummary['accounts'][number] & { sampleCustomer: string | null }>;
}

export function breakdownSelection(db: Database, eventIds: readonly string[]): SelectionBreakdown {
  const distinct = new Set(eventIds);
  const rows = distinct.size === 0 ? [] : statements(db).summary.all(LISTED_STATUS, JSON.stringify([...distinct]));
  const nameOf = accountNames(db);
  let line = 0;
  let whatsapp = 0;
  const accounts: SelectionBreakdown['accounts'] = [];
  for (const [channel, id, count, sampleCustomer] of rows) {
    const accountChannel: Channel = channel === 'line' ? 'line' : 'whatsapp';
    if (accountChannel === 'line') line += count;
    else whatsapp += count;
    accounts.push({ channel: accountChannel, id, name: nameOf(accountChannel, id), count, sampleCustomer });
  }
  const total = line + whatsapp;
  return { total, line, whatsapp, accounts, dropped: distinct.size - total };
}

export function summarizeSelection(db: Database, eventIds: readonly string[]): SelectionSummary {
  const { accounts, ...counts } = breakdownSelection(db, eventIds);
  return { ...counts, accounts: accounts.map(({ sampleCustomer: _sample, ...account }) => account) };
}

/** The wire form of a list: see preload/contract/event-list-codec.ts. */
export { packEventList, unpackEventList } from '../../preload/contract/event-list-codec';

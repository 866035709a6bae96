/**
 * The event grid's data model, kept fast for 100,000 rows: the EventList arrives packed (see the contract's
 * PackedEventColumns) and is decoded once per list version into typed arrays (no row objects), derived data is
 * computed per distinct value rather than per row (names, tag sets), and a filter yields an Int32Array of row numbers.
 */
import type {
  CODE_BASE as CONTRACT_CODE_BASE,
  Channel,
  EventList,
  RowCodes,
  TIME_BASE as CONTRACT_TIME_BASE,
  TIME_DIGITS as CONTRACT_TIME_DIGITS,
} from '../../../../preload/contract';

// The contract's constants: the renderer imports only types from the contract, and the literal types pin the values.
const CODE_BASE: typeof CONTRACT_CODE_BASE = 0x24;
const TIME_BASE: typeof CONTRACT_TIME_BASE = 46;
const TIME_DIGITS: typeof CONTRACT_TIME_DIGITS = "!#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";

export type ChannelFilter = 'all' | Channel;
export type SortOrder = 'newest' | 'oldest';

export interface EventFilters {
  channel: ChannelFilter;
  /** Tag names (not indices: the dictionary may change between list versions); a row matches with any of them. */
  tags: readonly string[];
  /** A store id; '' = every store. */
  store: string;
  /** Typed text, as typed; normalised when matched. */
  query: string;
  sort: SortOrder;
}

export const NO_FILTERS: EventFilters = { channel: 'all', tags: [], store: '', query: '', sort: 'newest' };

/** 0 = LINE, 1 = WhatsApp, as the contract's channels column says. */
export const CHANNEL_CODES: Readonly<Record<Channel, number>> = { line: 0, whatsapp: 1 };
export const CHANNEL_OF_CODE: readonly Channel[] = ['line', 'whatsapp'];

export function filtersActive(filters: EventFilters): boolean {
  return filters.channel !== 'all' || filters.tags.length > 0 || filters.store !== '' || filters.query.trim() !== '';
}

/**
 * Case-insensitive in every script the users write: NFKC folds full-width Latin ("ＡＭＹ") and compatibility forms,
 * then the locale-aware lower case. Chinese has no case, so 王 matches 王.
 */
export function normalizeSearch(text: string): string {
  return text.normalize('NFKC').toLocaleLowerCase();
}

/** The rows of a list, decoded into typed columns (row i of every column is the same event). */
export interface EventTable {
  readonly count: number;
  readonly ids: readonly string[];
  /** Distinct names (packed lists) or one per row (plain lists); `nameCode` points each row into it. */
  readonly names: readonly string[];
  readonly nameCode: Int32Array;
  /** 0 = LINE, 1 = WhatsApp. */
  readonly channel: Uint8Array;
  /** Into list.accounts. */
  readonly account: Int32Array;
  /** Into list.stores; -1 = none. */
  readonly store: Int32Array;
  /** Into list.assignees; -1 = none. */
  readonly assignee: Int32Array;
  /** Distinct tag sets (packed lists) or one per row (plain lists); `tagSet` points each row into it. */
  readonly tagSets: readonly (readonly number[])[];
  readonly tagSet: Int32Array;
  /** 1 = the customer has an avatar. */
  readonly avatar: Uint8Array;
  readonly lastMessageAt: Float64Array;
}

/** A list that does not add up (a column of another length, a code outside its dictionary). */
export class MalformedListError extends Error {}

function decodeCodes(codes: RowCodes, count: number, min: number, size: number, column: string): Int32Array {
  if (codes.length !== count) throw new MalformedListError(`${column}: ${codes.length} entries for ${count} rows`);
  const out = new Int32Array(count);
  let low = 0;
  let high = -1;
  if (typeof codes === 'string') {
    for (let row = 0; row < count; row += 1) {
      const value = codes.charCodeAt(row) - CODE_BASE;
      out[row] = value;
      if (value < low) low = value;
      if (value > high) high = value;
    }
  } else {
    for (let row = 0; row < count; row += 1) {
      const value = codes[row] as number;
      out[row] = value;
      if (value < low) low = value;
      if (value > high) high = value;
    }
  }
  if (low < min || high >= size) throw new MalformedListError(`${column}: a code outside 0…${size - 1}`);
  return out;
}

/** Character code → value of a TIME_DIGITS digit (-1: not one). */
const TIME_DIGIT_VALUE = new Int8Array(128).fill(-1);
for (let digit = 0; digit < TIME_DIGITS.length; digit += 1) TIME_DIGIT_VALUE[TIME_DIGITS.charCodeAt(digit)] = digit;

/** The contract's lastMessageDeltas (text or numbers) back into times. */
function decodeTimes(deltas: string | readonly number[], count: number): Float64Array {
  const out = new Float64Array(count);
  if (typeof deltas !== 'string') {
    if (deltas.length !== count) throw new MalformedListError(`lastMessageDeltas: ${deltas.length} entries for ${count} rows`);
    let time = 0;
    for (let row = 0; row < count; row += 1) {
      time = row === 0 ? (deltas[0] as number) : time - (deltas[row] as number);
      out[row] = time;
    }
    return out;
  }
  let at = 0;
  let time = 0;
  const length = deltas.length;
  for (let row = 0; row < count; row += 1) {
    let value = 0;
    let scale = 1;
    for (;;) {
      const digit = at < length ? (TIME_DIGIT_VALUE[deltas.charCodeAt(at)] ?? -1) : -1;
      at += 1;
      if (digit < 0) throw new MalformedListError('lastMessageDeltas: not a time text of one number per row');
      if (digit < TIME_BASE) {
        value += digit * scale;
        break;
      }
      value += (digit - TIME_BASE) * scale;
      scale *= TIME_BASE;
    }
    time = row === 0 ? value : time - value;
    out[row] = time;
  }
  if (at !== length) throw new MalformedListError('lastMessageDeltas: more numbers than rows');
  return out;
}

function identity(count: number): Int32Array {
  const out = new Int32Array(count);
  for (let row = 0; row < count; row += 1) out[row] = row;
  return out;
}

/** Decodes a list's rows, packed or plain; throws MalformedListError when they do not add up. */
export function decodeRows(list: EventList): EventTable {
  const { rows } = list;
  const count = rows.ids.length;
  if ('encoding' in rows) {
    const group = decodeCodes(rows.groupCodes, count, 0, rows.groups.length, 'groupCodes');
    const groupAccount = Int32Array.from(rows.groups, (entry) => entry.account);
    const groupStore = Int32Array.from(rows.groups, (entry) => entry.store);
    const groupAssignee = Int32Array.from(rows.groups, (entry) => entry.assignee);
    const groupAvatar = Uint8Array.from(rows.groups, (entry) => (entry.avatar ? 1 : 0));
    const groupChannel = new Uint8Array(rows.groups.length);
    rows.groups.forEach((entry, at) => {
      const account = list.accounts[entry.account];
      if (!account || entry.store >= list.stores.length || entry.assignee >= list.assignees.length) {
        throw new MalformedListError(`groups[${at}]: an index outside its dictionary`);
      }
      groupChannel[at] = CHANNEL_CODES[account.channel];
    });
    const account = new Int32Array(count);
    const store = new Int32Array(count);
    const assignee = new Int32Array(count);
    const channel = new Uint8Array(count);
    const avatar = new Uint8Array(count);
    for (let row = 0; row < count; row += 1) {
      const at = group[row] as number;
      account[row] = groupAccount[at] as number;
      store[row] = groupStore[at] as number;
      assignee[row] = groupAssignee[at] as number;
      channel[row] = groupChannel[at] as number;
      avatar[row] = groupAvatar[at] as number;
    }
    return {
      count,
      ids: rows.ids,
      names: rows.names,
      nameCode: decodeCodes(rows.nameCodes, count, 0, rows.names.length, 'nameCodes'),
      channel,
      account,
      store,
      assignee,
      tagSets: rows.tagSets,
      tagSet: decodeCodes(rows.tagSetCodes, count, 0, rows.tagSets.length, 'tagSetCodes'),
      avatar,
      lastMessageAt: decodeTimes(rows.lastMessageDeltas, count),
    };
  }
  const lengths = [rows.names, rows.channels, rows.accountIndex, rows.lastMessageAt, rows.storeIndex, rows.assigneeIndex, rows.tagIndex, rows.avatar];
  if (lengths.some((column) => column.length !== count)) throw new MalformedListError('a column of another length than ids');
  const sequence = identity(count);
  return {
    count,
    ids: rows.ids,
    names: rows.names,
    nameCode: sequence,
    channel: Uint8Array.from(rows.channels),
    account: Int32Array.from(rows.accountIndex),
    store: Int32Array.from(rows.storeIndex),
    assignee: Int32Array.from(rows.assigneeIndex),
    tagSets: rows.tagIndex,
    tagSet: sequence,
    avatar: Uint8Array.from(rows.avatar, (has) => (has ? 1 : 0)),
    lastMessageAt: Float64Array.from(rows.lastMessageAt),
  };
}

/** What is derived once per list version. */
export interface EventIndex {
  /** The list as main sent it (its dictionaries: stores, assignees, tags, accounts). */
  readonly list: EventList;
  readonly table: EventTable;
  readonly version: number;
  /** Every row in the list's order (newest first): the rows shown without filters. */
  readonly allRows: Int32Array;
  /** Event id → row number; built on first use (see rowOf), not before the first paint. */
  idToRow: Map<string, number> | null;
  /** Normalised `table.names`; built on first use (see searchNamesOf) or when the browser is idle. */
  searchNames: string[] | null;
}

export function buildIndex(list: EventList): EventIndex {
  const table = decodeRows(list);
  return { list, table, version: list.version, allRows: identity(table.count), idToRow: null, searchNames: null };
}

function idMapOf(index: EventIndex): Map<string, number> {
  if (!index.idToRow) {
    const ids = index.table.ids;
    const map = new Map<string, number>();
    for (let row = 0; row < ids.length; row += 1) map.set(ids[row] as string, row);
    index.idToRow = map;
  }
  return index.idToRow;
}

/** The row of an event id, or -1. */
export function rowOf(index: EventIndex, id: string): number {
  return idMapOf(index).get(id) ?? -1;
}

export function hasEvent(index: EventIndex, id: string): boolean {
  return idMapOf(index).has(id);
}

export function searchNamesOf(index: EventIndex): string[] {
  if (!index.searchNames) index.searchNames = index.table.names.map(normalizeSearch);
  return index.searchNames;
}

/** Work worth doing once the grid has painted, so the first keystroke and the first selection find it ready. */
export function warmIndex(index: EventIndex): void {
  searchNamesOf(index);
  idMapOf(index);
}

/** The rows shown under `filters`, in display order. Unfiltered, newest first: the index's own allRows (no copy). */
export function filterRows(index: EventIndex, filters: EventFilters): Int32Array {
  const { table, list } = index;
  const { count } = table;
  const query = normalizeSearch(filters.query.trim());
  const channel = filters.channel === 'all' ? -1 : CHANNEL_CODES[filters.channel];
  if (channel < 0 && filters.store === '' && filters.tags.length === 0 && query === '') {
    return filters.sort === 'oldest' ? index.allRows.slice().reverse() : index.allRows;
  }
  let store = -1;
  if (filters.store !== '') {
    store = list.stores.findIndex((candidate) => candidate.id === filters.store);
    if (store < 0) return new Int32Array(0);
  }
  // Per distinct tag set and per distinct name, whether it matches: the row loop then only looks values up.
  let tagSetMatch: Uint8Array | null = null;
  if (filters.tags.length > 0) {
    const wanted = new Uint8Array(list.tags.length);
    let any = false;
    for (const name of filters.tags) {
      const tag = list.tags.indexOf(name);
      if (tag >= 0) {
        wanted[tag] = 1;
        any = true;
      }
    }
    if (!any) return new Int32Array(0);
    tagSetMatch = new Uint8Array(table.tagSets.length);
    table.tagSets.forEach((set, at) => {
      if (set.some((tag) => wanted[tag] === 1)) (tagSetMatch as Uint8Array)[at] = 1;
    });
  }
  let nameMatch: Uint8Array | null = null;
  if (query !== '') {
    const names = searchNamesOf(index);
    nameMatch = new Uint8Array(names.length);
    for (let at = 0; at < names.length; at += 1) if ((names[at] as string).includes(query)) nameMatch[at] = 1;
  }

  const out = new Int32Array(count);
  let size = 0;
  const channels = table.channel;
  const stores = table.store;
  const tagSets = table.tagSet;
  const nameCodes = table.nameCode;
  for (let row = 0; row < count; row += 1) {
    if (channel >= 0 && channels[row] !== channel) continue;
    if (store >= 0 && stores[row] !== store) continue;
    if (tagSetMatch && tagSetMatch[tagSets[row] as number] !== 1) continue;
    if (nameMatch && nameMatch[nameCodes[row] as number] !== 1) continue;
    out[size++] = row;
  }
  const result = out.slice(0, size);
  // The contract sends the rows newest first.
  if (filters.sort === 'oldest') result.reverse();
  return result;
}

export interface SelectionCounts {
  total: number;
  line: number;
  whatsapp: number;
}

export const NO_COUNTS: SelectionCounts = { total: 0, line: 0, whatsapp: 0 };

/** The selection per channel (ids no longer in the list are not counted). */
export function countSelection(index: EventIndex | null, selection: ReadonlySet<string>): SelectionCounts {
  if (!index || selection.size === 0) return NO_COUNTS;
  const channels = index.table.channel;
  const map = idMapOf(index);
  let line = 0;
  let whatsapp = 0;
  for (const id of selection) {
    const row = map.get(id);
    if (row === undefined) continue;
    if (channels[row] === 0) line += 1;
    else whatsapp += 1;
  }
  return { total: line + whatsapp, line, whatsapp };
}

/** The ids of the rows between two display positions, both included. */
export function idsBetween(index: EventIndex, rows: Int32Array, from: number, to: number): string[] {
  const start = Math.max(0, Math.min(from, to));
  const end = Math.min(rows.length - 1, Math.max(from, to));
  const ids = index.table.ids;
  const out: string[] = [];
  for (let position = start; position <= end; position += 1) out.push(ids[rows[position] as number] as string);
  return out;
}

/** Where an event is shown under the current filter, or -1. */
export function positionOf(index: EventIndex, rows: Int32Array, id: string | null): number {
  if (id === null) return -1;
  const row = rowOf(index, id);
  if (row < 0) return -1;
  // Unfiltered and newest first, the position is the row itself.
  if (rows === index.allRows) return row;
  return rows.indexOf(row);
}

/** The first letter of a name for the avatar fallback (a whole character, also outside the BMP). */
export function initialOf(name: string): string {
  const first = Array.from(name.trim())[0];
  return first ? first.toLocaleUpperCase() : '?';
}

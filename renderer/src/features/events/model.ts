/**
 * The event grid's data model, kept fast for 100,000 rows: the EventList's columns stay as main sent them (no row
 * objects), derived data is computed once per list version, and a filter yields an Int32Array of row numbers.
 */
import type { Channel, EventList } from '../../../../preload/contract';

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

/** What is derived once per list version. */
export interface EventIndex {
  readonly list: EventList;
  readonly version: number;
  /** Event id → row number. */
  readonly idToRow: ReadonlyMap<string, number>;
  /** Normalised names, computed on the first search (or when the browser is idle after the first paint). */
  searchNames: string[] | null;
}

export function buildIndex(list: EventList): EventIndex {
  const ids = list.rows.ids;
  const idToRow = new Map<string, number>();
  for (let row = 0; row < ids.length; row += 1) idToRow.set(ids[row] as string, row);
  return { list, version: list.version, idToRow, searchNames: null };
}

export function searchNamesOf(index: EventIndex): string[] {
  if (!index.searchNames) index.searchNames = index.list.rows.names.map(normalizeSearch);
  return index.searchNames;
}

/** The rows shown under `filters`, in display order. */
export function filterRows(index: EventIndex, filters: EventFilters): Int32Array {
  const { rows, stores, tags } = index.list;
  const count = rows.ids.length;
  const channel = filters.channel === 'all' ? -1 : CHANNEL_CODES[filters.channel];
  let store = -1;
  if (filters.store !== '') {
    store = stores.findIndex((candidate) => candidate.id === filters.store);
    if (store < 0) return new Int32Array(0);
  }
  let tagMask: Uint8Array | null = null;
  if (filters.tags.length > 0) {
    tagMask = new Uint8Array(tags.length);
    let any = false;
    for (const name of filters.tags) {
      const tag = tags.indexOf(name);
      if (tag >= 0) {
        tagMask[tag] = 1;
        any = true;
      }
    }
    if (!any) return new Int32Array(0);
  }
  const query = normalizeSearch(filters.query.trim());
  const names = query === '' ? null : searchNamesOf(index);

  const out = new Int32Array(count);
  let size = 0;
  const channels = rows.channels;
  const storeIndex = rows.storeIndex;
  const tagIndex = rows.tagIndex;
  for (let row = 0; row < count; row += 1) {
    if (channel >= 0 && channels[row] !== channel) continue;
    if (store >= 0 && storeIndex[row] !== store) continue;
    if (tagMask) {
      const rowTags = tagIndex[row] as number[];
      let hit = false;
      for (let t = 0; t < rowTags.length; t += 1) {
        if (tagMask[rowTags[t] as number] === 1) {
          hit = true;
          break;
        }
      }
      if (!hit) continue;
    }
    if (names && !(names[row] as string).includes(query)) continue;
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

/** The selection per channel (ids no longer in the list are not counted). */
export function countSelection(index: EventIndex | null, selection: ReadonlySet<string>): SelectionCounts {
  if (!index) return { total: 0, line: 0, whatsapp: 0 };
  const channels = index.list.rows.channels;
  let line = 0;
  let whatsapp = 0;
  for (const id of selection) {
    const row = index.idToRow.get(id);
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
  const ids = index.list.rows.ids;
  const out: string[] = [];
  for (let position = start; position <= end; position += 1) out.push(ids[rows[position] as number] as string);
  return out;
}

/** Where an event is shown under the current filter, or -1. */
export function positionOf(index: EventIndex, rows: Int32Array, id: string | null): number {
  if (id === null) return -1;
  const row = index.idToRow.get(id);
  return row === undefined ? -1 : rows.indexOf(row);
}

/** The first letter of a name for the avatar fallback (a whole character, also outside the BMP). */
export function initialOf(name: string): string {
  const first = Array.from(name.trim())[0];
  return first ? first.toLocaleUpperCase() : '?';
}

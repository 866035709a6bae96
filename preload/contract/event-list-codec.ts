/**
 * The wire form of the event list (events.list): packing main's plain columns, and reading them back. Pure functions
 * over the contract's types, shared by main (which packs), tests and fixtures (which pack and unpack).
 */
import {
  CODE_BASE,
  CODE_MAX,
  TIME_BASE,
  TIME_DIGITS,
  type EventColumns,
  type EventList,
  type PackedEventColumns,
  type PackedEventList,
  type PlainEventList,
  type RowCodes,
} from './schemas';

function emptyColumns(): EventColumns {
  return { ids: [], names: [], channels: [], accountIndex: [], lastMessageAt: [], storeIndex: [], assigneeIndex: [], tagIndex: [], avatar: [] };
}

/** A column of small integers as RowCodes: one character per row when every value fits, else the numbers. */
function toCodes(values: ArrayLike<number>, max: number): RowCodes {
  const count = values.length;
  if (max > CODE_MAX) return Array.from(values);
  // String.fromCharCode over chunks: one string per 8,192 rows, not one per row.
  const CHUNK = 8192;
  const parts: string[] = [];
  const codes = new Array<number>(Math.min(CHUNK, count));
  for (let start = 0; start < count; start += CHUNK) {
    const end = Math.min(count, start + CHUNK);
    codes.length = end - start;
    for (let row = start; row < end; row += 1) codes[row - start] = (values[row] as number) + CODE_BASE;
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
}

/** The time differences as TIME_DIGITS text (see the contract), or null when one is negative or not an integer. */
function timeText(deltas: readonly number[]): string | null {
  const parts: string[] = [];
  let chunk = '';
  for (let row = 0; row < deltas.length; row += 1) {
    let value = deltas[row] as number;
    if (!Number.isSafeInteger(value) || value < 0) return null;
    while (value >= TIME_BASE) {
      chunk += TIME_DIGITS.charAt(TIME_BASE + (value % TIME_BASE));
      value = Math.floor(value / TIME_BASE);
    }
    chunk += TIME_DIGITS.charAt(value);
    if (chunk.length >= 4096) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/** The numbers of a TIME_DIGITS text (the contract's lastMessageDeltas as text); null when it is not one. */
export function readTimeText(text: string, count: number): number[] | null {
  const out = new Array<number>(count);
  let at = 0;
  for (let row = 0; row < count; row += 1) {
    let value = 0;
    let scale = 1;
    for (;;) {
      const digit = TIME_DIGITS.indexOf(text.charAt(at));
      at += 1;
      if (digit < 0) return null;
      if (digit < TIME_BASE) {
        value += digit * scale;
        break;
      }
      value += (digit - TIME_BASE) * scale;
      scale *= TIME_BASE;
    }
    out[row] = value;
  }
  return at === text.length ? out : null;
}

/**
 * The wire form of a list (events.list): the same rows, packed (see the contract's PackedEventColumns). Names, tag
 * sets and the (account, store, assignee, avatar) combinations become dictionaries with one character per row, and
 * times the differences between neighbours, as text. Lossless: the renderer reads back exactly the plain columns.
 */
export function packEventList(list: PlainEventList): PackedEventList {
  const { rows } = list;
  const count = rows.ids.length;
  const names: string[] = [];
  const nameAt = new Map<string, number>();
  const nameCodes = new Int32Array(count);
  // main shares one tag array between the rows of a set (see Dictionaries): look arrays up by identity first.
  const tagSets: number[][] = [];
  const tagSetAt = new Map<string, number>();
  const tagSetOfArray = new Map<readonly number[], number>();
  const tagSetCodes = new Int32Array(count);
  const groups: PackedEventColumns['groups'] = [];
  const groupAt = new Map<string, number>();
  const groupCodes = new Int32Array(count);
  const deltas = new Array<number>(count);
  let previous = 0;
  for (let row = 0; row < count; row += 1) {
    const name = rows.names[row] as string;
    let code = nameAt.get(name);
    if (code === undefined) {
      code = names.length;
      names.push(name);
      nameAt.set(name, code);
    }
    nameCodes[row] = code;

    const tags = rows.tagIndex[row] as number[];
    let set = tagSetOfArray.get(tags);
    if (set === undefined) {
      const key = tags.join(',');
      set = tagSetAt.get(key);
      if (set === undefined) {
        set = tagSets.length;
        tagSets.push(tags);
        tagSetAt.set(key, set);
      }
      tagSetOfArray.set(tags, set);
    }
    tagSetCodes[row] = set;

    const account = rows.accountIndex[row] as number;
    const store = rows.storeIndex[row] as number;
    const assignee = rows.assigneeIndex[row] as number;
    const avatar = rows.avatar[row] === true;
    const groupKey = `${account},${store},${assignee},${avatar ? 1 : 0}`;
    let group = groupAt.get(groupKey);
    if (group === undefined) {
      group = groups.length;
      groups.push({ account, store, assignee, avatar });
      groupAt.set(groupKey, group);
    }
    groupCodes[row] = group;

    const time = rows.lastMessageAt[row] as number;
    deltas[row] = row === 0 ? time : previous - time;
    previous = time;
  }
  return {
    ...list,
    rows: {
      encoding: 'packed',
      ids: rows.ids,
      names,
      nameCodes: toCodes(nameCodes, names.length - 1),
      lastMessageDeltas: timeText(deltas) ?? deltas,
      groups,
      groupCodes: toCodes(groupCodes, groups.length - 1),
      tagSets,
      tagSetCodes: toCodes(tagSetCodes, tagSets.length - 1),
    },
  };
}

/** The plain form of a list, packed or not (tests and fixtures; the renderer decodes into typed arrays itself). */
export function unpackEventList(list: EventList): PlainEventList {
  const { rows } = list;
  if (!('encoding' in rows)) return { ...list, rows };
  const count = rows.ids.length;
  const code = (codes: RowCodes, row: number) => (typeof codes === 'string' ? codes.charCodeAt(row) - CODE_BASE : (codes[row] as number));
  const deltas = typeof rows.lastMessageDeltas === 'string' ? readTimeText(rows.lastMessageDeltas, count) : rows.lastMessageDeltas;
  if (deltas === null) throw new Error('lastMessageDeltas: not a time text');
  const columns = emptyColumns();
  columns.ids = rows.ids;
  let time = 0;
  for (let row = 0; row < count; row += 1) {
    const group = rows.groups[code(rows.groupCodes, row)] as PackedEventColumns['groups'][number];
    columns.names.push(rows.names[code(rows.nameCodes, row)] as string);
    columns.channels.push(list.accounts[group.account]?.channel === 'line' ? 0 : 1);
    columns.accountIndex.push(group.account);
    time = row === 0 ? (deltas[0] as number) : time - (deltas[row] as number);
    columns.lastMessageAt.push(time);
    columns.storeIndex.push(group.store);
    columns.assigneeIndex.push(group.assignee);
    columns.tagIndex.push([...(rows.tagSets[code(rows.tagSetCodes, row)] as number[])]);
    columns.avatar.push(group.avatar);
  }
  return { ...list, rows: columns };
}

/**
 * The event list's wire form and the renderer's model of it: packing (main) and decoding (renderer) lose nothing,
 * whatever the sizes of the dictionaries, and filters give the same rows on either form.
 */
import { describe, expect, it } from 'vitest';
import { CODE_MAX, type EventList, EventList as EventListSchema, type PlainEventList } from '../../preload/contract';
import { packEventList, unpackEventList } from '../../preload/contract/event-list-codec';
import { MalformedListError, NO_FILTERS, buildIndex, decodeRows, filterRows, positionOf, rowOf } from '../../renderer/src/features/events/model';
import { makeEventList } from './fake-events';

/** Through JSON, as the preview host's WebSocket carries it. */
const wire = <T,>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function plainTable(list: EventList) {
  const table = decodeRows(list);
  return Array.from({ length: table.count }, (_, row) => ({
    id: table.ids[row],
    name: table.names[table.nameCode[row] as number],
    channel: table.channel[row],
    account: table.account[row],
    store: table.store[row],
    assignee: table.assignee[row],
    tags: table.tagSets[table.tagSet[row] as number],
    avatar: table.avatar[row],
    lastMessageAt: table.lastMessageAt[row],
  }));
}

describe('the packed event list', () => {
  it('round-trips through JSON to the same rows, and is valid against the contract', () => {
    const list = makeEventList(500);
    const packed = wire(packEventList(list));
    expect(packed.rows).toMatchObject({ encoding: 'packed' });
    expect(EventListSchema.safeParse(packed).success).toBe(true);
    expect(unpackEventList(packed)).toEqual(list);
    expect(plainTable(packed)).toEqual(plainTable(list));
    // Names and tag sets are shared dictionaries, far smaller than the rows.
    if (!('encoding' in packed.rows)) throw new Error('not packed');
    expect(packed.rows.names.length).toBeLessThan(100);
    expect(JSON.stringify(packed).length).toBeLessThan(JSON.stringify(list).length / 1.5);
  });

  it('keeps values beyond one character per row as numbers, and names holding any character', () => {
    const list = makeEventList(3);
    const big = CODE_MAX + 5;
    const wide: PlainEventList = {
      ...list,
      rows: { ...list.rows, names: ['\u0000"\\\ud800', 'a\u001e\u001fb', '\u2028😀'] },
      // A store dictionary too large for one character per row.
      stores: Array.from({ length: big + 1 }, (_, i) => ({ id: `s${i}`, name: `Store ${i}` })),
    };
    wide.rows.storeIndex = [big, -1, 0];
    const packed = wire(packEventList(wide));
    if (!('encoding' in packed.rows)) throw new Error('not packed');
    expect(packed.rows.groups.map((group) => group.store)).toEqual([big, -1, 0]);
    expect(typeof packed.rows.groupCodes).toBe('string');
    expect(typeof packed.rows.lastMessageDeltas).toBe('string');
    expect(EventListSchema.safeParse(packed).success).toBe(true);
    expect(unpackEventList(packed)).toEqual(wide);
    expect(plainTable(packed)).toEqual(plainTable(wide));
  });

  it('keeps times in any order: as numbers when a later row is newer', () => {
    const list = makeEventList(5);
    const unsorted: PlainEventList = { ...list, rows: { ...list.rows, lastMessageAt: [5, 9, 2, 2, 0] } };
    const packed = wire(packEventList(unsorted));
    if (!('encoding' in packed.rows)) throw new Error('not packed');
    expect(packed.rows.lastMessageDeltas).toEqual([5, -4, 7, 0, 2]);
    expect(Array.from(decodeRows(packed).lastMessageAt)).toEqual([5, 9, 2, 2, 0]);
    const big: PlainEventList = { ...list, rows: { ...list.rows, lastMessageAt: [Date.UTC(2030, 0), 2 ** 40, 46, 45, 0] } };
    const bigPacked = wire(packEventList(big));
    expect(EventListSchema.safeParse(bigPacked).success).toBe(true);
    expect(Array.from(decodeRows(bigPacked).lastMessageAt)).toEqual(big.rows.lastMessageAt);
    const cut = { ...bigPacked, rows: { ...bigPacked.rows, lastMessageDeltas: (bigPacked.rows as { lastMessageDeltas: string }).lastMessageDeltas.slice(0, -1) } };
    expect(EventListSchema.safeParse(cut).success).toBe(false);
    expect(() => decodeRows(cut)).toThrow(MalformedListError);
  });

  it('an empty list packs and decodes to no rows', () => {
    const packed = wire(packEventList(makeEventList(0)));
    expect(EventListSchema.safeParse(packed).success).toBe(true);
    expect(decodeRows(packed).count).toBe(0);
  });

  it('the contract and the decoder refuse a packed list that does not add up', () => {
    const packed = wire(packEventList(makeEventList(10)));
    if (!('encoding' in packed.rows)) throw new Error('not packed');
    const short = { ...packed, rows: { ...packed.rows, groupCodes: (packed.rows.groupCodes as string).slice(1) } };
    expect(EventListSchema.safeParse(short).success).toBe(false);
    expect(() => decodeRows(short)).toThrow(MalformedListError);
    const outside = { ...packed, rows: { ...packed.rows, tagSetCodes: Array.from({ length: 10 }, () => 99) } };
    expect(EventListSchema.safeParse(outside).success).toBe(false);
    expect(() => decodeRows(outside)).toThrow(MalformedListError);
  });

  it('filters the same rows from either form, and finds positions', () => {
    const list = makeEventList(300);
    const plain = buildIndex(list);
    const packed = buildIndex(wire(packEventList(list)));
    const cases = [
      NO_FILTERS,
      { ...NO_FILTERS, sort: 'oldest' as const },
      { ...NO_FILTERS, channel: 'whatsapp' as const },
      { ...NO_FILTERS, tags: ['VIP', '回購'] },
      { ...NO_FILTERS, store: 'store-qinmei' },
      { ...NO_FILTERS, query: 'amy' },
      { ...NO_FILTERS, query: '王', channel: 'line' as const, sort: 'oldest' as const },
    ];
    for (const filters of cases) expect(Array.from(filterRows(packed, filters))).toEqual(Array.from(filterRows(plain, filters)));
    const all = filterRows(packed, NO_FILTERS);
    expect(all).toBe(packed.allRows);
    expect(positionOf(packed, all, 'evt-42')).toBe(42);
    const line = filterRows(packed, { ...NO_FILTERS, channel: 'line' });
    expect(line[positionOf(packed, line, 'evt-42')]).toBe(rowOf(packed, 'evt-42'));
    expect(positionOf(packed, line, 'nope')).toBe(-1);
  });
});

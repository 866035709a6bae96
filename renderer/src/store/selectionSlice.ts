import { NO_COUNTS, countSelection, idsBetween, positionOf, rowOf, type EventIndex, type SelectionCounts } from '../features/events/model';
import { measure } from '../perf/marks';
import type { SelectionSlice, SliceCreator } from './types';

/** No selection (a fresh Set each time: subscribers compare by identity). */
export function emptySelection(): { selection: ReadonlySet<string>; selectionCounts: SelectionCounts } {
  return { selection: new Set<string>(), selectionCounts: NO_COUNTS };
}

/** The counts after adding (+1) or removing (-1) one listed row. */
function adjust(counts: SelectionCounts, index: EventIndex, row: number, sign: 1 | -1): SelectionCounts {
  if (row < 0) return counts;
  const line = index.table.channel[row] === 0;
  return {
    total: counts.total + sign,
    line: counts.line + (line ? sign : 0),
    whatsapp: counts.whatsapp + (line ? 0 : sign),
  };
}

/**
 * The batch selection: a Set of event ids, replaced (never mutated) on every change, so React sees each change by
 * identity and only the rows whose checkbox flips re-render. Its count per channel is kept alongside, updated by each
 * change, so 快速全選 over 100,000 rows does not walk the selection a second time to count it.
 */
export const createSelectionSlice: SliceCreator<SelectionSlice> = (set, get) => ({
  ...emptySelection(),
  anchorId: null,
  droppedNotice: 0,

  toggleSelected: (id) => {
    const { selection, selectionCounts, eventIndex: index } = get();
    const next = new Set(selection);
    const row = index ? rowOf(index, id) : -1;
    let counts = selectionCounts;
    if (next.has(id)) {
      next.delete(id);
      if (index) counts = adjust(counts, index, row, -1);
    } else {
      next.add(id);
      if (index) counts = adjust(counts, index, row, 1);
    }
    set({ selection: next, selectionCounts: counts, anchorId: id });
  },

  selectRangeTo: (id) => {
    const { eventIndex: index, filteredRows: rows, anchorId, selection, selectionCounts } = get();
    if (!index) return;
    const to = positionOf(index, rows, id);
    if (to < 0) return;
    let from = positionOf(index, rows, anchorId);
    if (from < 0) from = to;
    const next = new Set(selection);
    let counts = selectionCounts;
    for (const rangeId of idsBetween(index, rows, from, to)) {
      if (next.has(rangeId)) continue;
      next.add(rangeId);
      counts = adjust(counts, index, rowOf(index, rangeId), 1);
    }
    set({ selection: next, selectionCounts: counts, anchorId: from === to ? id : anchorId });
  },

  selectAllFiltered: () => {
    const { eventIndex: index, filteredRows: rows, selection, selectionCounts } = get();
    if (!index || rows.length === 0) return;
    const { ids, channel } = index.table;
    const next = measure('omo:select-all', () => {
      const out = new Set(selection);
      let line = selectionCounts.line;
      let whatsapp = selectionCounts.whatsapp;
      const empty = selection.size === 0;
      for (let position = 0; position < rows.length; position += 1) {
        const row = rows[position] as number;
        const id = ids[row] as string;
        if (!empty && out.has(id)) continue;
        out.add(id);
        if (channel[row] === 0) line += 1;
        else whatsapp += 1;
      }
      return { selection: out, selectionCounts: { total: line + whatsapp, line, whatsapp } };
    });
    set(next);
  },

  clearSelection: () => {
    if (get().selection.size === 0 && get().anchorId === null) return;
    set({ ...emptySelection(), anchorId: null });
  },

  setAnchor: (id) => set({ anchorId: id }),

  dismissDroppedNotice: () => set({ droppedNotice: 0 }),
});

/** The counts of a selection recounted from scratch (after a reload changed the list under it). */
export function recount(index: EventIndex | null, selection: ReadonlySet<string>): SelectionCounts {
  return countSelection(index, selection);
}

import { idsBetween, positionOf } from '../features/events/model';
import type { SelectionSlice, SliceCreator } from './types';

/**
 * The batch selection: a Set of event ids, replaced (never mutated) on every change, so React sees each change by
 * identity and only the rows whose checkbox flips re-render.
 */
export const createSelectionSlice: SliceCreator<SelectionSlice> = (set, get) => ({
  selection: new Set<string>(),
  anchorId: null,
  droppedNotice: 0,

  toggleSelected: (id) => {
    const next = new Set(get().selection);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    set({ selection: next, anchorId: id });
  },

  selectRangeTo: (id) => {
    const { eventIndex: index, filteredRows: rows, anchorId, selection } = get();
    if (!index) return;
    const to = positionOf(index, rows, id);
    if (to < 0) return;
    let from = positionOf(index, rows, anchorId);
    if (from < 0) from = to;
    const next = new Set(selection);
    for (const rangeId of idsBetween(index, rows, from, to)) next.add(rangeId);
    set({ selection: next, anchorId: from === to ? id : anchorId });
  },

  selectAllFiltered: () => {
    const { eventIndex: index, filteredRows: rows, selection } = get();
    if (!index || rows.length === 0) return;
    const ids = index.list.rows.ids;
    const next = new Set(selection);
    for (let position = 0; position < rows.length; position += 1) next.add(ids[rows[position] as number] as string);
    set({ selection: next });
  },

  clearSelection: () => {
    if (get().selection.size === 0 && get().anchorId === null) return;
    set({ selection: new Set(), anchorId: null });
  },

  setAnchor: (id) => set({ anchorId: id }),

  dismissDroppedNotice: () => set({ droppedNotice: 0 }),
});

import { api } from '../bridge';
import { MalformedListError, NO_FILTERS, buildIndex, filterRows, hasEvent, warmIndex, type EventIndex } from '../features/events/model';
import { mark, measure, measureSince, now } from '../perf/marks';
import { emptySelection, recount } from './selectionSlice';
import type { EventsSlice, SliceCreator } from './types';

const NO_ROWS = new Int32Array(0);
const IDLE_SUMMARY = { state: 'idle', summary: null, error: null } as const;

/** Only the newest events.list answer is applied (events.changed can arrive while one is in flight). */
let listRequest = 0;
let summaryRequest = 0;

/** Started before the first render (see prefetchEvents): the answer loadEvents takes instead of asking again. */
let prefetched: ReturnType<typeof api.listEvents> | null = null;

/**
 * Asks main for the list at once, in parallel with app.info, settings and the session, so it is on its way while the
 * shell renders. The session decides whether the list is shown (loadEvents is still what applies it); a signed-out
 * answer is simply dropped.
 */
export function prefetchEvents(): void {
  if (prefetched) return;
  mark('omo:events-list-prefetch');
  prefetched = api.listEvents();
}

/** The start-up is over: a prefetched answer nobody took (signed out, say) is not kept for a later loadEvents. */
export function dropPrefetchedEvents(): void {
  prefetched = null;
}

/** Normalises the names for search and maps ids to rows once the first rows have painted, off the critical path. */
function warm(index: EventIndex): void {
  const run = () => measure('omo:events-warm', () => warmIndex(index));
  if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(run, { timeout: 1500 });
  else window.setTimeout(run, 200);
}

export const createEventsSlice: SliceCreator<EventsSlice> = (set, get) => ({
  eventList: null,
  eventIndex: null,
  eventsLoad: 'idle',
  eventsError: null,
  filters: NO_FILTERS,
  filteredRows: NO_ROWS,
  batchMode: false,
  eventsView: 'grid',
  sendSummary: IDLE_SUMMARY,

  loadEvents: async () => {
    const request = ++listRequest;
    if (get().eventList === null) set({ eventsLoad: 'loading' });
    const requested = now();
    const pending = prefetched;
    prefetched = null;
    mark('omo:events-list-requested');
    const result = await (pending ?? api.listEvents());
    measureSince('omo:events-list-call', requested);
    if (request !== listRequest) return;
    if (!result.ok) {
      set({ eventsLoad: get().eventList ? 'ready' : 'failed', eventsError: result.error.code });
      return;
    }
    const list = result.value;
    const current = get().eventIndex;
    if (current && current.version === list.version && current.table.count === list.rows.ids.length) {
      set({ eventsLoad: 'ready', eventsError: null });
      return;
    }
    let index: EventIndex;
    try {
      index = measure('omo:events-index', () => buildIndex(list));
    } catch (error) {
      if (!(error instanceof MalformedListError)) throw error;
      set({ eventsLoad: get().eventList ? 'ready' : 'failed', eventsError: 'internal' });
      return;
    }
    // Rows that left 處理中 (or the cache) leave the selection, and the user is told how many.
    const { selection, anchorId, droppedNotice, eventsView } = get();
    let dropped = 0;
    let kept = selection;
    if (selection.size > 0) {
      const next = new Set<string>();
      for (const id of selection) {
        if (hasEvent(index, id)) next.add(id);
        else dropped += 1;
      }
      if (dropped > 0) kept = next;
    }
    set({
      eventList: list,
      eventIndex: index,
      eventsLoad: 'ready',
      eventsError: null,
      filteredRows: measure('omo:events-filter', () => filterRows(index, get().filters)),
      ...(selection.size > 0 ? { selectionCounts: recount(index, kept) } : {}),
      ...(dropped > 0
        ? {
            selection: kept,
            droppedNotice: droppedNotice + dropped,
            anchorId: anchorId !== null && hasEvent(index, anchorId) ? anchorId : null,
          }
        : {}),
    });
    warm(index);
    if (eventsView === 'composer' && dropped > 0) {
      // The composer is for the selection: it saves the smaller one, and its header counts again.
      get().updateComposerSelection([...kept]);
      void get().summarizeSelection();
    }
    // Who is still in progress decides the recipients: main checks the open draft again.
    if (get().composer?.id) void get().refreshCheck();
  },

  setFilters: (patch) => {
    const filters = { ...get().filters, ...patch };
    const index = get().eventIndex;
    set({ filters, filteredRows: index ? measure('omo:events-filter', () => filterRows(index, filters)) : NO_ROWS });
  },

  clearFilters: () => get().setFilters({ ...NO_FILTERS, sort: get().filters.sort }),

  setBatchMode: (on) => {
    if (on) {
      if (!get().session?.canBroadcast) return;
      set({ batchMode: true });
      return;
    }
    // Leaving batch mode lets the selection go with its checkboxes, so nothing stays selected out of sight; the next
    // 發送訊息 starts a new draft (the last one stays in 草稿).
    set({
      batchMode: false,
      eventsView: 'grid',
      ...emptySelection(),
      anchorId: null,
      sendSummary: IDLE_SUMMARY,
      eventsDraftId: null,
    });
  },

  openComposer: async () => {
    const ids = [...get().selection];
    if (ids.length === 0 || !get().session?.canBroadcast) return;
    set({ eventsView: 'composer' });
    await Promise.all([get().openSelectionComposer(ids), get().summarizeSelection()]);
  },

  summarizeSelection: async () => {
    const ids = [...get().selection];
    if (ids.length === 0) return;
    const request = ++summaryRequest;
    set({ sendSummary: { state: 'loading', summary: get().sendSummary.summary, error: null } });
    const result = await api.summarizeSelection(ids);
    if (request !== summaryRequest) return;
    if (result.ok) set({ sendSummary: { state: 'ready', summary: result.value, error: null } });
    else set({ sendSummary: { state: 'failed', summary: null, error: result.error.code } });
  },

  backToGrid: async () => {
    const toGrid = { eventsView: 'grid', sendSummary: IDLE_SUMMARY } as const;
    if (get().composer?.origin === 'events') {
      if (!(await get().closeComposer(toGrid))) return;
    } else {
      set(toGrid);
    }
    summaryRequest++;
  },

  resetEvents: () => {
    // An events composer goes with the events; what it holds is saved first (it stays in 草稿).
    if (get().composer?.origin === 'events') void get().closeComposer();
    listRequest++;
    summaryRequest++;
    prefetched = null;
    set({
      eventList: null,
      eventIndex: null,
      eventsLoad: 'idle',
      eventsError: null,
      filteredRows: NO_ROWS,
      filters: NO_FILTERS,
      batchMode: false,
      eventsView: 'grid',
      sendSummary: IDLE_SUMMARY,
      eventsDraftId: null,
      ...emptySelection(),
      anchorId: null,
      droppedNotice: 0,
      syncStatus: null,
      syncRequestError: null,
    });
  },
});

/** For tests: forget in-flight requests between cases. */
export function resetEventsModule(): void {
  listRequest = 0;
  summaryRequest = 0;
  prefetched = null;
}

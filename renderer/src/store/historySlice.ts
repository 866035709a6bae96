import type { BroadcastProgress, HistoryItem, HistoryQuery, RecipientsQuery } from '../../../preload/contract';
import { api } from '../bridge';
import { doneCount, isFinalState } from '../features/broadcast/model';
import { dayEnd, dayStart } from '../i18n/dates';
import type { HistoryDetailState, HistoryFilters, HistoryListState, HistorySlice, RecipientFilters, RecipientsState, SliceCreator } from './types';

/** Broadcasts per page of 發送紀錄. */
export const HISTORY_PAGE = 50;
/** Recipients per page of a broadcast's table. */
export const RECIPIENTS_PAGE = 100;
/** history.list's largest page: a refresh asks again for what is shown (up to this many) in one call. */
const MAX_PAGE = 200;

export const NO_HISTORY_FILTERS: HistoryFilters = { from: '', to: '', channel: 'all', state: 'all', search: '' };
export const NO_RECIPIENT_FILTERS: RecipientFilters = { state: 'all', channel: 'all', search: '' };

const INITIAL_LIST: HistoryListState = {
  filters: NO_HISTORY_FILTERS,
  items: [],
  nextCursor: null,
  state: 'idle',
  loadingMore: false,
  error: null,
};

/** The latest request of each kind: an answer for filters, a broadcast or a page the user has left is dropped. */
let listRequest = 0;
let detailRequest = 0;
let recipientsRequest = 0;

/** history.list's query for the filters: dates are the user's calendar days, `to` including its whole day. */
export function historyQuery(filters: HistoryFilters, limit: number, cursor?: string): HistoryQuery {
  const query: HistoryQuery = { limit };
  const from = dayStart(filters.from);
  const to = dayEnd(filters.to);
  if (from !== null) query.from = from;
  if (to !== null) query.to = to;
  if (filters.channel !== 'all') query.channel = filters.channel;
  if (filters.state !== 'all') query.state = filters.state;
  const search = filters.search.trim().slice(0, 200);
  if (search !== '') query.search = search;
  if (cursor !== undefined) query.cursor = cursor;
  return query;
}

export function recipientsQuery(id: string, filters: RecipientFilters, offset: number): RecipientsQuery {
  const query: RecipientsQuery = { id, offset, limit: RECIPIENTS_PAGE };
  if (filters.state !== 'all') query.state = filters.state;
  if (filters.channel !== 'all') query.channel = filters.channel;
  const search = filters.search.trim().slice(0, 200);
  if (search !== '') query.search = search;
  return query;
}

/** A list item brought up to date by a progress, unless the progress is older than what the item says. */
function withProgress(item: HistoryItem, progress: BroadcastProgress): HistoryItem {
  if (isFinalState(item.state) || doneCount(progress.counts) < doneCount(item.counts)) return item;
  const { state, note, total, counts, startedAt, finishedAt } = progress;
  return { ...item, state, note, total, counts, startedAt, finishedAt };
}

function emptyRecipients(): RecipientsState {
  return { filters: NO_RECIPIENT_FILTERS, offset: 0, page: null, state: 'idle', error: null };
}

/** 發送紀錄: the list (filters, pages), one broadcast's detail and recipients, the export; all offline. */
export const createHistorySlice: SliceCreator<HistorySlice> = (set, get) => {
  const patchList = (patch: Partial<HistoryListState>): void => set({ history: { ...get().history, ...patch } });

  /** Patches the open detail if it is still `id`'s. */
  const patchDetail = (id: string, patch: Partial<HistoryDetailState>): boolean => {
    const detail = get().historyDetail;
    if (!detail || detail.id !== id) return false;
    set({ historyDetail: { ...detail, ...patch } });
    return true;
  };

  const patchRecipients = (id: string, patch: Partial<RecipientsState>): void => {
    const detail = get().historyDetail;
    if (detail && detail.id === id) patchDetail(id, { recipients: { ...detail.recipients, ...patch } });
  };

  return {
    history: INITIAL_LIST,
    historyDetail: null,

    loadHistory: async () => {
      const request = ++listRequest;
      const { filters } = get().history;
      // What is shown stays until the answer: a filter change does not blank the list.
      patchList({ state: 'loading', loadingMore: false, error: null });
      const result = await api.listHistory(historyQuery(filters, HISTORY_PAGE));
      if (request !== listRequest) return;
      if (result.ok) patchList({ items: result.value.items, nextCursor: result.value.nextCursor, state: 'ready' });
      else patchList({ items: [], nextCursor: null, state: 'failed', error: result.error.code });
    },

    setHistoryFilters: (patch) => {
      patchList({ filters: { ...get().history.filters, ...patch } });
      void get().loadHistory();
    },

    clearHistoryFilters: () => {
      patchList({ filters: NO_HISTORY_FILTERS });
      void get().loadHistory();
    },

    loadMoreHistory: async () => {
      const { nextCursor, loadingMore, state, filters } = get().history;
      if (nextCursor === null || loadingMore || state === 'loading') return;
      const request = listRequest;
      patchList({ loadingMore: true, error: null });
      const result = await api.listHistory(historyQuery(filters, HISTORY_PAGE, nextCursor));
      if (request !== listRequest) return;
      if (!result.ok) {
        patchList({ loadingMore: false, error: result.error.code });
        return;
      }
      const known = new Set(get().history.items.map((item) => item.id));
      const added = result.value.items.filter((item) => !known.has(item.id));
      patchList({ items: [...get().history.items, ...added], nextCursor: result.value.nextCursor, loadingMore: false });
    },

    refreshHistory: async () => {
      const { state, items, filters } = get().history;
      // Never opened: the section loads its first page when it is.
      if (state === 'idle') return;
      const request = ++listRequest;
      const limit = Math.min(MAX_PAGE, Math.max(HISTORY_PAGE, items.length));
      const result = await api.listHistory(historyQuery(filters, limit));
      if (request !== listRequest) return;
      // A refresh in the background that fails leaves what is shown as it was.
      if (result.ok) patchList({ items: result.value.items, nextCursor: result.value.nextCursor, state: 'ready', loadingMore: false, error: null });
      else patchList({ loadingMore: false });
    },

    openHistoryDetail: async (id) => {
      set({
        historyDetail: {
          id,
          state: 'idle',
          detail: null,
          error: null,
          recipients: emptyRecipients(),
          exporting: false,
          exportError: null,
          exported: null,
          sentRetries: [],
        },
      });
      await Promise.all([get().reloadHistoryDetail(), get().loadRecipients(0)]);
    },

    closeHistoryDetail: () => {
      detailRequest++;
      recipientsRequest++;
      set({ historyDetail: null });
    },

    reloadHistoryDetail: async () => {
      const open = get().historyDetail;
      if (!open) return;
      const { id } = open;
      const request = ++detailRequest;
      patchDetail(id, { state: 'loading', error: null });
      const result = await api.getHistory(id);
      if (request !== detailRequest) return;
      if (result.ok) patchDetail(id, { state: 'ready', detail: result.value, error: null });
      else patchDetail(id, { state: 'failed', error: result.error.code });
    },

    setRecipientFilters: (patch) => {
      const open = get().historyDetail;
      if (!open) return;
      patchRecipients(open.id, { filters: { ...open.recipients.filters, ...patch } });
      void get().loadRecipients(0);
    },

    loadRecipients: async (offset) => {
      const open = get().historyDetail;
      if (!open) return;
      const { id } = open;
      const request = ++recipientsRequest;
      patchRecipients(id, { offset, state: 'loading', error: null });
      const result = await api.historyRecipients(recipientsQuery(id, open.recipients.filters, offset));
      if (request !== recipientsRequest) return;
      if (result.ok) patchRecipients(id, { page: result.value, state: 'ready' });
      else patchRecipients(id, { state: 'failed', error: result.error.code });
    },

    exportHistory: async () => {
      const open = get().historyDetail;
      if (!open || open.exporting) return null;
      const { id } = open;
      patchDetail(id, { exporting: true, exportError: null, exported: null });
      const result = await api.exportHistory(id);
      if (!result.ok) {
        patchDetail(id, { exporting: false, exportError: result.error.code });
        return null;
      }
      patchDetail(id, { exporting: false, exported: { fileName: result.value.fileName, rows: result.value.rows } });
      return result.value;
    },

    applyHistoryProgress: (progress) => {
      const final = isFinalState(progress.state);
      const { items } = get().history;
      const at = items.findIndex((item) => item.id === progress.id);
      const current = items[at];
      if (current) {
        const updated = withProgress(current, progress);
        if (updated !== current) patchList({ items: items.map((item, index) => (index === at ? updated : item)) });
      }
      // An end changes what the filters match (部分失敗, 已完成…) and may be a broadcast not listed yet.
      if (final) void get().refreshHistory();

      const open = get().historyDetail;
      if (!open) return;
      const related = open.id === progress.id || open.sentRetries.includes(progress.id) || open.detail?.retries.some((retry) => retry.id === progress.id);
      if (!related) return;
      const { detail } = open;
      if (detail && detail.item.id === progress.id) {
        const item = withProgress(detail.item, progress);
        if (item !== detail.item) {
          patchDetail(open.id, { detail: { ...detail, item, byChannel: { line: progress.line, whatsapp: progress.whatsapp } } });
        }
      }
      // Once it ends, main knows what can be retried, its problems and its retries: ask again.
      if (final) {
        void get().reloadHistoryDetail();
        if (open.id === progress.id) void get().loadRecipients(get().historyDetail?.recipients.offset ?? 0);
      }
    },

    noteRetrySent: (originId, broadcastId) => {
      const open = get().historyDetail;
      if (open && open.id === originId && !open.sentRetries.includes(broadcastId)) {
        patchDetail(originId, { sentRetries: [...open.sentRetries, broadcastId] });
        void get().reloadHistoryDetail();
      }
      void get().refreshHistory();
    },
  };
};

/** For tests: forget requests in flight between cases. */
export function resetHistoryModule(): void {
  listRequest = 0;
  detailRequest = 0;
  recipientsRequest = 0;
}

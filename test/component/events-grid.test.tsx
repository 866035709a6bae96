import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { PlainEventList } from '../../preload/contract';
import { resetGridPaintMark } from '../../renderer/src/features/events/EventGrid';
import { FakeBridge, type FakeBridgeOptions } from './fake-bridge';
import { eventId } from './fake-events';
import { CJK, renderApp, uiText } from './harness';

const NOW = Date.UTC(2025, 0, 15, 9, 30);

async function signedIn(options: FakeBridgeOptions = {}) {
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
  const result = await renderApp(new FakeBridge({ signedInAs: 'sales@demo', ...options }));
  await screen.findAllByTestId('event-row');
  return result;
}

function grid() {
  return screen.getByTestId('events-grid');
}

function row(id: string): HTMLElement {
  const element = grid().querySelector<HTMLElement>(`[data-event-id="${id}"]`);
  if (!element) throw new Error(`row ${id} is not rendered`);
  return element;
}

function selectedIds(): string[] {
  return screen
    .getAllByTestId('event-row')
    .filter((element) => element.getAttribute('aria-selected') === 'true')
    .map((element) => element.getAttribute('data-event-id') ?? '');
}

function counts() {
  const bar = screen.getByTestId('selection-count');
  return {
    total: Number(bar.getAttribute('data-total')),
    line: Number(bar.getAttribute('data-line')),
    whatsapp: Number(bar.getAttribute('data-whatsapp')),
    text: bar.textContent,
  };
}

function enterBatchMode() {
  act(() => screen.getByTestId('batch-manage').click());
  expect(screen.getByTestId('select-all')).toBeTruthy();
}

function visibleNames(): string[] {
  return screen.getAllByTestId('event-row').map((element) => element.querySelector('.grid-row__name')?.textContent ?? '');
}

function search(text: string) {
  fireEvent.change(screen.getByTestId('search-input'), { target: { value: text } });
}

describe('對話 › 處理中事件: the grid', () => {
  it('lists the events with avatar, name, channel, relative time, tags and store (no assignee for a sales person)', async () => {
    await signedIn();
    const first = row(eventId(0));
    expect(first.getAttribute('data-channel')).toBe('line');
    expect(first.textContent).toContain('Amy Chen');
    expect(first.textContent).toContain('LINE');
    expect(first.textContent).toContain('1 分鐘前');
    expect(first.textContent).toContain('台北信義店');
    const img = first.querySelector('img');
    expect(img?.getAttribute('src')).toBe('omo-media://avatar/evt-0');
    expect(img?.getAttribute('loading')).toBe('lazy');
    // A broken avatar falls back to the initial.
    fireEvent.error(img as HTMLImageElement);
    expect(row(eventId(0)).querySelector('img')).toBeNull();
    expect(row(eventId(0)).querySelector('.avatar__initial')?.textContent).toBe('A');
    // Row 1 has no avatar at all: the initial straight away; it has tags.
    expect(row(eventId(1)).querySelector('.avatar__initial')?.textContent).toBe('王');
    expect(within(row(eventId(1))).getAllByText(/新客|回購/).length).toBeGreaterThan(0);
    expect(row(eventId(2)).getAttribute('data-channel')).toBe('whatsapp');
    expect(row(eventId(2)).textContent).toContain('WhatsApp');
    expect(grid().textContent).not.toContain('負責人');
    expect(screen.getByTestId('sync-status').textContent).toBe('上次同步：3 分鐘前');
  });

  it('shows the assignee to a sales manager', async () => {
    await signedIn({ signedInAs: 'manager@demo' });
    expect(grid().textContent).toContain('負責人');
    expect(row(eventId(0)).textContent).toContain('林志豪');
  });

  it.each([
    ['agent@demo', 'role', '只有銷售經理與銷售人員可以群發訊息'],
    ['admin@demo', 'role', '只有銷售經理與銷售人員可以群發訊息'],
    ['standard@demo', 'plan', '群發訊息僅限 OMO 方案使用'],
  ])('shows %s the list read-only, with the reason (%s) instead of batch mode', async (account, reason, words) => {
    await signedIn({ signedInAs: account });
    const blocked = screen.getByTestId('broadcast-blocked');
    expect(blocked.getAttribute('data-reason')).toBe(reason);
    expect(blocked.textContent).toContain(words);
    expect(screen.queryByTestId('batch-manage')).toBeNull();
    expect(screen.queryByTestId('select-all')).toBeNull();
    fireEvent.click(row(eventId(0)));
    fireEvent.keyDown(grid(), { key: 'a', ctrlKey: true });
    fireEvent.keyDown(grid(), { key: ' ' });
    expect(selectedIds()).toEqual([]);
    expect(grid().getAttribute('aria-multiselectable')).toBeNull();
  });

  it('快速全選 selects every row of the current filter, adding to the selection', async () => {
    const { bridge } = await signedIn({ events: 30 });
    enterBatchMode();
    expect(counts()).toMatchObject({ total: 0, line: 0, whatsapp: 0 });

    fireEvent.change(screen.getByTestId('filter-channel'), { target: { value: 'line' } });
    act(() => screen.getByTestId('select-all').click());
    expect(counts()).toMatchObject({ total: 20, line: 20, whatsapp: 0 });
    expect(counts().text).toBe('已選取 20 位顧客（LINE 20、WhatsApp 0）');

    fireEvent.change(screen.getByTestId('filter-channel'), { target: { value: 'whatsapp' } });
    expect(selectedIds()).toEqual([]);
    act(() => screen.getByTestId('select-all').click());
    expect(counts()).toMatchObject({ total: 30, line: 20, whatsapp: 10 });

    // 批量動作 → 發送訊息: the composer for the selection, its recipients from broadcast.summarize until a draft exists.
    act(() => screen.getByTestId('batch-actions').click());
    act(() => screen.getByTestId('batch-send').click());
    await screen.findByTestId('composer');
    const summary = await screen.findByTestId('selection-summary');
    await waitFor(() => expect(summary.getAttribute('data-total')).toBe('30'));
    expect(summary.getAttribute('data-line')).toBe('20');
    expect(summary.getAttribute('data-whatsapp')).toBe('10');
    expect(summary.textContent).toContain('共 30 位顧客');
    expect(summary.textContent).toContain('群發訊息 (LINE)');
    expect(summary.textContent).toContain('群發範本訊息 (WhatsApp)');
    expect(screen.getByTestId('text-input')).toBeTruthy();
    expect(screen.getByTestId('image-drop')).toBeTruthy();
    expect((bridge.callsOf('broadcast.summarize')[0] as { eventIds: string[] }).eventIds).toHaveLength(30);
    // The draft is created by the first content, not by opening the composer.
    expect(bridge.callsOf('drafts.save')).toEqual([]);

    act(() => screen.getByTestId('composer-back').click());
    await screen.findByTestId('batch-bar');
    expect(counts().total).toBe(30);
  });

  it('click toggles, shift-click selects the range from the anchor, ctrl/cmd-click toggles one', async () => {
    await signedIn();
    enterBatchMode();
    fireEvent.click(row(eventId(1)));
    fireEvent.click(row(eventId(4)), { shiftKey: true });
    expect(selectedIds()).toEqual(['evt-1', 'evt-2', 'evt-3', 'evt-4']);
    fireEvent.click(row(eventId(2)), { ctrlKey: true });
    expect(selectedIds()).toEqual(['evt-1', 'evt-3', 'evt-4']);
    fireEvent.click(row(eventId(6)), { metaKey: true });
    expect(selectedIds()).toEqual(['evt-1', 'evt-3', 'evt-4', 'evt-6']);
    fireEvent.click(row(eventId(6)));
    expect(selectedIds()).toEqual(['evt-1', 'evt-3', 'evt-4']);
    expect(counts().text).toBe('已選取 3 位顧客（LINE 3、WhatsApp 0）');
    fireEvent.click(row(eventId(5)), { ctrlKey: true });
    expect(counts().text).toBe('已選取 4 位顧客（LINE 3、WhatsApp 1）');
    expect(row(eventId(1)).getAttribute('aria-selected')).toBe('true');
    expect(row(eventId(0)).getAttribute('aria-selected')).toBe('false');
  });

  it('works from the keyboard: arrows, space, shift+arrows, ctrl+A, Esc', async () => {
    await signedIn({ events: 12 });
    enterBatchMode();
    const element = grid();
    expect(element.tabIndex).toBe(0);
    act(() => element.focus());
    fireEvent.keyDown(element, { key: 'ArrowDown' });
    fireEvent.keyDown(element, { key: ' ' });
    expect(selectedIds()).toEqual(['evt-1']);
    const focused = document.getElementById(element.getAttribute('aria-activedescendant') ?? '');
    expect(focused?.getAttribute('data-event-id')).toBe('evt-1');

    fireEvent.keyDown(element, { key: 'ArrowDown', shiftKey: true });
    fireEvent.keyDown(element, { key: 'ArrowDown', shiftKey: true });
    expect(selectedIds()).toEqual(['evt-1', 'evt-2', 'evt-3']);
    fireEvent.keyDown(element, { key: ' ' });
    expect(selectedIds()).toEqual(['evt-1', 'evt-2']);

    fireEvent.keyDown(element, { key: 'a', ctrlKey: true });
    expect(counts().total).toBe(12);
    fireEvent.keyDown(element, { key: 'Escape' });
    expect(counts().total).toBe(0);
    fireEvent.keyDown(element, { key: 'Escape' });
    expect(screen.queryByTestId('select-all')).toBeNull();
    expect(screen.getByTestId('batch-manage').getAttribute('aria-pressed')).toBe('false');
  });

  it('keeps the selection through filters, and drops rows that left 處理中 with a notice', async () => {
    const { bridge } = await signedIn({ events: 20 });
    enterBatchMode();
    for (const id of [0, 1, 2, 3]) fireEvent.click(row(eventId(id)), { ctrlKey: true });
    fireEvent.change(screen.getByTestId('filter-channel'), { target: { value: 'whatsapp' } });
    expect(counts().total).toBe(4);
    fireEvent.change(screen.getByTestId('filter-channel'), { target: { value: 'all' } });
    expect(selectedIds()).toEqual(['evt-0', 'evt-1', 'evt-2', 'evt-3']);

    // A re-sync: evt-1 and evt-2 are resolved and leave the list.
    const list = bridge.eventList;
    const keep = list.rows.ids.map((_, index) => index).filter((index) => index !== 1 && index !== 2);
    const pick = <T,>(column: T[]) => keep.map((index) => column[index] as T);
    const next: PlainEventList = {
      ...list,
      rows: {
        ids: pick(list.rows.ids),
        names: pick(list.rows.names),
        channels: pick(list.rows.channels),
        accountIndex: pick(list.rows.accountIndex),
        lastMessageAt: pick(list.rows.lastMessageAt),
        storeIndex: pick(list.rows.storeIndex),
        assigneeIndex: pick(list.rows.assigneeIndex),
        tagIndex: pick(list.rows.tagIndex),
        avatar: pick(list.rows.avatar),
      },
    };
    act(() => bridge.replaceEvents(next));
    const notice = await screen.findByTestId('selection-dropped-notice');
    expect(notice.textContent).toContain('2 位顧客已不在處理中，已從選取中移除');
    expect(counts()).toMatchObject({ total: 2 });
    expect(selectedIds()).toEqual(['evt-0', 'evt-3']);
    act(() => within(notice).getByRole('button').click());
    expect(screen.queryByTestId('selection-dropped-notice')).toBeNull();
  });

  it('searches names case-insensitively, in English and Chinese (full-width too)', async () => {
    await signedIn({ events: 200 });
    search('amy');
    expect(visibleNames()).toEqual(['Amy Chen', 'AMY 林', 'ａｍｙ 李']);
    search('AMY');
    expect(visibleNames()).toEqual(['Amy Chen', 'AMY 林', 'ａｍｙ 李']);
    search('王');
    expect(visibleNames()).toEqual(['王小明', '王美麗']);
    search('王美');
    expect(visibleNames()).toEqual(['王美麗']);
    search('nobody-has-this-name');
    expect(screen.getByTestId('events-no-match').textContent).toContain('沒有符合條件的事件');
    act(() => screen.getByTestId('clear-filters').click());
    expect((screen.getByTestId('search-input') as HTMLInputElement).value).toBe('');
    expect(screen.getByTestId('events-grid').getAttribute('data-rows')).toBe('200');
  });

  it('filters by tag and store, and sorts oldest first', async () => {
    await signedIn({ events: 60 });
    fireEvent.click(screen.getByTestId('filter-tag'));
    const vip = screen.getAllByTestId('filter-tag-option').find((option) => option.getAttribute('data-tag') === 'VIP');
    fireEvent.click(vip as HTMLElement);
    const rows = Number(grid().getAttribute('data-rows'));
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(60);
    expect(screen.getAllByTestId('event-row').every((element) => element.textContent?.includes('VIP'))).toBe(true);

    fireEvent.change(screen.getByTestId('filter-store'), { target: { value: 'store-xinyi' } });
    expect(screen.getAllByTestId('event-row').map((element) => element.getAttribute('data-event-id'))).toEqual([
      'evt-6',
      'evt-18',
      'evt-30',
      'evt-42',
    ]);
    expect(screen.getAllByTestId('event-row').every((element) => element.textContent?.includes('台北信義店'))).toBe(true);

    act(() => screen.getByText('清除標籤').click());
    fireEvent.change(screen.getByTestId('filter-store'), { target: { value: '' } });
    fireEvent.change(screen.getByTestId('sort-order'), { target: { value: 'oldest' } });
    expect(screen.getAllByTestId('event-row')[0]?.getAttribute('data-event-id')).toBe('evt-59');
  });

  it('renders only a window of rows for 10,000 events', async () => {
    await signedIn({ events: 10_000 });
    const rendered = screen.getAllByTestId('event-row');
    expect(grid().getAttribute('data-rows')).toBe('10000');
    expect(rendered.length).toBeGreaterThanOrEqual(10);
    expect(rendered.length).toBeLessThanOrEqual(30);

    enterBatchMode();
    act(() => screen.getByTestId('select-all').click());
    expect(counts().total).toBe(10_000);
    expect(counts().text).toBe('已選取 10,000 位顧客（LINE 6,667、WhatsApp 3,333）');

    const element = grid();
    element.scrollTop = 56 * 5000;
    fireEvent.scroll(element);
    await waitFor(() => expect(screen.getAllByTestId('event-row').some((r) => r.getAttribute('data-event-id') === 'evt-5000')).toBe(true));
    // The viewport's ten rows and ten of overscan on each side.
    expect(screen.getAllByTestId('event-row').length).toBeLessThanOrEqual(32);
  });

  it('shows the sync: refresh, the spinner with the fetched count, offline, backoff and skipped items', async () => {
    const { bridge } = await signedIn();
    act(() => screen.getByTestId('sync-refresh').click());
    await waitFor(() => expect(bridge.callsOf('events.sync')).toEqual([{}]));
    act(() => bridge.setSyncStatus({ state: 'syncing', fetched: 120 }));
    const status = screen.getByTestId('sync-status');
    expect(status.textContent).toBe('正在同步…已取得 120 筆');
    expect(status.querySelector('.mini-spinner')).toBeTruthy();
    expect((screen.getByTestId('sync-refresh') as HTMLButtonElement).disabled).toBe(true);

    act(() => bridge.setSyncStatus({ state: 'idle', fetched: 0, skipped: 2, lastSyncedAt: NOW - 60_000 }));
    expect(screen.getByTestId('sync-status').textContent).toContain('上次同步：1 分鐘前');
    expect(screen.getByTestId('sync-status').textContent).toContain('已略過 2 筆格式錯誤的資料');
    expect(screen.queryByTestId('offline-badge')).toBeNull();

    act(() => bridge.setSyncStatus({ state: 'offline', skipped: 0 }));
    expect(screen.getByTestId('offline-badge').textContent).toBe('離線');
    expect(screen.getAllByTestId('event-row').length).toBeGreaterThan(0);
    act(() => bridge.setSyncStatus({ state: 'idle' }));
    expect(screen.queryByTestId('offline-badge')).toBeNull();
    act(() => bridge.emit('app.status', { mode: 'demo', online: false }));
    expect(screen.getByTestId('offline-badge')).toBeTruthy();

    act(() => bridge.setSyncStatus({ state: 'backoff', error: 'unreachable', nextAttemptAt: NOW + 30_000 }));
    expect(screen.getByTestId('sync-status').textContent).toContain('同步失敗，30 秒後自動重試');
    act(() => bridge.setSyncStatus({ state: 'error', error: 'server_error', nextAttemptAt: null }));
    expect(screen.getByTestId('sync-status').textContent).toContain('同步失敗：伺服器暫時無法回應');
  });

  it('says when there are no in-progress events', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    await renderApp(new FakeBridge({ signedInAs: 'sales@demo', events: 0 }));
    expect((await screen.findByTestId('events-empty')).textContent).toContain('目前沒有處理中事件');
    expect((screen.getByTestId('batch-manage') as HTMLButtonElement).disabled).toBe(true);
  });

  it('marks the first painted grid and each painted selection for the benchmark', async () => {
    const marks: string[] = [];
    const spy = vi.spyOn(performance, 'mark').mockImplementation((name: string) => {
      marks.push(name);
      return undefined as unknown as PerformanceMark;
    });
    resetGridPaintMark();
    await signedIn();
    await waitFor(() => expect(marks).toContain('omo:grid-painted'));
    enterBatchMode();
    act(() => screen.getByTestId('select-all').click());
    await waitFor(() => expect(marks).toContain('omo:selection-painted'));
    spy.mockRestore();
  });

  it('has no Chinese in the English grid, batch bar and composer (the data aside)', async () => {
    await signedIn({ settings: { language: 'en' } });
    enterBatchMode();
    fireEvent.click(row(eventId(0)));
    fireEvent.click(row(eventId(2)), { shiftKey: true });
    expect(counts().text).toBe('3 customers selected (LINE 2, WhatsApp 1)');
    expect(row(eventId(0)).textContent).toContain('1 minute ago');
    let text = uiText(document.body);
    expect(text.match(CJK), text).toBeNull();
    act(() => screen.getByTestId('batch-actions').click());
    act(() => screen.getByTestId('batch-send').click());
    await screen.findByTestId('composer');
    await screen.findByTestId('wa-number');
    text = uiText(document.body);
    expect(text.match(CJK), text).toBeNull();
  });
});

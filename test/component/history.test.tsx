import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HistoryQuery, RecipientsQuery } from '../../preload/contract';
import { FakeBridge, type FakeBridgeOptions } from './fake-bridge';
import { makeProgress } from './fake-broadcast';
import { historyId, IMAGE_SHA, makeBroadcast, makeHistory, OFFICIAL_URL, OTHER_URL } from './fake-history';
import { CJK, renderApp, uiText } from './harness';

async function openHistory(options: FakeBridgeOptions = {}) {
  const result = await renderApp(new FakeBridge(options));
  act(() => screen.getByTestId('nav-history').click());
  return result;
}

function items(): HTMLElement[] {
  return screen.queryAllByTestId('history-item');
}

function lastCall<T>(bridge: FakeBridge, method: 'history.list' | 'history.recipients'): T {
  const calls = bridge.callsOf(method);
  return calls[calls.length - 1] as T;
}

/** Opens broadcast `id` from the list and waits for its detail and its first page of recipients. */
async function openDetail(id: string): Promise<HTMLElement> {
  await waitFor(() => expect(items().length).toBeGreaterThan(0));
  const item = items().find((element) => element.dataset.broadcastId === id);
  if (!item) throw new Error(`no item ${id}`);
  act(() => item.click());
  const detail = await screen.findByTestId('history-detail');
  await within(detail).findByTestId('history-content');
  await waitFor(() => expect(screen.queryAllByTestId('recipient-row').length).toBeGreaterThan(0));
  return detail;
}

const localDay = (year: number, month: number, day: number) => new Date(year, month - 1, day).getTime();

describe('發送紀錄: the list', () => {
  it('shows each broadcast newest first: time, sender, channels, thumbnail, first line, counts and state', async () => {
    const { bridge } = await openHistory({ history: makeHistory(3) });
    await waitFor(() => expect(items()).toHaveLength(3));
    expect(bridge.callsOf('history.list')).toEqual([{ limit: 50 }]);
    expect(items().map((item) => item.dataset.broadcastId)).toEqual([historyId(1), historyId(2), historyId(3)]);

    const first = items()[0] as HTMLElement;
    expect(first.dataset.state).toBe('completed_with_failures');
    expect([first.dataset.accepted, first.dataset.failed, first.dataset.skipped, first.dataset.unknown]).toEqual(['4', '2', '1', '1']);
    expect(first.textContent).toContain('週末快閃 第 1 波');
    expect(first.textContent).toContain('林志豪');
    expect(within(first).getByTestId('history-item-state').textContent).toBe('部分失敗');
    expect([...first.querySelectorAll('[data-channel]')].map((badge) => badge.getAttribute('data-channel'))).toEqual(['line', 'whatsapp']);
    expect(within(first).getByTestId('history-thumb').getAttribute('src')).toBe(`omo-media://image/${IMAGE_SHA}/thumb`);
    expect(first.querySelector('time')?.getAttribute('datetime')).toBe(new Date(makeBroadcast(1).item.createdAt).toISOString());
    expect(screen.getByTestId('history-all-shown').textContent).toBe('已顯示全部 3 則群發');
  });

  it('says there is nothing yet when nothing was sent', async () => {
    await openHistory();
    const empty = await screen.findByTestId('history-empty');
    expect(empty.textContent).toContain('尚無發送紀錄');
    expect(items()).toHaveLength(0);
  });

  it('asks history.list with the filters: dates as the user’s days (to includes its whole day), channel, state, search', async () => {
    const { bridge } = await openHistory({ history: makeHistory(3) });
    await waitFor(() => expect(items()).toHaveLength(3));

    fireEvent.change(screen.getByTestId('history-from'), { target: { value: '2025-01-10' } });
    await waitFor(() => expect(lastCall<HistoryQuery>(bridge, 'history.list')).toEqual({ limit: 50, from: localDay(2025, 1, 10) }));

    fireEvent.change(screen.getByTestId('history-to'), { target: { value: '2025-01-14' } });
    fireEvent.change(screen.getByTestId('history-channel'), { target: { value: 'whatsapp' } });
    fireEvent.change(screen.getByTestId('history-state'), { target: { value: 'failures' } });
    await waitFor(() =>
      expect(lastCall<HistoryQuery>(bridge, 'history.list')).toEqual({
        limit: 50,
        from: localDay(2025, 1, 10),
        to: localDay(2025, 1, 15),
        channel: 'whatsapp',
        state: 'failures',
      }),
    );

    // Typing asks once, when it pauses.
    const before = bridge.callsOf('history.list').length;
    const search = screen.getByTestId('history-search');
    for (const value of ['週', '週末', '週末快閃']) fireEvent.change(search, { target: { value } });
    await waitFor(() => expect(lastCall<HistoryQuery>(bridge, 'history.list').search).toBe('週末快閃'));
    expect(bridge.callsOf('history.list').length).toBe(before + 1);
  });

  it('offers every state of the seed’s words and explains a range that cannot match', async () => {
    await openHistory({ history: makeHistory(2) });
    const options = [...(screen.getByTestId('history-state') as HTMLSelectElement).options].map((option) => option.textContent);
    expect(options).toEqual(['全部', '傳送中', '已完成', '部分失敗', '已取消', '已過期']);
    fireEvent.change(screen.getByTestId('history-from'), { target: { value: '2025-01-20' } });
    fireEvent.change(screen.getByTestId('history-to'), { target: { value: '2025-01-10' } });
    expect(screen.getByTestId('history-dates-backwards')).toBeTruthy();
  });

  it('says when no broadcast matches, and clears the filters', async () => {
    const { bridge } = await openHistory({ history: makeHistory(3) });
    await waitFor(() => expect(items()).toHaveLength(3));
    fireEvent.change(screen.getByTestId('history-state'), { target: { value: 'expired' } });
    const none = await screen.findByTestId('history-no-match');
    act(() => within(none).getByTestId('history-clear-filters').click());
    await waitFor(() => expect(items()).toHaveLength(3));
    expect(lastCall<HistoryQuery>(bridge, 'history.list')).toEqual({ limit: 50 });
    expect((screen.getByTestId('history-state') as HTMLSelectElement).value).toBe('all');
  });

  it('pages with the cursor: 載入更多 until everything is shown', async () => {
    const { bridge } = await openHistory({ history: makeHistory(120) });
    await waitFor(() => expect(items()).toHaveLength(50));
    act(() => screen.getByTestId('history-load-more').click());
    await waitFor(() => expect(items()).toHaveLength(100));
    expect(lastCall<HistoryQuery>(bridge, 'history.list')).toEqual({ limit: 50, cursor: '50' });
    act(() => screen.getByTestId('history-load-more').click());
    await waitFor(() => expect(items()).toHaveLength(120));
    expect(screen.queryByTestId('history-load-more')).toBeNull();
    expect(screen.getByTestId('history-all-shown').textContent).toBe('已顯示全部 120 則群發');
    expect(new Set(items().map((item) => item.dataset.broadcastId)).size).toBe(120);
  });

  it('tags a retry and links it to its origin', async () => {
    const origin = makeBroadcast(2);
    const retry = makeBroadcast(1, { kind: 'retry_failed', originId: origin.item.id });
    await openHistory({ history: [origin, retry] });
    await waitFor(() => expect(items()).toHaveLength(2));
    const tag = within(items()[0] as HTMLElement).getByTestId('history-item-origin');
    expect(tag.textContent).toBe('重試');
    expect(tag.dataset.originId).toBe(origin.item.id);
    act(() => tag.click());
    const detail = await screen.findByTestId('history-detail');
    expect(detail.dataset.broadcastId).toBe(origin.item.id);
  });

  it('refreshes when a broadcast.progress push says one ended', async () => {
    const { bridge } = await openHistory({ history: makeHistory(2) });
    await waitFor(() => expect(items()).toHaveLength(2));
    const calls = bridge.callsOf('history.list').length;

    // Still sending: the list does not ask again.
    bridge.history.add(makeBroadcast(0, { createdAt: makeBroadcast(1).item.createdAt + 60_000 }));
    act(() => bridge.emit('broadcast.progress', makeProgress({ id: historyId(0), state: 'sending' })));
    expect(bridge.callsOf('history.list').length).toBe(calls);

    act(() =>
      bridge.emit(
        'broadcast.progress',
        makeProgress({ id: historyId(0), state: 'completed', counts: { pending: 0, inFlight: 0, accepted: 8, failed: 0, skipped: 0, unknown: 0 } }),
      ),
    );
    await waitFor(() => expect(items()).toHaveLength(3));
    expect(items()[0]?.dataset.broadcastId).toBe(historyId(0));
  });
});

describe('發送紀錄: one broadcast', () => {
  it('shows the content as sent: LINE’s UTM-tagged text with its links labelled, the image, the templates', async () => {
    const { bridge } = await openHistory({ history: makeHistory(2) });
    const detail = await openDetail(historyId(1));
    expect(bridge.callsOf('history.get')).toEqual([{ id: historyId(1) }]);

    const text = within(detail).getByTestId('history-line-text');
    expect(text.textContent).toContain('utm_source=line');
    const links = within(text).getAllByTestId('history-link');
    expect(links.map((link) => [link.dataset.kind, link.textContent])).toEqual([
      ['official', `${OFFICIAL_URL}?utm_source=line&utm_medium=omo_broadcast&utm_campaign=${historyId(1)}&utm_content=u-sales`],
      ['other', OTHER_URL],
    ]);
    expect(text.textContent).toContain('官網連結');
    expect(text.textContent).toContain('非官網連結');
    expect(within(detail).getAllByTestId('history-link-item').map((item) => item.dataset.kind)).toEqual(['official', 'other', 'official']);
    expect(within(detail).getByTestId('history-image').getAttribute('src')).toBe(`omo-media://image/${IMAGE_SHA}/preview`);

    const whatsapp = within(detail).getByTestId('history-content-whatsapp');
    expect(whatsapp.textContent).toContain('store_event');
    expect(within(whatsapp).getByTestId('history-whatsapp-body').textContent).toContain('Hi {{1}}, our store event is on {{2}}');
  });

  it('shows the counts per channel, the platform report’s status, and the problems in plain words', async () => {
    const pending = makeBroadcast(1, { report: { state: 'pending', reportedAt: null, attempts: 2, lastError: 'unreachable' } });
    await openHistory({ history: [pending] });
    const detail = await openDetail(historyId(1));

    const columns = within(detail).getAllByTestId('history-channel-col');
    expect(columns.map((column) => [column.dataset.channel, column.dataset.accepted, column.dataset.failed, column.dataset.skipped, column.dataset.unknown])).toEqual([
      ['line', '3', '1', '1', '0'],
      ['whatsapp', '1', '1', '0', '1'],
    ]);
    const sync = within(detail).getByTestId('history-report-sync');
    expect(sync.dataset.state).toBe('pending');
    expect(sync.textContent).toContain('等待回報（離線時會排隊）');

    const problems = within(detail).getAllByTestId('send-problem');
    expect(problems.map((problem) => problem.dataset.reason).sort()).toEqual(['line_rejected', 'wa_timeout', 'wa_undeliverable']);
    expect(within(detail).getByTestId('history-problems').textContent).toContain('LINE 拒絕了這則訊息');
    expect(within(detail).getByTestId('history-problems').textContent).toContain('The request body has 1 error(s)');
  });

  it('lists the recipients 100 at a time: state, time, request or message id, and the reason in plain words', async () => {
    const big = makeBroadcast(1, { line: { accepted: 150, failed: 30 }, whatsapp: { accepted: 2, unknown: 5 } });
    const { bridge } = await openHistory({ history: [big] });
    await openDetail(historyId(1));

    expect(lastCall<RecipientsQuery>(bridge, 'history.recipients')).toEqual({ id: historyId(1), offset: 0, limit: 100 });
    expect(screen.getAllByTestId('recipient-row')).toHaveLength(100);
    expect(screen.getByTestId('recipients-range').textContent).toBe('第 1–100 位，共 187 位');
    const firstRow = screen.getAllByTestId('recipient-row')[0] as HTMLElement;
    expect(firstRow.dataset.state).toBe('accepted');
    expect(within(firstRow).getByTestId('recipient-state').textContent).toBe('已送出');
    expect(within(firstRow).getByTestId('recipient-id').textContent).toBe('req-1-0');
    expect(firstRow.querySelector('time')?.getAttribute('datetime')).toBe(new Date(big.recipients[0]?.at ?? 0).toISOString());

    act(() => screen.getByTestId('recipients-next').click());
    await waitFor(() => expect(screen.getByTestId('recipients-range').textContent).toBe('第 101–187 位，共 187 位'));
    expect(lastCall<RecipientsQuery>(bridge, 'history.recipients')).toEqual({ id: historyId(1), offset: 100, limit: 100 });
    expect((screen.getByTestId('recipients-next') as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(screen.getByTestId('recipients-state'), { target: { value: 'failed' } });
    await waitFor(() => expect(screen.getAllByTestId('recipient-row')).toHaveLength(30));
    expect(lastCall<RecipientsQuery>(bridge, 'history.recipients')).toEqual({ id: historyId(1), offset: 0, limit: 100, state: 'failed' });
    const failed = screen.getAllByTestId('recipient-row')[0] as HTMLElement;
    expect(within(failed).getByTestId('recipient-reason').textContent).toBe('LINE 拒絕了這則訊息');
    expect(within(failed).getByTestId('recipient-detail').textContent).toBe('The request body has 1 error(s)');

    fireEvent.change(screen.getByTestId('recipients-state'), { target: { value: 'unknown' } });
    await waitFor(() => expect(screen.getAllByTestId('recipient-row')).toHaveLength(5));
    const unknown = screen.getAllByTestId('recipient-row')[0] as HTMLElement;
    expect(within(unknown).getByTestId('recipient-reason').textContent).toBe('等候 WhatsApp 回應逾時：可能已送達，不會自動重送');

    fireEvent.change(screen.getByTestId('recipients-state'), { target: { value: 'all' } });
    fireEvent.change(screen.getByTestId('recipients-channel'), { target: { value: 'whatsapp' } });
    fireEvent.change(screen.getByTestId('recipients-search'), { target: { value: 'Amy' } });
    await waitFor(() =>
      expect(lastCall<RecipientsQuery>(bridge, 'history.recipients')).toEqual({ id: historyId(1), offset: 0, limit: 100, channel: 'whatsapp', search: 'Amy' }),
    );
    await waitFor(() => expect(screen.getAllByTestId('recipient-row').every((row) => row.textContent?.includes('Amy'))).toBe(true));
  });

  it('says a skipped customer’s reason in words, and goes back to the list', async () => {
    await openHistory({ history: makeHistory(1) });
    await openDetail(historyId(1));
    const skipped = screen.getAllByTestId('recipient-row').find((row) => row.dataset.state === 'skipped') as HTMLElement;
    expect(within(skipped).getByTestId('recipient-reason').textContent).toBe('已不在處理中');
    act(() => screen.getByTestId('history-back').click());
    expect(screen.queryByTestId('history-detail')).toBeNull();
    await waitFor(() => expect(items()).toHaveLength(1));
  });
});

describe('發送紀錄: retry, resend, export', () => {
  it('重試失敗的顧客: the confirmation, then broadcast.send with fit false, then its progress here', async () => {
    const { bridge } = await openHistory({ signedInAs: 'sales@demo', history: makeHistory(1) });
    const detail = await openDetail(historyId(1));
    const retry = within(detail).getByTestId('history-retry-failed') as HTMLButtonElement;
    expect(retry.textContent).toBe('重試失敗的顧客（2 位）');
    expect(retry.disabled).toBe(false);

    act(() => retry.click());
    const dialog = await screen.findByTestId('send-confirm');
    await waitFor(() => expect(dialog.dataset.phase).toBe('ready'));
    expect(bridge.callsOf('broadcast.retryFailed')).toEqual([{ id: historyId(1) }]);
    expect(dialog.textContent).toContain('確認重試失敗的顧客');
    expect(within(dialog).getByTestId('confirm-counts').dataset.total).toBe('2');
    expect(within(dialog).queryByTestId('confirm-warning')).toBeNull();

    act(() => within(dialog).getByTestId('send-go').click());
    await waitFor(() => expect(screen.queryByTestId('send-confirm')).toBeNull());
    const [sent] = bridge.callsOf('broadcast.send') as Array<{ planId: string; fit: boolean }>;
    expect(sent?.fit).toBe(false);
    const retryId = bridge.lastBroadcastId();
    const progress = await within(screen.getByTestId('history-detail')).findByTestId('send-progress');
    expect(progress.dataset.broadcastId).toBe(retryId);

    // The detail asks again: the new broadcast is among its retries, linked to its own detail.
    const link = await screen.findByTestId('history-retry-link');
    expect(link.dataset.broadcastId).toBe(retryId);
    act(() => link.click());
    await waitFor(() => expect(screen.getByTestId('history-detail').dataset.broadcastId).toBe(retryId));
  });

  it('asks before retrying a broadcast that was retried already (main would send to the same customers again)', async () => {
    const origin = makeBroadcast(2);
    const earlier = makeBroadcast(1, { kind: 'retry_failed', originId: origin.item.id, line: { accepted: 1 }, whatsapp: { failed: 1 } });
    const { bridge } = await openHistory({ signedInAs: 'sales@demo', history: [origin, earlier] });
    const detail = await openDetail(origin.item.id);
    expect(within(detail).getByTestId('history-retry-link').dataset.broadcastId).toBe(earlier.item.id);

    act(() => within(detail).getByTestId('history-retry-failed').click());
    const warning = screen.getByRole('alertdialog');
    expect(warning.textContent).toContain('這次群發已經重試過');
    expect(bridge.callsOf('broadcast.retryFailed')).toEqual([]);
    act(() => within(warning).getByTestId('history-retry-repeat-confirm').click());
    await waitFor(() => expect(screen.getByTestId('send-confirm').dataset.phase).toBe('ready'));
    expect(bridge.callsOf('broadcast.retryFailed')).toEqual([{ id: origin.item.id }]);
  });

  it('cannot retry when no failed customer is still in progress, or when the account cannot broadcast', async () => {
    const record = makeBroadcast(1);
    const bridge = new FakeBridge({ signedInAs: 'sales@demo', history: [record] });
    for (const recipient of record.recipients) if (recipient.state === 'failed') bridge.history.closedEvents.add(recipient.eventId);
    await renderApp(bridge);
    act(() => screen.getByTestId('nav-history').click());
    let detail = await openDetail(historyId(1));
    expect((within(detail).getByTestId('history-retry-failed') as HTMLButtonElement).disabled).toBe(true);
    expect(within(detail).getByTestId('history-not-retryable').textContent).toBe('另有 2 位失敗的顧客已不在處理中，不會重試。');
    act(() => screen.getByTestId('history-back').click());

    bridge.history.closedEvents.clear();
    bridge.session = { ...bridge.session, canBroadcast: false, broadcastBlock: 'role' };
    act(() => bridge.emit('session.changed', bridge.session));
    detail = await openDetail(historyId(1));
    expect((within(detail).getByTestId('history-retry-failed') as HTMLButtonElement).disabled).toBe(true);
    expect(detail.textContent).toContain('這個帳號無法群發訊息，因此無法重試。');
  });

  it('重送狀態不明的顧客: warns that a customer may get it twice before asking main', async () => {
    const { bridge } = await openHistory({ signedInAs: 'sales@demo', history: makeHistory(1) });
    const detail = await openDetail(historyId(1));
    const resend = within(detail).getByTestId('history-resend-unknown');
    expect(resend.textContent).toBe('重送狀態不明的顧客（1 位）');

    act(() => resend.click());
    let warning = screen.getByRole('alertdialog');
    expect(warning.textContent).toContain('這些顧客可能已經收到，重送可能讓他們收到兩次');
    expect(bridge.callsOf('broadcast.resendUnknown')).toEqual([]);
    act(() => within(warning).getByText('取消').click());
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(bridge.callsOf('broadcast.resendUnknown')).toEqual([]);

    act(() => resend.click());
    warning = screen.getByRole('alertdialog');
    act(() => within(warning).getByTestId('history-resend-unknown-confirm').click());
    const dialog = await screen.findByTestId('send-confirm');
    await waitFor(() => expect(dialog.dataset.phase).toBe('ready'));
    expect(bridge.callsOf('broadcast.resendUnknown')).toEqual([{ id: historyId(1) }]);
    expect(within(dialog).getByTestId('confirm-warning').textContent).toContain('重送可能讓他們收到兩次');
    act(() => within(dialog).getByTestId('send-go').click());
    await waitFor(() => expect(bridge.callsOf('broadcast.send')).toHaveLength(1));
  });

  it('offers no resend when no customer’s state is unknown', async () => {
    await openHistory({ signedInAs: 'sales@demo', history: [makeBroadcast(1, { whatsapp: { accepted: 2 } })] });
    const detail = await openDetail(historyId(1));
    expect(within(detail).queryByTestId('history-resend-unknown')).toBeNull();
  });

  describe('匯出 CSV', () => {
    // jsdom has no object URLs: the test provides them, and puts back whatever was there.
    const saved = (['createObjectURL', 'revokeObjectURL'] as const).map((name) => [name, Object.getOwnPropertyDescriptor(URL, name)] as const);
    afterEach(() => {
      vi.restoreAllMocks();
      for (const [name, descriptor] of saved) {
        if (descriptor) Object.defineProperty(URL, name, descriptor);
        else Reflect.deleteProperty(URL, name);
      }
    });

    it('downloads main’s CSV under its file name, with its one BOM', async () => {
      const blobs: Blob[] = [];
      Object.defineProperty(URL, 'createObjectURL', {
        configurable: true,
        value: (blob: Blob) => {
          blobs.push(blob);
          return 'blob:omo/csv-1';
        },
      });
      const revoke = vi.fn();
      Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: revoke });
      const clicked: Array<{ href: string; download: string; attached: boolean }> = [];
      vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
        clicked.push({ href: this.href, download: this.download, attached: this.isConnected });
      });

      const { bridge } = await openHistory({ history: makeHistory(1) });
      await openDetail(historyId(1));
      act(() => screen.getByTestId('history-export').click());
      const done = await screen.findByTestId('history-export-done');

      const expected = bridge.history.exportCsv(historyId(1));
      expect(bridge.callsOf('history.export')).toEqual([{ id: historyId(1) }]);
      expect(clicked).toEqual([{ href: 'blob:omo/csv-1', download: expected.fileName, attached: true }]);
      expect(done.textContent).toContain(expected.fileName);
      expect(done.textContent).toContain('已匯出 8 位顧客');
      const blob = blobs[0] as Blob;
      expect(blob.type).toBe('text/csv;charset=utf-8');
      const bytes = new Uint8Array(await blob.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect([...bytes.slice(3, 6)]).not.toEqual([0xef, 0xbb, 0xbf]);
      expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)).toBe(expected.csv);
      await waitFor(() => expect(revoke).toHaveBeenCalledWith('blob:omo/csv-1'));
      expect(document.querySelectorAll('a[download]')).toHaveLength(0);
    });
  });
});

describe('發送紀錄 in English', () => {
  it('leaves no Chinese in the list or the detail', async () => {
    await openHistory({ settings: { language: 'en' }, signedInAs: 'sales@demo', history: makeHistory(2) });
    await waitFor(() => expect(items()).toHaveLength(2));
    let text = uiText(document.body);
    expect(text.match(CJK), `Chinese left in the list: ${text}`).toBeNull();
    expect(screen.getByTestId('section-history').textContent).toContain('Sent history');

    await openDetail(historyId(1));
    text = uiText(document.body);
    expect(text.match(CJK), `Chinese left in the detail: ${text}`).toBeNull();
    expect(screen.getByTestId('history-retry-failed').textContent).toBe('Retry failed customers (2)');
    act(() => screen.getByTestId('history-resend-unknown').click());
    expect(screen.getByRole('alertdialog').textContent).toContain('resending may make them receive it twice');
  });
});

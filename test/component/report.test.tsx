import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ReportQuery, ReportRow } from '../../preload/contract';
import { FakeBridge, type FakeBridgeOptions } from './fake-bridge';
import { makeProgress } from './fake-broadcast';
import { CJK, renderApp, uiText } from './harness';

/** The user's calendar day `offset` days from today, as YYYY-MM-DD, and its local midnight. */
function day(offset: number): { key: string; start: number } {
  const now = new Date();
  const date = new Date(now.getFullYear(), now.getMonth(), now.getDate() + offset);
  const key = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  return { key, start: date.getTime() };
}

const OFFSET = -new Date().getTimezoneOffset() || 0;

function row(offset: number, fields: Partial<ReportRow>): ReportRow {
  return {
    day: day(offset).key,
    channel: 'line',
    senderId: 'u-sales',
    senderName: '林志豪',
    messages: 0,
    officialLinks: 0,
    otherLinks: 0,
    ...fields,
  };
}

/** Today: 林志豪 on LINE and WhatsApp; 3 days ago: 陳怡君 on LINE; 10 days ago: 林志豪 on LINE. */
const ROWS: ReportRow[] = [
  row(0, { messages: 120, officialLinks: 120, otherLinks: 120 }),
  row(0, { channel: 'whatsapp', messages: 30, officialLinks: 30 }),
  row(-3, { senderId: 'u-manager', senderName: '陳怡君', messages: 200, officialLinks: 200 }),
  row(-10, { messages: 50, otherLinks: 50 }),
];

async function openReport(options: FakeBridgeOptions = {}, rows: ReportRow[] = ROWS) {
  const bridge = new FakeBridge(options);
  bridge.history.reportRows = rows;
  await renderApp(bridge);
  act(() => screen.getByTestId('nav-report').click());
  await waitFor(() => expect(screen.getByTestId('report').dataset.state).toBe('ready'));
  return bridge;
}

function lastQuery(bridge: FakeBridge): ReportQuery {
  const calls = bridge.callsOf('report.get');
  return calls[calls.length - 1] as ReportQuery;
}

function value(testId: string): string | undefined {
  return screen.getByTestId(testId).dataset.value;
}

function preset(name: string): HTMLElement {
  const button = screen.getAllByTestId('report-preset').find((candidate) => candidate.dataset.preset === name);
  if (!button) throw new Error(`no preset ${name}`);
  return button;
}

describe('報表 › 導購連結報表', () => {
  it('asks for the last 30 days of the user’s calendar, in the user’s time zone, and shows the seed’s counters', async () => {
    const bridge = await openReport();
    expect(bridge.callsOf('report.get')).toEqual([{ from: day(-29).start, to: day(1).start, utcOffsetMinutes: OFFSET }]);
    expect(screen.getByTestId('section-report').textContent).toContain('導購連結報表');
    expect(preset('last30').getAttribute('aria-pressed')).toBe('true');
    expect((screen.getByTestId('report-from') as HTMLInputElement).value).toBe(day(-29).key);
    expect((screen.getByTestId('report-to') as HTMLInputElement).value).toBe(day(0).key);

    expect(value('report-messages')).toBe('400');
    expect(value('report-official')).toBe('350');
    expect(value('report-other')).toBe('170');
    expect(value('report-links')).toBe('520');
    expect(screen.getByTestId('report-messages').textContent).toContain('總訊息數目');
    expect(screen.getByTestId('report-links').textContent).toContain('導購連結數量');
    expect(screen.getByTestId('report-official').textContent).toContain('官網連結');
    expect(screen.getByTestId('report-other').textContent).toContain('非官網連結');
  });

  it('draws a bar per day (days without broadcasts at zero) with an accessible summary', async () => {
    await openReport();
    const chart = screen.getByTestId('report-chart');
    expect(chart.getAttribute('role')).toBe('img');
    expect(chart.getAttribute('aria-label')).toContain('總訊息數目 400，導購連結數量 520（官網連結 350，非官網連結 170）');
    const bars = within(chart as unknown as HTMLElement).getAllByTestId('report-bar');
    expect(bars).toHaveLength(30);
    expect(bars.map((bar) => bar.dataset.period)).toEqual(Array.from({ length: 30 }, (_, index) => day(index - 29).key));
    const today = bars[29] as HTMLElement;
    expect([today.dataset.messages, today.dataset.official, today.dataset.other]).toEqual(['150', '150', '120']);
    expect(today.querySelectorAll('rect.chart__bar')).toHaveLength(3);
    expect(bars[0]?.querySelectorAll('rect.chart__bar')).toHaveLength(0);
  });

  it('writes the definitions under the chart', async () => {
    await openReport();
    const definitions = screen.getByTestId('report-definitions');
    expect(definitions.textContent).toContain('一則訊息＝一位收件顧客已送出（LINE 對一位用戶的群發請求算一則訊息，不論包含幾個對話框）。');
    expect(definitions.textContent).toContain('一個導購連結＝已送出訊息中的每一個連結，按收件顧客計算。');
  });

  it('maps each preset to its days', async () => {
    const bridge = await openReport();
    const now = new Date();
    const tomorrow = day(1).start;
    const cases: Array<[string, number]> = [
      ['today', day(0).start],
      ['last7', day(-6).start],
      ['month', new Date(now.getFullYear(), now.getMonth(), 1).getTime()],
      ['year', new Date(now.getFullYear(), 0, 1).getTime()],
    ];
    for (const [name, from] of cases) {
      act(() => preset(name).click());
      await waitFor(() => expect(lastQuery(bridge)).toEqual({ from, to: tomorrow, utcOffsetMinutes: OFFSET }));
      await waitFor(() => expect(screen.getByTestId('report').dataset.state).toBe('ready'));
      expect(preset(name).getAttribute('aria-pressed')).toBe('true');
    }
    act(() => preset('last7').click());
    await waitFor(() => expect(screen.getAllByTestId('report-bar').length).toBe(7));
    expect(value('report-messages')).toBe('350');
  });

  it('takes custom dates, and explains dates it cannot ask for', async () => {
    const bridge = await openReport();
    fireEvent.change(screen.getByTestId('report-from'), { target: { value: day(-10).key } });
    await waitFor(() => expect(lastQuery(bridge)).toEqual({ from: day(-10).start, to: day(1).start, utcOffsetMinutes: OFFSET }));
    expect(preset('custom').getAttribute('aria-pressed')).toBe('true');
    await waitFor(() => expect(screen.getAllByTestId('report-bar').length).toBe(11));

    const calls = bridge.callsOf('report.get').length;
    fireEvent.change(screen.getByTestId('report-to'), { target: { value: day(-20).key } });
    expect(screen.getByTestId('report-range-problem').textContent).toBe('開始日期晚於結束日期。');
    fireEvent.change(screen.getByTestId('report-from'), { target: { value: '2020-01-01' } });
    fireEvent.change(screen.getByTestId('report-to'), { target: { value: '2021-12-31' } });
    expect(screen.getByTestId('report-range-problem').textContent).toBe('期間最長 400 天。');
    expect(bridge.callsOf('report.get').length).toBe(calls);
  });

  it('sums by sender and channel: a manager sees each sender of the store, with the platform’s source', async () => {
    const bridge = new FakeBridge({ signedInAs: 'manager@demo' });
    bridge.history.reportSource = 'platform';
    bridge.history.pendingReports = 2;
    bridge.history.reportRows = ROWS;
    await renderApp(bridge);
    act(() => screen.getByTestId('nav-report').click());
    await waitFor(() => expect(screen.getAllByTestId('report-sender-row')).toHaveLength(3));
    const rows = screen.getAllByTestId('report-sender-row');
    expect(rows.map((element) => [element.dataset.senderId, element.dataset.channel, element.dataset.messages])).toEqual([
      ['u-manager', 'line', '200'],
      ['u-sales', 'line', '170'],
      ['u-sales', 'whatsapp', '30'],
    ]);
    expect(rows[1]?.textContent).toContain('林志豪');
    expect(screen.getByTestId('report-source').dataset.source).toBe('platform');
    expect(screen.getByTestId('report-source').textContent).toContain('平台資料');
    expect(screen.getByTestId('report-pending').textContent).toBe('2 則尚未回報平台（離線時會排隊）');
  });

  it('says where the figures come from, says when the period is empty, and counts again when a broadcast ends', async () => {
    const bridge = await openReport({}, []);
    expect(screen.getByTestId('report-source').textContent).toContain('本機資料');
    expect(screen.queryByTestId('report-pending')).toBeNull();
    expect(value('report-messages')).toBe('0');
    expect(screen.getByTestId('report-chart-empty').textContent).toBe('這段期間沒有群發');
    expect(screen.getByTestId('report-no-senders')).toBeTruthy();

    bridge.history.reportRows = ROWS;
    act(() =>
      bridge.emit(
        'broadcast.progress',
        makeProgress({ id: '00000000-0000-4000-8000-00000000abcd', state: 'completed', counts: { pending: 0, inFlight: 0, accepted: 3, failed: 0, skipped: 0, unknown: 0 } }),
      ),
    );
    await waitFor(() => expect(value('report-messages')).toBe('400'));
  });

  it('says why when report.get fails, with no made-up figure, and tries again', async () => {
    const bridge = new FakeBridge();
    bridge.failNext('report.get', 'storage_unavailable');
    await renderApp(bridge);
    act(() => screen.getByTestId('nav-report').click());
    const error = await screen.findByTestId('report-error');
    expect(error.textContent).toContain('無法讀取報表');
    expect(screen.getByTestId('report-messages').hasAttribute('data-value')).toBe(false);
    act(() => screen.getByTestId('report-retry').click());
    await waitFor(() => expect(value('report-messages')).toBe('0'));
    expect(screen.queryByTestId('report-error')).toBeNull();
  });

  it('is in English, words and definitions, with no Chinese left', async () => {
    await openReport({ settings: { language: 'en' } });
    const section = screen.getByTestId('section-report');
    expect(section.textContent).toContain('Referral link report');
    expect(screen.getByTestId('report-definitions').textContent).toContain(
      'One message = one recipient accepted (LINE counts a multicast request to one user as one message, whatever the number of bubbles).',
    );
    expect(screen.getByTestId('report-definitions').textContent).toContain('A referral link = each link in an accepted message, per recipient.');
    expect(preset('last7').textContent).toBe('Last 7 days');
    const text = uiText(document.body);
    expect(text.match(CJK), `Chinese left in the report: ${text}`).toBeNull();
  });
});

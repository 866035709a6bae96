import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { BroadcastProblem, BroadcastProgress, WhatsAppDraft } from '../../preload/contract';
import { saveState, typeText } from './composer-helpers';
import { FakeBridge, type FakeBridgeOptions, fakeId } from './fake-bridge';
import { makeProgress } from './fake-broadcast';
import { WHATSAPP_NUMBER } from './fake-compose';
import { eventId } from './fake-events';
import { CJK, renderApp, uiText } from './harness';

/** The WhatsApp part of a ready draft: an approved template with both parameters filled. */
const TEMPLATE_PART: WhatsAppDraft = {
  numbers: [
    {
      phoneNumberId: WHATSAPP_NUMBER,
      template: { name: 'store_event', language: 'en_US' },
      params: { customer: { source: 'fixed', text: 'friend' }, date: { source: 'fixed', text: 'Saturday' } },
    },
  ],
};

const DRAFT_ID = fakeId(1);

/** Rows 0…n−1 (every third one, 2, 5, 8…, a WhatsApp customer). */
function rows(n: number): string[] {
  return Array.from({ length: n }, (_, index) => eventId(index));
}

function sendButton(): HTMLButtonElement {
  return screen.getByTestId('send') as HTMLButtonElement;
}

/** 草稿 → a stored draft for these customers, ready to send (signed in as a sales person). */
async function readyDraft(selection = rows(6), options: FakeBridgeOptions = {}) {
  const result = await renderApp(
    new FakeBridge({
      signedInAs: 'sales@demo',
      drafts: [{ text: '週末快閃，全館 8 折', selection, whatsapp: TEMPLATE_PART }],
      ...options,
    }),
  );
  act(() => screen.getByTestId('nav-drafts').click());
  act(() => screen.getByTestId('draft-item').click());
  await screen.findByTestId('composer');
  await waitFor(() => expect(sendButton().disabled).toBe(false));
  return result;
}

/** 發送, then wait for the confirmation's numbers. */
async function openConfirmation(): Promise<HTMLElement> {
  act(() => sendButton().click());
  const dialog = await screen.findByTestId('send-confirm');
  await waitFor(() => expect(dialog.getAttribute('data-phase')).toBe('ready'));
  return dialog;
}

/** 發送 → 確認發送: the id of the broadcast main started. */
async function sendAll(bridge: FakeBridge): Promise<string> {
  await openConfirmation();
  act(() => screen.getByTestId('send-go').click());
  await screen.findByTestId('send-progress');
  expect(screen.queryByTestId('send-confirm')).toBeNull();
  return bridge.lastBroadcastId();
}

function counts(): Record<string, string | null> {
  const element = screen.getByTestId('progress-counts');
  return Object.fromEntries(
    ['accepted', 'failed', 'skipped', 'unknown', 'pending'].map((name) => [name, element.getAttribute(`data-${name}`)]),
  );
}

function progressState(): string | null {
  return screen.getByTestId('send-progress').getAttribute('data-state');
}

describe('發送: the button', () => {
  it('is disabled with the reason until the check is ready', async () => {
    await renderApp(new FakeBridge({ signedInAs: 'sales@demo' }));
    await screen.findAllByTestId('event-row');
    act(() => screen.getByTestId('batch-manage').click());
    fireEvent.click(screen.getByTestId('events-grid').querySelector(`[data-event-id="evt-0"]`) as HTMLElement, { ctrlKey: true });
    act(() => screen.getByTestId('batch-actions').click());
    act(() => screen.getByTestId('batch-send').click());
    await screen.findByTestId('composer');

    expect(sendButton().disabled).toBe(true);
    expect(screen.getByTestId('send-blocked-reason').textContent).toBe('上傳圖片或輸入文案後即可發送');
    expect(sendButton().textContent).toBe('發送');

    typeText('週末快閃');
    await waitFor(() => expect(screen.getByTestId('check-status').getAttribute('data-ready')).toBe('true'));
    expect(sendButton().disabled).toBe(false);
    expect(screen.queryByTestId('send-blocked-reason')).toBeNull();

    // Emptied, the check says what is missing and 發送 waits for it.
    typeText('');
    await waitFor(() => expect(screen.getByTestId('check-status').getAttribute('data-ready')).toBe('false'));
    expect(sendButton().disabled).toBe(true);
    expect(screen.getByTestId('send-blocked-reason').textContent).toBe('完成上方「尚需」的項目後即可發送');
  });

  it('says why when nobody is signed in', async () => {
    await renderApp(new FakeBridge({ drafts: [{ text: 'Hello', selection: ['evt-0'] }] }));
    act(() => screen.getByTestId('nav-drafts').click());
    act(() => screen.getByTestId('draft-item').click());
    await screen.findByTestId('composer');
    expect(sendButton().disabled).toBe(true);
    expect(screen.getByTestId('send-blocked-reason').textContent).toBe('登入工作區後才能發送');
  });

  it('saves the pending edits before asking main for the confirmation', async () => {
    const { bridge } = await readyDraft();
    typeText('週末快閃，全館 7 折');
    act(() => sendButton().click());
    await screen.findByTestId('send-confirm');
    await waitFor(() => expect(bridge.callsOf('broadcast.prepare')).toEqual([{ draftId: DRAFT_ID }]));
    const order = bridge.calls.map((call) => call.method).filter((method) => method === 'drafts.save' || method === 'broadcast.prepare');
    expect(order).toEqual(['drafts.save', 'broadcast.prepare']);
    expect(bridge.drafts.get(DRAFT_ID)?.text).toBe('週末快閃，全館 7 折');
  });
});

describe('the confirmation', () => {
  it('shows a spinner while main re-checks the recipients', async () => {
    const { bridge } = await readyDraft();
    const release = bridge.hold('broadcast.prepare');
    act(() => sendButton().click());
    const preparing = await screen.findByTestId('confirm-preparing');
    expect(preparing.textContent).toContain('正在確認收件人狀態…');
    expect(screen.queryByTestId('send-go')).toBeNull();
    expect(sendButton().disabled).toBe(true);
    release();
    await screen.findByTestId('confirm-counts');
    expect(screen.queryByTestId('confirm-preparing')).toBeNull();
  });

  it('shows the counts per channel, who is skipped and why, the quota, the allowance and the estimate', async () => {
    const { bridge } = await readyDraft(rows(12));
    // Since the list was cached: seven events changed on the Inbox API (six LINE customers, one WhatsApp).
    const changes = [
      [0, 'not_in_progress'],
      [1, 'reassigned'],
      [3, 'not_found'],
      [4, 'duplicate'],
      [6, 'not_in_progress'],
      [7, 'not_in_progress'],
      [8, 'not_in_progress'],
    ] as const;
    for (const [row, reason] of changes) bridge.sending.statusChanges.set(eventId(row), reason);

    const dialog = await openConfirmation();
    const countsBox = within(dialog).getByTestId('confirm-counts');
    expect([countsBox.getAttribute('data-total'), countsBox.getAttribute('data-line'), countsBox.getAttribute('data-whatsapp')]).toEqual([
      '5',
      '2',
      '3',
    ]);
    expect(countsBox.textContent).toContain('共 5 位顧客');
    expect(within(countsBox).getByText('群發訊息 (LINE)').parentElement?.textContent).toContain('2 位');
    expect(within(countsBox).getByText('群發範本訊息 (WhatsApp)').parentElement?.textContent).toContain('3 位');

    const skipped = within(dialog).getByTestId('confirm-skipped');
    expect(skipped.getAttribute('data-count')).toBe('7');
    expect(skipped.textContent).toContain('7 位顧客不會收到');
    const items = within(skipped).getAllByTestId('confirm-skipped-item');
    expect(items.map((item) => item.getAttribute('data-reason'))).toEqual(['not_in_progress', 'reassigned', 'not_found', 'duplicate', 'not_in_progress']);
    expect(items[0]?.textContent).toContain('Amy Chen');
    expect(items[0]?.textContent).toContain('已不在處理中');
    expect(items[1]?.textContent).toContain('已轉給其他負責人');
    expect(items[2]?.textContent).toContain('找不到這個事件');
    expect(items[3]?.textContent).toContain('同一位顧客已在收件人中');
    expect(within(skipped).getByTestId('confirm-skipped-more').textContent).toBe('還有 2 位');

    const quota = within(dialog).getByTestId('confirm-line-quota');
    expect(quota.textContent).toContain('晨光選物 LINE');
    expect(quota.textContent).toContain('本月還可發送 500 則，這次需要 2 則');
    expect(within(dialog).getByTestId('confirm-allowance').textContent).toBe('你的本月發送額度：不限');
    expect(within(dialog).getByTestId('confirm-estimate').textContent).toContain('預估發送時間：');
    expect(within(dialog).queryByTestId('confirm-short')).toBeNull();
    expect(within(dialog).queryByTestId('send-fit')).toBeNull();
    expect(dialog.textContent).toContain('以免送出過時的促銷');
  });

  it('確認發送 sends to everyone confirmed (fit: false) and returns at once with the progress', async () => {
    const { bridge } = await readyDraft();
    await openConfirmation();
    const planId = [...bridge.sending.plans.keys()][0];
    act(() => screen.getByTestId('send-go').click());
    await screen.findByTestId('send-progress');
    expect(bridge.callsOf('broadcast.send')).toEqual([{ planId, fit: false }]);
    expect(screen.queryByTestId('send-confirm')).toBeNull();
    expect(progressState()).toBe('sending');
    expect(counts()).toEqual({ accepted: '0', failed: '0', skipped: '0', unknown: '0', pending: '6' });
    // The same message cannot be sent again while it is going out.
    expect(sendButton().disabled).toBe(true);
    expect(screen.getByTestId('send-blocked-reason').textContent).toBe('這則訊息正在發送中');
  });

  it('says by how much the LINE quota falls short, and 只發送給 N 位 sends to fewer (fit: true)', async () => {
    const { bridge } = await readyDraft();
    bridge.sending.lineQuotaRemaining = 1;
    const dialog = await openConfirmation();
    const short = within(dialog).getByTestId('confirm-short');
    expect(short.getAttribute('data-short-by')).toBe('3');
    expect(short.textContent).toContain('超出 3 位');
    expect(short.textContent).toContain('本月額度只夠發送給 3 位顧客');
    expect(within(dialog).getByTestId('confirm-line-quota').textContent).toContain('本月還可發送 1 則，這次需要 4 則');
    // All of them is more than main takes (over_limit): the choice offered is fewer.
    expect((screen.getByTestId('send-go') as HTMLButtonElement).disabled).toBe(true);
    const fit = screen.getByTestId('send-fit');
    expect(fit.textContent).toBe('只發送給 3 位');

    const planId = [...bridge.sending.plans.keys()][0];
    act(() => fit.click());
    await screen.findByTestId('send-progress');
    expect(bridge.callsOf('broadcast.send')).toEqual([{ planId, fit: true }]);
    expect(counts()).toMatchObject({ pending: '3', skipped: '3' });
  });

  it('says how much of the sender’s allowance is left, and offers nothing to send when it is used up', async () => {
    const { bridge } = await readyDraft();
    bridge.sending.allowance = { monthlyLimit: 200, usedThisMonth: 200 };
    const dialog = await openConfirmation();
    expect(within(dialog).getByTestId('confirm-allowance').textContent).toBe('你的本月發送額度：還可發送給 0 位（已使用 200 / 200）');
    const short = within(dialog).getByTestId('confirm-short');
    expect(short.textContent).toContain('超出 6 位');
    expect(short.textContent).toContain('本月額度已用完，目前無法發送。');
    expect(screen.queryByTestId('send-fit')).toBeNull();
    expect((screen.getByTestId('send-go') as HTMLButtonElement).disabled).toBe(true);
  });

  it('取消 closes it without sending', async () => {
    const { bridge } = await readyDraft();
    await openConfirmation();
    act(() => screen.getByTestId('send-cancel').click());
    expect(screen.queryByTestId('send-confirm')).toBeNull();
    expect(bridge.callsOf('broadcast.send')).toEqual([]);
    expect(sendButton().disabled).toBe(false);
  });
});

describe('errors, translated', () => {
  it('needs a connection to check the recipients, and 重試 tries again', async () => {
    const { bridge } = await readyDraft();
    bridge.appInfo = { ...bridge.appInfo, online: false };
    act(() => sendButton().click());
    const error = await screen.findByTestId('confirm-error');
    expect(error.textContent).toContain('無法確認收件人');
    expect(error.textContent).toContain('需要連線才能確認收件人狀態');
    expect(screen.queryByTestId('send-go')).toBeNull();

    bridge.appInfo = { ...bridge.appInfo, online: true };
    act(() => screen.getByTestId('send-retry').click());
    await screen.findByTestId('confirm-counts');
    expect(bridge.callsOf('broadcast.prepare')).toHaveLength(2);
  });

  it('says so when every selected event left 處理中', async () => {
    const { bridge } = await readyDraft(rows(2));
    bridge.sending.statusChanges.set(eventId(0), 'not_in_progress');
    bridge.sending.statusChanges.set(eventId(1), 'not_in_progress');
    act(() => sendButton().click());
    const error = await screen.findByTestId('confirm-error');
    expect(error.textContent).toContain('沒有可以發送的顧客：選取的事件都已不在處理中。');
  });

  it('confirms again with fresh numbers when the confirmation expired before 確認發送', async () => {
    const { bridge } = await readyDraft();
    await openConfirmation();
    bridge.failNext('broadcast.send', 'plan_expired');
    act(() => screen.getByTestId('send-go').click());
    const renewed = await screen.findByTestId('confirm-renewed');
    expect(renewed.textContent).toContain('確認內容已過期，已重新確認收件人，請再確認一次。');
    expect(bridge.callsOf('broadcast.prepare')).toHaveLength(2);
    await waitFor(() => expect(screen.getByTestId('send-confirm').getAttribute('data-phase')).toBe('ready'));
    act(() => screen.getByTestId('send-go').click());
    await screen.findByTestId('send-progress');
  });

  it('keeps the confirmation with the reason when the send is refused', async () => {
    const { bridge } = await readyDraft();
    await openConfirmation();
    bridge.failNext('broadcast.send', 'storage_unavailable');
    act(() => screen.getByTestId('send-go').click());
    const error = await screen.findByTestId('confirm-error');
    expect(error.textContent).toContain('無法使用本機資料庫');
    expect(screen.getByTestId('confirm-counts')).toBeTruthy();
    expect((screen.getByTestId('send-go') as HTMLButtonElement).disabled).toBe(false);
  });
});

describe('the progress', () => {
  it('follows main’s pushes: the bar, the counts, rate and ETA, the note, and a notice at the end', async () => {
    const { bridge } = await readyDraft();
    const id = await sendAll(bridge);
    const bar = screen.getByTestId('progress-bar');
    expect(bar.getAttribute('role')).toBe('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('0');
    expect(screen.getByTestId('progress-state').textContent).toBe('傳送中');

    let first: BroadcastProgress | null = null;
    act(() => {
      first = bridge.progress(id, { accepted: 2, ratePerSecond: 12.5, etaSeconds: 130 });
    });
    expect(bar.getAttribute('aria-valuenow')).toBe('33');
    expect(counts()).toEqual({ accepted: '2', failed: '0', skipped: '0', unknown: '0', pending: '4' });
    expect(screen.getByTestId('progress-rate').textContent).toContain('每秒 12.5 位');
    expect(screen.getByTestId('progress-rate').textContent).toContain('預估剩餘 約 3 分鐘');

    act(() => void bridge.progress(id, { accepted: 1, failed: 1, unknown: 1, note: 'line_quota' }));
    expect(counts()).toEqual({ accepted: '3', failed: '1', skipped: '0', unknown: '1', pending: '1' });
    expect(screen.getByTestId('progress-note').textContent).toBe('LINE 本月訊息額度已用完，其餘 LINE 收件人未發送');

    // A late push older than what is shown is not drawn over it.
    const late = first as BroadcastProgress | null;
    if (!late) throw new Error('no first progress');
    act(() => bridge.emit('broadcast.progress', late));
    expect(counts()).toMatchObject({ accepted: '3', pending: '1' });

    act(() => void bridge.progress(id, { failed: 1 }));
    expect(progressState()).toBe('completed_with_failures');
    expect(bar.getAttribute('aria-valuenow')).toBe('100');
    expect(screen.getByTestId('progress-state').textContent).toBe('部分失敗');
    const done = screen.getByTestId('send-done');
    expect(done.getAttribute('data-outcome')).toBe('completed_with_failures');
    expect(done.textContent).toContain('群發完成，但有 2 位顧客發送失敗（已送出 3 位）');
    expect(within(done).getByTestId('done-unknown').textContent).toBe('1 位顧客狀態不明：不會自動重送，可在發送紀錄查看');
    expect(screen.queryByTestId('progress-pause')).toBeNull();
    expect(screen.queryByTestId('progress-cancel')).toBeNull();
    // Finished, the draft may be sent again (with a new confirmation).
    expect(sendButton().disabled).toBe(false);

    act(() => screen.getByTestId('send-done-dismiss').click());
    expect(screen.queryByTestId('send-progress')).toBeNull();
  });

  it('pause, resume and cancel (asked first) call main', async () => {
    const { bridge } = await readyDraft();
    const id = await sendAll(bridge);

    act(() => screen.getByTestId('progress-pause').click());
    await waitFor(() => expect(progressState()).toBe('paused'));
    expect(bridge.callsOf('broadcast.pause')).toEqual([{ id }]);
    expect(screen.getByTestId('progress-state').textContent).toBe('已暫停');
    expect(screen.queryByTestId('progress-pause')).toBeNull();

    act(() => screen.getByTestId('progress-resume').click());
    await waitFor(() => expect(progressState()).toBe('sending'));
    expect(bridge.callsOf('broadcast.resume')).toEqual([{ id }]);

    // Cancel asks first; keeping on sends nothing.
    act(() => screen.getByTestId('progress-cancel').click());
    expect(screen.getByRole('alertdialog').textContent).toContain('取消這次群發？');
    act(() => screen.getByText('繼續發送').click());
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(bridge.callsOf('broadcast.cancel')).toEqual([]);

    act(() => void bridge.progress(id, { accepted: 2 }));
    act(() => screen.getByTestId('progress-cancel').click());
    act(() => screen.getByTestId('progress-cancel-confirm').click());
    await waitFor(() => expect(progressState()).toBe('cancelled'));
    expect(bridge.callsOf('broadcast.cancel')).toEqual([{ id }]);
    expect(screen.getByTestId('progress-state').textContent).toBe('已取消');
    const done = screen.getByTestId('send-done');
    expect(done.getAttribute('data-outcome')).toBe('cancelled');
    expect(done.textContent).toContain('已取消群發：已送出 2 位，4 位未發送');
  });

  it('explains a control refused because the broadcast already ended, and shows how it ended', async () => {
    const { bridge } = await readyDraft();
    const id = await sendAll(bridge);
    // It finished in main, and that push has not arrived yet.
    bridge.sending.step(id, { accepted: 6 }, Date.UTC(2025, 0, 15, 10));
    act(() => screen.getByTestId('progress-pause').click());
    const error = await screen.findByTestId('progress-error');
    expect(error.textContent).toContain('這次群發已經結束，無法再暫停、繼續或取消。');
    await waitFor(() => expect(progressState()).toBe('completed'));
    expect(bridge.callsOf('broadcast.get')).toEqual([{ id }]);
    expect(screen.getByTestId('send-done').textContent).toContain('群發完成：已送出給 6 位顧客');
  });

  it('waits for the network by itself, and expires rather than send a stale promotion', async () => {
    const { bridge } = await readyDraft();
    const id = await sendAll(bridge);
    act(() => void bridge.progress(id, { accepted: 1, state: 'waiting_for_network', note: 'waiting_for_network' }));
    expect(screen.getByTestId('progress-state').textContent).toBe('等待網路');
    expect(screen.getByTestId('progress-note').textContent).toBe('沒有網路連線，恢復連線後會自動繼續');
    expect(screen.queryByTestId('progress-rate')).toBeNull();

    act(() => void bridge.progress(id, { skipped: 5, state: 'expired', note: 'expired' }));
    expect(screen.getByTestId('progress-state').textContent).toBe('已過期');
    const done = screen.getByTestId('send-done');
    expect(done.getAttribute('data-outcome')).toBe('expired');
    expect(done.textContent).toContain('群發已過期：已送出 1 位，5 位未發送');
  });

  it('shows sends that resumed after a restart, in 對話 and the status bar, with their controls', async () => {
    const bridge = new FakeBridge({ signedInAs: 'sales@demo' });
    const id = fakeId(900);
    bridge.sending.broadcasts.set(
      id,
      makeProgress({ id, counts: { pending: 6, inFlight: 0, accepted: 4, failed: 0, skipped: 0, unknown: 0 }, total: 10 }),
    );
    await renderApp(bridge);
    expect(bridge.callsOf('broadcast.active')).toEqual([{}]);
    const panel = await screen.findByTestId('broadcasts-panel');
    const progress = within(panel).getByTestId('send-progress');
    expect(progress.getAttribute('data-broadcast-id')).toBe(id);
    expect(within(progress).getByTestId('progress-bar').getAttribute('aria-valuenow')).toBe('40');
    const status = screen.getByTestId('status-broadcast');
    expect(status.textContent).toContain('群發傳送中 40%');

    act(() => within(panel).getByTestId('progress-pause').click());
    await waitFor(() => expect(screen.getByTestId('status-broadcast').getAttribute('data-state')).toBe('paused'));
    expect(bridge.callsOf('broadcast.pause')).toEqual([{ id }]);
  });

  it('from 批量動作 → 發送訊息: the progress follows to the grid, and the next 發送訊息 starts a new message', async () => {
    const { bridge } = await renderApp(new FakeBridge({ signedInAs: 'sales@demo' }));
    await screen.findAllByTestId('event-row');
    act(() => screen.getByTestId('batch-manage').click());
    for (const id of ['evt-0', 'evt-1']) {
      fireEvent.click(screen.getByTestId('events-grid').querySelector(`[data-event-id="${id}"]`) as HTMLElement, { ctrlKey: true });
    }
    act(() => screen.getByTestId('batch-actions').click());
    act(() => screen.getByTestId('batch-send').click());
    await screen.findByTestId('composer');
    typeText('週末快閃');
    await waitFor(() => expect(sendButton().disabled).toBe(false));
    const id = await sendAll(bridge);
    expect(within(screen.getByTestId('composer')).getByTestId('send-progress').getAttribute('data-broadcast-id')).toBe(id);

    act(() => screen.getByTestId('composer-back').click());
    const panel = await screen.findByTestId('broadcasts-panel');
    expect(within(panel).getByTestId('send-progress').getAttribute('data-broadcast-id')).toBe(id);

    act(() => screen.getByTestId('batch-actions').click());
    act(() => screen.getByTestId('batch-send').click());
    await screen.findByTestId('composer');
    expect((screen.getByTestId('text-input') as HTMLTextAreaElement).value).toBe('');
    expect(bridge.callsOf('drafts.get')).toEqual([]);
  });

  it('lets the user compose another draft while a send runs, and follow it from the status bar', async () => {
    const { bridge } = await readyDraft();
    const id = await sendAll(bridge);
    act(() => screen.getByTestId('composer-back').click());
    const newDraft = await screen.findByTestId('draft-new');
    act(() => newDraft.click());
    await screen.findByTestId('composer');
    typeText('下週的新品');
    await waitFor(() => expect(saveState()).toBe('saved'));
    expect(screen.queryByTestId('send-progress')).toBeNull();

    act(() => void bridge.progress(id, { accepted: 3 }));
    expect(screen.getByTestId('status-broadcast').textContent).toContain('50%');
    act(() => screen.getByTestId('status-broadcast').click());
    const panel = await screen.findByTestId('broadcasts-panel');
    expect(within(panel).getByTestId('send-progress').getAttribute('data-broadcast-id')).toBe(id);
  });
});

describe('why customers were not reached', () => {
  const REJECTED =
    'The request body has 1 error(s) (messages[0].originalContentUrl: The URL must be HTTPS)';

  /** 發送 → 確認發送, with what broadcast.problems will answer for that broadcast, then its end. */
  async function endWithProblems(bridge: FakeBridge, problems: BroadcastProblem[]): Promise<string> {
    const id = await sendAll(bridge);
    bridge.sending.problems.set(id, problems);
    act(() => void bridge.progress(id, { accepted: 2, failed: 1 }));
    // Not asked while it runs: the reasons are for the end notice.
    expect(bridge.callsOf('broadcast.problems')).toEqual([]);
    act(() => void bridge.progress(id, { accepted: 1, failed: 1, unknown: 1 }));
    expect(progressState()).toBe('completed_with_failures');
    return id;
  }

  function items(): HTMLElement[] {
    return within(screen.getByTestId('send-problems')).getAllByTestId('send-problem');
  }

  it('lists them in the end notice in plain words, with the channel, the count and LINE’s own words', async () => {
    const { bridge } = await readyDraft();
    const id = await endWithProblems(bridge, [
      { channel: 'line', state: 'failed', reason: 'line_rejected', detail: REJECTED, count: 2 },
      { channel: 'whatsapp', state: 'unknown', reason: 'wa_timeout', detail: null, count: 1 },
    ]);
    const done = screen.getByTestId('send-done');
    const list = await within(done).findByTestId('send-problems');
    expect(bridge.callsOf('broadcast.problems')).toEqual([{ id }]);
    const [line, whatsapp] = items();
    if (!line || !whatsapp) throw new Error('two groups expected');
    expect([line.dataset.reason, line.dataset.count, line.dataset.channel]).toEqual(['line_rejected', '2', 'line']);
    expect(line.textContent).toContain('LINE');
    expect(line.textContent).toContain('2 位失敗');
    expect(within(line).getByTestId('send-problem-reason').textContent).toBe('LINE 拒絕了這則訊息');
    expect(within(line).getByTestId('send-problem-detail').textContent).toBe(REJECTED);
    expect([whatsapp.dataset.reason, whatsapp.dataset.count, whatsapp.dataset.state]).toEqual(['wa_timeout', '1', 'unknown']);
    expect(whatsapp.textContent).toContain('1 位狀態不明');
    expect(within(whatsapp).getByTestId('send-problem-reason').textContent).toBe('等候 WhatsApp 回應逾時：可能已送達，不會自動重送');
    expect(within(whatsapp).queryByTestId('send-problem-detail')).toBeNull();
    expect(within(list).queryByTestId('send-problem-code')).toBeNull();
    expect(within(list).queryByTestId('send-problems-toggle')).toBeNull();
  });

  it('names a code this version does not know as 其他原因, with the code in small text', async () => {
    const { bridge } = await readyDraft();
    await endWithProblems(bridge, [{ channel: 'whatsapp', state: 'failed', reason: 'wa_brand_new_code', detail: null, count: 2 }]);
    await screen.findByTestId('send-problems');
    const [item] = items();
    if (!item) throw new Error('one group expected');
    expect(item.dataset.reason).toBe('wa_brand_new_code');
    expect(within(item).getByTestId('send-problem-reason').textContent).toBe('其他原因wa_brand_new_code');
    expect(within(item).getByTestId('send-problem-code').textContent).toBe('wa_brand_new_code');
  });

  it('shows five groups, and 顯示全部 shows the rest', async () => {
    const { bridge } = await readyDraft();
    const reasons = ['line_quota', 'line_timeout', 'wa_undeliverable', 'wa_opted_out', 'wa_window_closed', 'interrupted', 'media_failed'];
    await endWithProblems(
      bridge,
      reasons.map((reason, index) => ({
        channel: reason.startsWith('wa_') ? ('whatsapp' as const) : ('line' as const),
        state: reason.endsWith('timeout') || reason === 'interrupted' ? ('unknown' as const) : ('failed' as const),
        reason,
        detail: null,
        count: 10 - index,
      })),
    );
    await screen.findByTestId('send-problems');
    expect(items().map((item) => item.dataset.reason)).toEqual(reasons.slice(0, 5));
    const toggle = screen.getByTestId('send-problems-toggle');
    expect(toggle.textContent).toBe('顯示全部（共 7 項）');
    act(() => toggle.click());
    expect(items().map((item) => item.dataset.reason)).toEqual(reasons);
    expect(within(items()[0] as HTMLElement).getByTestId('send-problem-reason').textContent).toBe('LINE 官方帳號本月訊息額度已用完');
    expect(within(items()[2] as HTMLElement).getByTestId('send-problem-reason').textContent).toBe(
      '對方無法接收 WhatsApp 訊息（可能不是 WhatsApp 用戶或已停用）',
    );
    act(() => screen.getByTestId('send-problems-toggle').click());
    expect(items()).toHaveLength(5);
  });

  it('says when the reasons could not be read, and 重試 reads them again', async () => {
    const { bridge } = await readyDraft();
    bridge.failNext('broadcast.problems', 'storage_unavailable');
    await endWithProblems(bridge, [{ channel: 'line', state: 'failed', reason: 'line_quota', detail: null, count: 2 }]);
    const error = await screen.findByTestId('send-problems-error');
    expect(error.textContent).toContain('無法讀取沒送達的原因。');
    act(() => screen.getByTestId('send-problems-retry').click());
    await screen.findByTestId('send-problems');
    expect(items().map((item) => item.dataset.reason)).toEqual(['line_quota']);
    expect(bridge.callsOf('broadcast.problems')).toHaveLength(2);
  });

  it('does not ask when everyone was reached', async () => {
    const { bridge } = await readyDraft();
    const id = await sendAll(bridge);
    act(() => void bridge.progress(id, { accepted: 6 }));
    expect(screen.getByTestId('send-done').getAttribute('data-outcome')).toBe('completed');
    await act(() => Promise.resolve());
    expect(bridge.callsOf('broadcast.problems')).toEqual([]);
    expect(screen.queryByTestId('send-problems')).toBeNull();
  });

  it('in English: the same reasons in English, the fallback and LINE’s words, and no Chinese', async () => {
    const { bridge } = await readyDraft(rows(6), {
      settings: { language: 'en' },
      drafts: [{ text: 'Weekend sale', selection: rows(6), whatsapp: TEMPLATE_PART }],
    });
    await endWithProblems(bridge, [
      { channel: 'line', state: 'failed', reason: 'line_quota', detail: null, count: 1 },
      { channel: 'line', state: 'failed', reason: 'line_rejected', detail: REJECTED, count: 1 },
      { channel: 'whatsapp', state: 'unknown', reason: 'wa_timeout', detail: null, count: 1 },
      { channel: 'whatsapp', state: 'failed', reason: 'wa_brand_new_code', detail: null, count: 1 },
    ]);
    await screen.findByTestId('send-problems');
    const reasonsShown = items().map((item) => within(item).getByTestId('send-problem-reason').textContent);
    expect(reasonsShown).toEqual([
      'The LINE Official Account’s message quota for this month is used up',
      'LINE refused the message',
      'WhatsApp did not answer in time: it may have been delivered; not resent automatically',
      'Other reasonwa_brand_new_code',
    ]);
    expect(items()[0]?.textContent).toContain('1 failed');
    expect(items()[2]?.textContent).toContain('1 unknown');
    expect(within(items()[1] as HTMLElement).getByTestId('send-problem-detail').textContent).toBe(REJECTED);
    const text = uiText(document.body);
    expect(text.match(CJK), text).toBeNull();
  });
});

describe('in English', () => {
  it('has no Chinese in the confirmation, the progress or the final notice (the data aside)', async () => {
    const { bridge } = await readyDraft(rows(6), {
      settings: { language: 'en' },
      drafts: [{ text: 'Weekend sale', selection: rows(6), whatsapp: TEMPLATE_PART }],
    });
    bridge.sending.statusChanges.set(eventId(1), 'not_in_progress');
    bridge.sending.lineQuotaRemaining = 2;
    bridge.sending.allowance = { monthlyLimit: 300, usedThisMonth: 12 };
    const dialog = await openConfirmation();
    expect(within(dialog).getByTestId('confirm-short').textContent).toContain('1 over the limit');
    expect(screen.getByTestId('send-fit').textContent).toBe('Send to 4 only');
    expect(within(dialog).getByTestId('confirm-skipped-item').textContent).toContain('No longer in progress');
    expect(within(dialog).getByTestId('confirm-allowance').textContent).toBe('Your monthly allowance: 288 recipients left (12 of 300 used)');
    let text = uiText(document.body);
    expect(text.match(CJK), text).toBeNull();

    act(() => screen.getByTestId('send-fit').click());
    await screen.findByTestId('send-progress');
    const id = bridge.lastBroadcastId();
    act(() => void bridge.progress(id, { accepted: 2, ratePerSecond: 3, etaSeconds: 40 }));
    expect(screen.getByTestId('progress-state').textContent).toBe('Sending');
    expect(screen.getByTestId('progress-rate').textContent).toContain('about 40 seconds left');
    text = uiText(document.body);
    expect(text.match(CJK), text).toBeNull();

    act(() => void bridge.progress(id, { accepted: 1, unknown: 1, note: 'line_quota' }));
    expect(screen.getByTestId('send-done').textContent).toContain('Broadcast complete: sent to 3 customers');
    expect(screen.getByTestId('done-unknown').textContent).toContain('not resent automatically');
    text = uiText(document.body);
    expect(text.match(CJK), text).toBeNull();
  });
});

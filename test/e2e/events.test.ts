import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eSession, startE2eSession } from '../helpers/e2e';

let session: E2eSession;
let page: Page;
let inboxUrl: string;

/** The in-progress events the Inbox API itself lists for an account, per channel: what the grid must match. */
async function inProgressCounts(account: string): Promise<{ total: number; line: number; whatsapp: number }> {
  const login = (await (
    await fetch(`${inboxUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account, password: 'demo' }),
    })
  ).json()) as { accessToken: string };
  const counts = { total: 0, line: 0, whatsapp: 0 };
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ status: 'in_progress', limit: '1000', ...(cursor ? { cursor } : {}) });
    const page = (await (
      await fetch(`${inboxUrl}/v1/events?${query}`, { headers: { authorization: `Bearer ${login.accessToken}` } })
    ).json()) as { items: Array<{ channel: 'line' | 'whatsapp' }>; nextCursor: string | null };
    for (const item of page.items) {
      counts.total += 1;
      counts[item.channel] += 1;
    }
    cursor = page.nextCursor;
  } while (cursor);
  return counts;
}

async function selection(testId = 'selection-count'): Promise<{ total: number; line: number; whatsapp: number }> {
  const element = page.getByTestId(testId);
  return {
    total: Number(await element.getAttribute('data-total')),
    line: Number(await element.getAttribute('data-line')),
    whatsapp: Number(await element.getAttribute('data-whatsapp')),
  };
}

async function signInAs(account: string): Promise<void> {
  await page.getByTestId('nav-settings').click();
  if ((await page.getByTestId('signout').count()) > 0) {
    await page.getByTestId('signout').click();
    await page.getByTestId('signout-confirm').click();
  }
  await page.getByTestId(`demo-signin-${account}`).click();
  await page.getByTestId('session-card').waitFor();
  await page.getByTestId('nav-events').click();
  await page.getByTestId('section-events').waitFor();
  // Synced when the grid shows rows and the status no longer says it is syncing.
  await page.getByTestId('event-row').first().waitFor({ timeout: 30_000 });
  await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-state'), { timeout: 30_000 }).toBe('idle');
}

beforeAll(async () => {
  session = await startE2eSession([], 'omo-e2e-events-');
  ({ page } = session);
  await page.goto(session.preview.url);
  await page.getByTestId('app-ready').waitFor();
  await page.getByTestId('nav-settings').click();
  inboxUrl = ((await page.getByTestId('workspace-inbox-url').textContent()) ?? '').trim();
});

afterAll(async () => {
  await session?.close();
});

describe('處理中事件: the seed flow, steps 1–4', () => {
  it('signs in as sales@demo and syncs the in-progress events into the grid', async () => {
    await signInAs('sales@demo');
    await session.screenshot('zh-TW-events-grid');
  });

  it('批量管理事件 → 快速全選, deselect two, filter to LINE, 快速全選 again, 批量動作 → 發送訊息', async () => {
    const expected = await inProgressCounts('sales@demo');
    expect(expected.total).toBeGreaterThan(50);

    await page.getByTestId('batch-manage').click();
    await page.getByTestId('select-all').click();
    await expect.poll(() => selection()).toEqual(expected);

    const rows = page.getByTestId('event-row');
    const deselected = [await rows.nth(0).getAttribute('data-channel'), await rows.nth(1).getAttribute('data-channel')];
    await rows.nth(0).click();
    await rows.nth(1).click();
    await expect.poll(async () => (await selection()).total).toBe(expected.total - 2);

    await page.getByTestId('filter-channel').selectOption('line');
    await expect.poll(async () => rows.evaluateAll((all) => all.every((row) => row.getAttribute('data-channel') === 'line'))).toBe(true);
    await page.getByTestId('select-all').click();
    // 快速全選 selects every row of the current filter; the WhatsApp rows deselected before stay deselected.
    const whatsappDeselected = deselected.filter((channel) => channel === 'whatsapp').length;
    const afterFilter = { total: expected.total - whatsappDeselected, line: expected.line, whatsapp: expected.whatsapp - whatsappDeselected };
    await expect.poll(() => selection()).toEqual(afterFilter);
    await session.screenshot('zh-TW-events-batch');

    await page.getByTestId('batch-actions').click();
    await page.getByTestId('batch-send').click();
    await page.getByTestId('selection-summary').waitFor();
    await expect.poll(() => selection('selection-summary')).toEqual(afterFilter);
    await session.screenshot('zh-TW-events-send-summary');
  });

  it.each(['agent@demo', 'standard@demo'])('%s sees the events read-only with the explanation', async (account) => {
    await signInAs(account);
    await page.getByTestId('broadcast-blocked').waitFor();
    expect(await page.getByTestId('batch-manage').count()).toBe(0);
    expect(await page.getByTestId('batch-actions').count()).toBe(0);
    await session.screenshot(`zh-TW-events-blocked-${account.split('@')[0]}`);
  });

  it('raised no page errors', () => {
    expect(session.pageErrors).toEqual([]);
  });
});

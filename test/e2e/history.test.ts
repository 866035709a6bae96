import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../helpers/app-flow';
import { type E2eSession, startE2eSession } from '../helpers/e2e';

/**
 * 發送紀錄 and 報表 in headless Chromium through the preview host and the demo workspace: a LINE broadcast with an
 * official and an other link, its first request failed on purpose through the sandbox's faults; the history shows the
 * right counts, the detail and the exported CSV (parsed back) agree; 報表's counters move by exactly the accepted
 * messages and their links; retrying the failed customers reaches them and moves the counters again.
 */

let session: E2eSession;
let page: Page;
let sandboxOrigin: string;

const TEXT = '週末限定！官網選購：https://shop.morninglight.example/weekend 追蹤我們：https://www.instagram.com/morninglight';

interface Counters {
  messages: number;
  official: number;
  other: number;
}

async function reportCounters(): Promise<Counters> {
  await page.getByTestId('nav-report').click();
  await page.getByTestId('report').waitFor();
  await page.locator('[data-testid="report-preset"][data-preset="today"]').click();
  const read = async (id: string) => Number(await page.getByTestId(id).getAttribute('data-value'));
  await expect.poll(() => page.getByTestId('report-messages').getAttribute('data-value'), { timeout: 15_000 }).not.toBeNull();
  return { messages: await read('report-messages'), official: await read('report-official'), other: await read('report-other') };
}

async function waitFinished(): Promise<{ accepted: number; failed: number }> {
  const progress = page.getByTestId('send-progress').first();
  await progress.waitFor({ timeout: 15_000 });
  await expect.poll(() => progress.getAttribute('data-state'), { timeout: 60_000 }).toMatch(/^(completed|completed_with_failures)$/);
  const counts = page.getByTestId('progress-counts').first();
  await expect.poll(() => counts.getAttribute('data-pending'), { timeout: 15_000 }).toBe('0');
  return { accepted: Number(await counts.getAttribute('data-accepted')), failed: Number(await counts.getAttribute('data-failed')) };
}

beforeAll(async () => {
  session = await startE2eSession([], 'omo-e2e-history-');
  ({ page } = session);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(session.preview.url);
  await page.getByTestId('app-ready').waitFor();
  await page.getByTestId('nav-settings').click();
  sandboxOrigin = ((await page.getByTestId('workspace-inbox-url').textContent()) ?? '').trim();
  await page.getByTestId('demo-signin-sales@demo').click();
  await page.getByTestId('session-card').waitFor();
});

afterAll(async () => {
  await session?.close();
});

describe('發送紀錄 and 報表', () => {
  let before: Counters;
  let selectedLine = 0;
  let first = { accepted: 0, failed: 0 };

  it('sends to the LINE customers, the first request failing on purpose', async () => {
    before = await reportCounters();
    await page.getByTestId('nav-events').click();
    await page.getByTestId('event-row').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-state'), { timeout: 30_000 }).toBe('idle');
    await page.getByTestId('batch-manage').click();
    await page.getByTestId('filter-channel').selectOption('line');
    await page.getByTestId('select-all').click();
    await page.getByTestId('batch-actions').click();
    await page.getByTestId('batch-send').click();
    await page.getByTestId('composer').waitFor();
    selectedLine = Number(await page.getByTestId('selection-summary').getAttribute('data-line'));
    expect(selectedLine).toBeGreaterThan(0);
    await page.getByTestId('text-input').fill(TEXT);
    await expect.poll(() => page.getByTestId('check-status').getAttribute('data-ready'), { timeout: 15_000 }).toBe('true');

    const fault = await fetch(`${sandboxOrigin}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'line.multicast', kind: 'status', status: 400, count: 1 }),
    });
    expect(fault.status).toBe(200);
    await page.getByTestId('send').click();
    await page.getByTestId('confirm-counts').waitFor({ timeout: 30_000 });
    await page.getByTestId('send-go').click();
    first = await waitFinished();
    expect(first.failed).toBeGreaterThan(0);
    expect(first.accepted + first.failed).toBe(selectedLine);
  });

  it('shows it in 發送紀錄 with the right counts, its content and its recipients', async () => {
    await page.getByTestId('nav-history').click();
    const item = page.getByTestId('history-item').first();
    await item.waitFor({ timeout: 15_000 });
    await expect.poll(() => item.getAttribute('data-accepted'), { timeout: 15_000 }).toBe(String(first.accepted));
    expect(await item.getAttribute('data-failed')).toBe(String(first.failed));
    expect(await item.getAttribute('data-state')).toBe('completed_with_failures');
    await session.screenshot('zh-TW-history');

    await item.getByTestId('history-item-open').click();
    await page.getByTestId('history-detail').waitFor();
    const kinds = await page.getByTestId('history-link').evaluateAll((links) => links.map((link) => link.getAttribute('data-kind')));
    expect(kinds).toEqual(['official', 'other']);
    expect(await page.getByTestId('history-line-text').textContent()).toContain('utm_medium=omo_broadcast');
    await expect.poll(() => page.getByTestId('recipient-row').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await session.screenshot('zh-TW-history-detail');
  });

  it('exports the recipients as CSV that parses back', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('history-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^omo-broadcast-.*\.csv$/);
    const path = await download.path();
    const text = readFileSync(path, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const rows = parseCsv(text.slice(1));
    expect(rows).toHaveLength(selectedLine + 1);
    expect(rows.slice(1).every((row) => row.length === rows[0]?.length)).toBe(true);
  });

  it('moves 報表 by exactly the accepted messages and their links', async () => {
    const after = await reportCounters();
    expect(after.messages - before.messages).toBe(first.accepted);
    expect(after.official - before.official).toBe(first.accepted);
    expect(after.other - before.other).toBe(first.accepted);
    await page.getByTestId('report-chart').waitFor();
    await session.screenshot('zh-TW-report');
    before = after;
  });

  it('retries the failed customers: they are reached, and the report moves by them', async () => {
    // 發送紀錄 still shows the detail that was open.
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-detail').waitFor();
    const retry = page.getByTestId('history-retry-failed');
    await expect.poll(() => retry.getAttribute('data-count'), { timeout: 15_000 }).toBe(String(first.failed));
    await retry.click();
    await page.getByTestId('confirm-counts').waitFor({ timeout: 30_000 });
    expect(Number(await page.getByTestId('confirm-counts').getAttribute('data-total'))).toBe(first.failed);
    await page.getByTestId('send-go').click();
    const second = await waitFinished();
    expect(second).toEqual({ accepted: first.failed, failed: 0 });

    const after = await reportCounters();
    expect(after.messages - before.messages).toBe(first.failed);
    expect(after.official - before.official).toBe(first.failed);

    await page.getByTestId('nav-history').click();
    if (await page.getByTestId('history-back').isVisible()) await page.getByTestId('history-back').click();
    const newest = page.getByTestId('history-item').first();
    await expect.poll(() => newest.getAttribute('data-kind'), { timeout: 15_000 }).toBe('retry_failed');
  });

  it('raised no page errors', () => {
    expect(session.pageErrors).toEqual([]);
  });
});

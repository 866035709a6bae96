import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eSession, startE2eSession } from '../helpers/e2e';

/**
 * The seed's whole flow in headless Chromium through the preview host and the demo workspace: 處理中事件 →
 * 批量管理事件 → 快速全選 → 批量動作 → 發送訊息 → image + text (and the WhatsApp template) → 發送 → the confirmation →
 * a progress bar that completes; then the demo sandbox's ledger holds one LINE message per selected LINE customer and
 * one template per WhatsApp customer (but the few the demo marks undeliverable, which end failed with Meta's reason).
 */

// The page script below runs in Chromium; this project compiles for Node (no DOM lib).
/* eslint-disable @typescript-eslint/no-explicit-any -- browser globals, typed loosely for the in-page script */
declare const DataTransfer: any;
declare const DragEvent: any;
declare const File: any;
/* eslint-enable @typescript-eslint/no-explicit-any */

let session: E2eSession;
let page: Page;
let sandboxOrigin: string;

interface LedgerEntry {
  channel: 'line' | 'whatsapp';
  recipient: string;
  at: number;
}

async function ledger(since: number): Promise<LedgerEntry[]> {
  const answer = (await (await fetch(`${sandboxOrigin}/_sandbox/ledger?since=${since}`)).json()) as { entries: LedgerEntry[] };
  return answer.entries;
}

async function dropImage(): Promise<void> {
  const png = await sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 220, g: 120, b: 40 } } }).png().toBuffer();
  await page.getByTestId('image-drop').evaluate(
    (zone, base64) => {
      const binary = atob(base64);
      const data = new Uint8Array(binary.length);
      for (let index = 0; index < binary.length; index += 1) data[index] = binary.charCodeAt(index);
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], 'autumn.png', { type: 'image/png' }));
      for (const kind of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(kind, { bubbles: true, cancelable: true, dataTransfer: transfer }));
      }
    },
    png.toString('base64'),
  );
  await page.getByTestId('image-thumb').waitFor({ timeout: 15_000 });
}

beforeAll(async () => {
  session = await startE2eSession([], 'omo-e2e-send-');
  ({ page } = session);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto(session.preview.url);
  await page.getByTestId('app-ready').waitFor();
  await page.getByTestId('nav-settings').click();
  sandboxOrigin = ((await page.getByTestId('workspace-inbox-url').textContent()) ?? '').trim();
});

afterAll(async () => {
  await session?.close();
});

describe('the seed flow, sent', () => {
  let selected = { total: 0, line: 0, whatsapp: 0 };
  let since = 0;
  let failed = 0;

  it('處理中事件 → 批量管理事件 → 快速全選 → 批量動作 → 發送訊息', async () => {
    await page.getByTestId('demo-signin-sales@demo').click();
    await page.getByTestId('session-card').waitFor();
    await page.getByTestId('nav-events').click();
    await page.getByTestId('event-row').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('sync-status').getAttribute('data-state'), { timeout: 30_000 }).toBe('idle');
    await page.getByTestId('batch-manage').click();
    await page.getByTestId('select-all').click();
    await page.getByTestId('batch-actions').click();
    await page.getByTestId('batch-send').click();
    await page.getByTestId('composer').waitFor();
    const summary = page.getByTestId('selection-summary');
    await expect.poll(async () => Number(await summary.getAttribute('data-total')), { timeout: 15_000 }).toBeGreaterThan(0);
    selected = {
      total: Number(await summary.getAttribute('data-total')),
      line: Number(await summary.getAttribute('data-line')),
      whatsapp: Number(await summary.getAttribute('data-whatsapp')),
    };
    expect(selected.line).toBeGreaterThan(0);
    expect(selected.whatsapp).toBeGreaterThan(0);
  });

  it('上傳圖片或輸入文案, and the WhatsApp template for each number', async () => {
    await dropImage();
    await page.getByTestId('text-input').fill('秋季新品到貨！官網選購：https://shop.morninglight.example/autumn');
    const numbers = page.getByTestId('wa-number');
    await numbers.first().waitFor({ timeout: 15_000 });
    for (let index = 0; index < (await numbers.count()); index += 1) {
      const number = numbers.nth(index);
      const select = number.getByTestId('wa-template');
      await expect.poll(() => select.locator('option').count(), { timeout: 15_000 }).toBeGreaterThan(1);
      const value = await select.locator('option').evaluateAll(
        (options) =>
          (options as unknown as Array<{ value: string; textContent: string | null }>).find(
            (option) => option.textContent?.includes('new_arrival') && option.textContent.includes('zh_TW'),
          )?.value,
      );
      if (value === undefined) throw new Error('new_arrival (zh_TW) is not offered');
      await select.selectOption(value);
      const first = number.locator('[data-testid="wa-param"][data-key="1"]');
      await first.getByTestId('wa-param-source').selectOption('customer_name');
      await first.getByTestId('wa-param-text').fill('貴賓');
      await number.locator('[data-testid="wa-param"][data-key="2"]').getByTestId('wa-param-text').fill('秋季針織外套');
    }
    await expect.poll(() => page.getByTestId('check-status').getAttribute('data-ready'), { timeout: 15_000 }).toBe('true');
  });

  it('發送 shows the confirmation: counts per channel, nothing skipped, an estimate', async () => {
    await page.getByTestId('send').click();
    const confirm = page.getByTestId('send-confirm');
    await confirm.waitFor();
    const counts = page.getByTestId('confirm-counts');
    await counts.waitFor({ timeout: 30_000 });
    expect({
      total: Number(await counts.getAttribute('data-total')),
      line: Number(await counts.getAttribute('data-line')),
      whatsapp: Number(await counts.getAttribute('data-whatsapp')),
    }).toEqual(selected);
    await page.getByTestId('confirm-estimate').waitFor();
    await session.screenshot('zh-TW-send-confirm');
  });

  it('確認發送: the progress bar completes', async () => {
    since = Date.now() - 1;
    await page.getByTestId('send-go').click();
    const progress = page.getByTestId('send-progress').first();
    await progress.waitFor({ timeout: 15_000 });
    // The demo marks about 2 % of its WhatsApp contacts undeliverable (Meta's 131026), as real numbers are.
    await expect
      .poll(() => progress.getAttribute('data-state'), { timeout: 60_000 })
      .toMatch(/^(completed|completed_with_failures)$/);
    await expect.poll(() => page.getByTestId('progress-bar').first().getAttribute('aria-valuenow')).toBe('100');
    const counts = page.getByTestId('progress-counts').first();
    failed = Number(await counts.getAttribute('data-failed'));
    expect(Number(await counts.getAttribute('data-accepted'))).toBe(selected.total - failed);
    expect(failed).toBeLessThan(selected.whatsapp / 10 + 1);
    expect(Number(await counts.getAttribute('data-unknown'))).toBe(0);
    expect(Number(await counts.getAttribute('data-pending'))).toBe(0);
    await page.getByTestId('send-done').waitFor();
    await page.getByTestId('composer').evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await session.screenshot('zh-TW-send-progress');
  });

  it('the sandbox ledger holds one LINE message per LINE customer and one template per WhatsApp customer', async () => {
    const entries = await ledger(since);
    const line = entries.filter((entry) => entry.channel === 'line');
    const whatsapp = entries.filter((entry) => entry.channel === 'whatsapp');
    expect(line).toHaveLength(selected.line);
    // Every WhatsApp customer got the template once, but those Meta refused (undeliverable, counted as failed).
    expect(whatsapp).toHaveLength(selected.whatsapp - failed);
    expect(new Set(line.map((entry) => entry.recipient)).size).toBe(line.length);
    expect(new Set(whatsapp.map((entry) => entry.recipient)).size).toBe(whatsapp.length);
  });

  it('raised no page errors', () => {
    expect(session.pageErrors).toEqual([]);
  });
});

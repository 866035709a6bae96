import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eSession, startE2eSession } from '../helpers/e2e';

/**
 * The seed's step 5 (上傳圖片或輸入文案) in headless Chromium through the preview host and the demo workspace: from
 * 處理中事件 to the composer, real `drop` events carrying a PNG and an EXIF-rotated JPEG, a text with an official and an
 * other link, a WhatsApp template filled per number, then a reload and the draft reopened from 草稿, intact.
 */

// The page scripts below run in Chromium; this project compiles for Node (no DOM lib), so they name what they use.
/* eslint-disable @typescript-eslint/no-explicit-any -- browser globals, typed loosely for the in-page scripts */
declare const DataTransfer: any;
declare const DragEvent: any;
declare const File: any;
declare const document: any;
/* eslint-enable @typescript-eslint/no-explicit-any */
interface ImageLike {
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
}
interface OptionLike {
  value: string;
  textContent: string | null;
}
interface SelectLike {
  selectedOptions: ArrayLike<OptionLike>;
}

let session: E2eSession;
let page: Page;

const TEXT = '秋季新品到貨！官網選購：https://shop.morninglight.example/autumn 也歡迎看看 https://www.instagram.com/morninglight';

/** A PNG the composer takes as is: wide, so an upright thumbnail is wider than tall. */
async function landscapePng(): Promise<Buffer> {
  return sharp({ create: { width: 480, height: 300, channels: 3, background: { r: 40, g: 140, b: 90 } } }).png().toBuffer();
}

/**
 * A JPEG stored 400×200 — left half red, right half blue — with EXIF orientation 6 (rotate 90° clockwise to view).
 * Upright it is 200×400 with red on top: what the thumbnail must show.
 */
async function rotatedJpeg(): Promise<Buffer> {
  const half = (r: number, b: number) => sharp({ create: { width: 200, height: 200, channels: 3, background: { r, g: 0, b } } }).png().toBuffer();
  const [red, blue] = await Promise.all([half(230, 10), half(10, 230)]);
  return sharp({ create: { width: 400, height: 200, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite([
      { input: red, left: 0, top: 0 },
      { input: blue, left: 200, top: 0 },
    ])
    .jpeg({ quality: 92 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** Dispatches a real `drop` event with a DataTransfer holding the file, on the drop zone (DESIGN §9). */
async function dropFile(bytes: Buffer, name: string, type: string): Promise<void> {
  await page.getByTestId('image-drop').evaluate(
    (zone, file) => {
      const binary = atob(file.base64);
      const data = new Uint8Array(binary.length);
      for (let index = 0; index < binary.length; index += 1) data[index] = binary.charCodeAt(index);
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], file.name, { type: file.type }));
      for (const kind of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(kind, { bubbles: true, cancelable: true, dataTransfer: transfer }));
      }
    },
    { base64: bytes.toString('base64'), name, type },
  );
}

/** The thumbnail's natural size and the colours at its top and bottom centre, read back through a canvas. */
async function thumbnail(): Promise<{ width: number; height: number; top: number[]; bottom: number[] }> {
  const thumb = page.getByTestId('image-thumb');
  await expect
    .poll(() => thumb.evaluate((element) => (element as unknown as ImageLike).complete && (element as unknown as ImageLike).naturalWidth > 0), {
      timeout: 15_000,
    })
    .toBe(true);
  return thumb.evaluate((element) => {
    const img = element as unknown as ImageLike;
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context');
    context.drawImage(img, 0, 0);
    const at = (y: number) => [...context.getImageData(Math.floor(canvas.width / 2), y, 1, 1).data].slice(0, 3);
    return { width: img.naturalWidth, height: img.naturalHeight, top: at(5), bottom: at(canvas.height - 6) };
  });
}

async function waitSaved(): Promise<void> {
  await expect.poll(() => page.getByTestId('save-status').getAttribute('data-state'), { timeout: 15_000 }).toBe('saved');
}

async function linkKinds(): Promise<string[]> {
  return page.getByTestId('link').evaluateAll((links) => links.map((link) => link.getAttribute('data-kind') ?? ''));
}

beforeAll(async () => {
  session = await startE2eSession([], 'omo-e2e-composer-');
  ({ page } = session);
  // Wide enough for the LINE and WhatsApp phones side by side.
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto(session.preview.url);
  await page.getByTestId('app-ready').waitFor();
});

afterAll(async () => {
  await session?.close();
});

describe('上傳圖片或輸入文案: the composer and its draft', () => {
  it('goes from 處理中事件 through 快速全選 and 批量動作 to 發送訊息', async () => {
    await page.getByTestId('nav-settings').click();
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
    await page.getByTestId('image-drop').waitFor();
  });

  it('takes a dropped PNG, then replaces it with a dropped EXIF-rotated JPEG shown upright', async () => {
    await dropFile(await landscapePng(), 'new-arrival.png', 'image/png');
    const png = await thumbnail();
    expect(png.width).toBeGreaterThan(png.height);

    await dropFile(await rotatedJpeg(), 'IMG_0420.jpg', 'image/jpeg');
    await expect.poll(async () => (await thumbnail()).height > (await thumbnail()).width, { timeout: 15_000 }).toBe(true);
    const jpeg = await thumbnail();
    // Upright: red on top, blue at the bottom (the stored pixels had them left and right).
    expect(jpeg.top[0]).toBeGreaterThan(150);
    expect(jpeg.top[2]).toBeLessThan(100);
    expect(jpeg.bottom[2]).toBeGreaterThan(150);
    expect(jpeg.bottom[0]).toBeLessThan(100);
    await waitSaved();
  });

  it('refuses a file that is not an image with a clear message, keeping the image', async () => {
    await dropFile(Buffer.from('just some text, not a picture'), 'notes.txt', 'text/plain');
    await page.getByTestId('image-error').waitFor();
    expect((await page.getByTestId('image-error').textContent())?.length).toBeGreaterThan(4);
    expect((await thumbnail()).height).toBeGreaterThan((await thumbnail()).width);
  });

  it('counts the text as LINE does and labels an official and an other link', async () => {
    await page.getByTestId('text-input').fill(TEXT);
    await expect.poll(() => page.getByTestId('text-counter').textContent()).toContain(String(TEXT.length));
    await expect.poll(linkKinds, { timeout: 15_000 }).toEqual(['official', 'other']);
    const links = page.getByTestId('link');
    expect(await links.nth(0).textContent()).toContain('官網連結');
    expect(await links.nth(1).textContent()).toContain('非官網連結');
    // The demo workspace tags official links: the preview shows the tagged link.
    await expect.poll(() => page.getByTestId('preview-line').textContent()).toContain('utm_medium=omo_broadcast');
    await waitSaved();
  });

  it('fills a WhatsApp template for every number in the selection', async () => {
    const numbers = page.getByTestId('wa-number');
    await numbers.first().waitFor({ timeout: 15_000 });
    const count = await numbers.count();
    expect(count).toBeGreaterThan(0);
    for (let index = 0; index < count; index += 1) {
      const number = numbers.nth(index);
      const select = number.getByTestId('wa-template');
      await expect.poll(() => select.locator('option').count(), { timeout: 15_000 }).toBeGreaterThan(1);
      const value = await select.locator('option').evaluateAll(
        (options) => (options as unknown as OptionLike[]).find((option) => option.textContent?.includes('new_arrival') && option.textContent.includes('zh_TW'))?.value,
      );
      if (value === undefined) throw new Error('new_arrival (zh_TW) is not offered');
      await select.selectOption(value);
      const first = number.locator('[data-testid="wa-param"][data-key="1"]');
      await first.waitFor();
      await first.getByTestId('wa-param-source').selectOption('customer_name');
      await first.getByTestId('wa-param-text').fill('貴賓');
      await number.locator('[data-testid="wa-param"][data-key="2"]').getByTestId('wa-param-text').fill('秋季針織外套');
    }
    await expect.poll(() => page.getByTestId('check-status').getAttribute('data-ready'), { timeout: 15_000 }).toBe('true');
    await expect.poll(() => page.getByTestId('preview-whatsapp').first().textContent()).toContain('秋季針織外套');
    await waitSaved();
    await page.getByTestId('composer').evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await session.screenshot('zh-TW-composer');
  });

  it('after a reload, reopens the draft from 草稿 intact', async () => {
    await page.reload();
    await page.getByTestId('app-ready').waitFor();
    await page.getByTestId('nav-drafts').click();
    const item = page.getByTestId('draft-item').first();
    await item.waitFor();
    expect(await item.textContent()).toContain('秋季新品到貨');
    await session.screenshot('zh-TW-drafts-list');
    await item.getByTestId('draft-open').click();
    await page.getByTestId('composer').waitFor();

    expect(await page.getByTestId('text-input').inputValue()).toBe(TEXT);
    const jpeg = await thumbnail();
    expect(jpeg.height).toBeGreaterThan(jpeg.width);
    await expect.poll(linkKinds, { timeout: 15_000 }).toEqual(['official', 'other']);
    const first = page.getByTestId('wa-number').first();
    await first.waitFor({ timeout: 15_000 });
    expect(await first.getByTestId('wa-template').evaluate((select) => (select as unknown as SelectLike).selectedOptions[0]?.textContent ?? '')).toContain('new_arrival');
    const param = first.locator('[data-testid="wa-param"][data-key="1"]');
    expect(await param.getByTestId('wa-param-source').inputValue()).toBe('customer_name');
    expect(await param.getByTestId('wa-param-text').inputValue()).toBe('貴賓');
    await expect.poll(() => page.getByTestId('check-status').getAttribute('data-ready'), { timeout: 15_000 }).toBe('true');
  });

  it('speaks English when switched', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('language-select').selectOption('en');
    // 草稿 still has the draft open.
    await page.getByTestId('nav-drafts').click();
    await page.getByTestId('composer').waitFor();
    await expect.poll(() => page.getByTestId('link').first().textContent(), { timeout: 15_000 }).toMatch(/official/i);
    expect(await page.getByTestId('link').nth(1).textContent()).toMatch(/other/i);
    await page.getByTestId('composer').evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await session.screenshot('en-composer');
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('language-select').selectOption('zh-TW');
  });

  it('raised no page errors', () => {
    expect(session.pageErrors).toEqual([]);
  });
});

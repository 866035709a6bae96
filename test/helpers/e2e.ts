import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { type Browser, launchBrowser } from './browser';
import { PROJECT_ROOT, type RunningPreview, startPreview } from './preview';

export const SCREENSHOTS = path.join(PROJECT_ROOT, 'test', 'e2e', 'screenshots');

export interface E2eSession {
  preview: RunningPreview;
  browser: Browser;
  page: Page;
  dataDir: string;
  /** Page errors and console errors seen so far; a test asserts it stays empty. */
  pageErrors: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * One end-to-end session: the preview host (`npm run preview`'s program, on a fresh data folder, with `args`) and a
 * headless Chromium page that records every page error. Failed resource loads (an avatar 404) are not errors.
 */
export async function startE2eSession(args: string[] = [], prefix = 'omo-e2e-'): Promise<E2eSession> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const preview = await startPreview(['--data', dataDir, ...args]);
  const browser = await launchBrowser();
  const page = await browser.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('Failed to load resource')) pageErrors.push(message.text());
  });
  return {
    preview,
    browser,
    page,
    dataDir,
    pageErrors,
    screenshot: async (name) => {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
    },
    async close() {
      await browser.close();
      await preview.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, launchBrowser } from '../helpers/browser';
import { PROJECT_ROOT, type RunningPreview, startPreview } from '../helpers/preview';

const SCREENSHOTS = path.join(PROJECT_ROOT, 'test', 'e2e', 'screenshots');

let dataDir: string;
let preview: RunningPreview;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'omo-e2e-onboarding-'));
  // Told not to open the demo by itself: the first start of the desktop app.
  preview = await startPreview(['--data', dataDir, '--no-demo']);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await preview?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('first start: choosing the demo workspace', () => {
  it('offers the demo (default) or a workspace of your own', async () => {
    await page.goto(preview.url);
    await page.getByTestId('onboarding').waitFor();
    await expect.poll(() => page.getByTestId('status-mode').textContent()).toContain('尚未設定');
    expect(await page.evaluate('document.activeElement?.dataset?.testid')).toBe('onboarding-demo');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'zh-TW-onboarding.png') });

    await page.getByTestId('onboarding-connect').click();
    await page.getByTestId('onboarding-connect-panel').waitFor();
    await page.getByTestId('onboarding-back').click();
    await page.getByTestId('onboarding-demo').waitFor();
  });

  it('starts the demo workspace and lands on 對話, in demo mode', async () => {
    await page.getByTestId('onboarding-demo').click();
    await page.getByTestId('section-events').waitFor();
    await expect.poll(() => page.getByTestId('status-mode').textContent()).toContain('示範');
  });

  it('lists the demo logins in 設定, and the demo Inbox answers them', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('workspace-card').waitFor();
    await expect.poll(() => page.getByTestId('demo-account').count()).toBe(6);
    const inboxUrl = (await page.getByTestId('workspace-inbox-url').textContent())?.trim() ?? '';
    expect(inboxUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'zh-TW-settings-demo.png'), fullPage: true });
    const login = await fetch(`${inboxUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'manager@demo', password: 'demo' }),
    });
    expect(login.status).toBe(200);
  });

  it('remembers the choice: a reload opens the app, not the welcome screen', async () => {
    await page.reload();
    await page.getByTestId('app-ready').waitFor();
    await page.getByTestId('nav-events').waitFor();
    expect(await page.getByTestId('onboarding').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});

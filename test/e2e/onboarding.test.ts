import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eSession, startE2eSession } from '../helpers/e2e';

let session: E2eSession;
let page: Page;

beforeAll(async () => {
  // Told not to open the demo by itself: the first start of the desktop app.
  session = await startE2eSession(['--no-demo'], 'omo-e2e-onboarding-');
  ({ page } = session);
});

afterAll(async () => {
  await session?.close();
});

describe('first start: choosing the demo workspace', () => {
  it('offers the demo (default) or a workspace of your own', async () => {
    await page.goto(session.preview.url);
    await page.getByTestId('onboarding').waitFor();
    await expect.poll(() => page.getByTestId('status-mode').textContent()).toContain('尚未設定');
    expect(await page.evaluate('document.activeElement?.dataset?.testid')).toBe('onboarding-demo');
    await session.screenshot('zh-TW-onboarding');

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
    await session.screenshot('zh-TW-settings-demo');
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
    expect(session.pageErrors).toEqual([]);
  });
});

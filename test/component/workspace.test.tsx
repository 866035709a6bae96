import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_INBOX_URL, NO_WORKSPACE, demoWorkspace } from './fake-bridge';
import { CJK, renderApp, uiText } from './harness';

async function openSettings(options: Parameters<typeof renderApp>[0] = {}) {
  const result = await renderApp(options);
  act(() => screen.getByTestId('nav-settings').click());
  return { ...result, card: screen.getByTestId('workspace-card') };
}

describe('設定 › 工作區', () => {
  it('shows the demo workspace, its loopback Inbox URL and its logins with translated roles', async () => {
    const { card } = await openSettings();
    expect(within(card).getByTestId('workspace-kind').textContent).toBe('示範工作區');
    const url = within(card).getByTestId('workspace-inbox-url');
    expect(url.textContent).toBe(DEMO_INBOX_URL);
    expect(url.querySelector('code')).toBeTruthy();

    const rows = within(card).getAllByTestId('demo-account');
    expect(rows).toHaveLength(DEMO_ACCOUNTS.length);
    const cells = rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent));
    expect(cells).toEqual([
      ['manager@demo', '陳怡君', '銷售經理', 'OMO', '台北信義店', '可以', '以此帳號登入'],
      ['sales@demo', '林志豪', '銷售人員', 'OMO', '台北信義店', '可以', '以此帳號登入'],
      ['agent@demo', '張家豪', '客服人員', 'OMO', '台北信義店', '不可', '以此帳號登入'],
      ['admin@demo', '黃淑芬', '管理員', 'OMO', '不限門市', '不可', '以此帳號登入'],
      ['standard@demo', '李小華', '銷售人員', 'Standard', '巷口小舖 本店', '不可', '以此帳號登入'],
    ]);
    expect(card.textContent).toContain('每個示範帳號的密碼都是 demo。');
    expect(card.textContent).toContain('只有 OMO 方案的「銷售經理」與「銷售人員」可以群發訊息');
    expect(card.textContent).toContain('登入後，對話頁面會列出這個帳號正在處理的事件。');
  });

  it('translates the roles and plans in English, with no Chinese but the user data', async () => {
    const { card } = await openSettings({ settings: { language: 'en' } });
    expect(within(card).getByTestId('workspace-kind').textContent).toBe('Demo workspace');
    const roles = within(card)
      .getAllByTestId('demo-account')
      .map((row) => row.querySelectorAll('td')[2]?.textContent);
    expect(roles).toEqual(['Sales manager', 'Sales person', 'Agent', 'Admin', 'Sales person']);
    expect(card.textContent).toContain('Every demo account’s password is demo.');
    const text = uiText(document.body);
    expect(text.match(CJK), text).toBeNull();
  });

  it('says when the demo is still starting, and follows workspace.changed', async () => {
    const { bridge, card } = await openSettings({
      workspace: demoWorkspace({ inboxUrl: null, starting: true, demoAccounts: [] }),
    });
    expect(within(card).getByTestId('workspace-inbox-url').textContent).toBe('正在啟動示範工作區…');
    expect(within(card).queryAllByTestId('demo-account')).toHaveLength(0);

    act(() => bridge.emit('workspace.changed', demoWorkspace()));
    expect(within(card).getByTestId('workspace-inbox-url').textContent).toBe(DEMO_INBOX_URL);
    expect(within(card).getAllByTestId('demo-account')).toHaveLength(DEMO_ACCOUNTS.length);
  });

  it('names a connected workspace without demo logins', async () => {
    const { card } = await openSettings({
      appInfo: { mode: 'connected' },
      workspace: { kind: 'remote', inboxUrl: 'https://inbox.example.com', starting: false, demoAccounts: [] },
    });
    expect(within(card).getByTestId('workspace-kind').textContent).toBe('已連線的工作區');
    expect(within(card).getByTestId('workspace-inbox-url').textContent).toBe('https://inbox.example.com');
    expect(within(card).queryByTestId('demo-accounts')).toBeNull();
  });

  it('shows 未設定 for no workspace', async () => {
    const { card } = await openSettings({ appInfo: { mode: 'offline' }, workspace: NO_WORKSPACE });
    expect(within(card).getByTestId('workspace-kind').textContent).toBe('未設定');
    expect(within(card).queryByTestId('workspace-inbox-url')).toBeNull();
  });

  it('explains a failed workspace.get without blocking the app', async () => {
    const { FakeBridge } = await import('./fake-bridge');
    const bridge = new FakeBridge();
    bridge.failNext('workspace.get', 'internal');
    const { card } = await openSettings(bridge);
    expect(card.textContent).toContain('無法讀取工作區資訊。');
    expect(card.textContent).toContain('發生未預期的錯誤');
  });
});

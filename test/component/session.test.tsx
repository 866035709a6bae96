import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../preload/contract';
import { zhTW } from '../../renderer/src/i18n/zh-TW';
import { FakeBridge, NO_WORKSPACE } from './fake-bridge';
import { CJK, renderApp, uiText } from './harness';

async function openSettings(options: ConstructorParameters<typeof FakeBridge>[0] = {}) {
  const result = await renderApp(new FakeBridge(options));
  act(() => screen.getByTestId('nav-settings').click());
  return result;
}

function fillAndSubmit(fields: { url?: string; account: string; password: string }) {
  if (fields.url !== undefined) fireEvent.change(screen.getByTestId('signin-inbox-url'), { target: { value: fields.url } });
  fireEvent.change(screen.getByTestId('signin-account'), { target: { value: fields.account } });
  fireEvent.change(screen.getByTestId('signin-password'), { target: { value: fields.password } });
  act(() => screen.getByTestId('signin-submit').click());
}

describe('sign-in in 設定 › 工作區', () => {
  it('signs in to the demo with the plain form (no Inbox URL) and shows the session', async () => {
    const { bridge } = await openSettings();
    const form = screen.getByTestId('signin-form');
    expect(within(form).queryByTestId('signin-inbox-url')).toBeNull();
    expect((screen.getByTestId('signin-submit') as HTMLButtonElement).disabled).toBe(true);

    fillAndSubmit({ account: 'sales@demo', password: 'demo' });
    const card = await screen.findByTestId('session-card');
    expect(bridge.callsOf('session.signIn')).toEqual([{ account: 'sales@demo', password: 'demo' }]);
    expect(within(card).getByTestId('session-account').textContent).toBe('sales@demo');
    expect(card.textContent).toContain('林志豪');
    expect(within(card).getByTestId('session-role').textContent).toBe('銷售人員');
    expect(within(card).getByTestId('session-plan').textContent).toBe('OMO');
    expect(card.textContent).toContain('晨光選物 Morning Light');
    expect(card.textContent).toContain('台北信義店');
    const channels = within(card).getByTestId('session-channels');
    expect(channels.textContent).toContain('晨光選物 LINE');
    expect(channels.textContent).toContain('權杖 …a1f');
    expect(channels.textContent).toContain('權杖 …9c2');
    expect(screen.queryByTestId('signin-form')).toBeNull();
    // The list loads for the new session.
    await waitFor(() => expect(bridge.callsOf('events.list').length).toBeGreaterThan(0));
  });

  it.each<[ErrorCode, { url?: string; account: string; password: string } | null]>([
    ['invalid_credentials', { account: 'sales@demo', password: 'wrong' }],
    ['invalid_inbox_url', { url: 'ftp://inbox.example.com', account: 'remote@example.com', password: 'demo' }],
    ['unreachable', { url: 'https://unreachable.example.com', account: 'remote@example.com', password: 'demo' }],
    ['bad_server_response', { url: 'https://not-an-inbox.example.com', account: 'remote@example.com', password: 'demo' }],
    ['demo_unavailable', null],
  ])('explains %s in words, by its code', async (code, fields) => {
    const needsUrl = fields?.url !== undefined;
    const { bridge } = await openSettings(
      needsUrl ? { appInfo: { mode: 'connected' }, workspace: { ...NO_WORKSPACE, kind: 'remote', inboxUrl: null } } : {},
    );
    if (!fields) bridge.failNext('session.signIn', code);
    fillAndSubmit(fields ?? { account: 'sales@demo', password: 'demo' });
    const error = await screen.findByTestId('signin-error');
    expect(error.textContent).toBe(zhTW.errors[code]);
    expect(error.textContent).not.toContain('fake');
    expect(screen.queryByTestId('session-card')).toBeNull();
  });

  it('signs in with one click on a demo account, and marks it as the current one', async () => {
    const { bridge } = await openSettings();
    act(() => screen.getByTestId('demo-signin-sales@demo').click());
    await screen.findByTestId('session-card');
    expect(bridge.callsOf('session.signIn')).toEqual([{ account: 'sales@demo', password: 'demo' }]);
    const row = screen.getAllByTestId('demo-account').find((candidate) => candidate.textContent?.includes('sales@demo'));
    expect(row && within(row).getByTestId('demo-current').textContent).toBe('目前登入');
    expect(screen.queryByTestId('demo-signin-sales@demo')).toBeNull();
    expect(screen.getByTestId('demo-signin-manager@demo')).toBeTruthy();
  });

  it('offers another workspace’s Inbox URL from the demo', async () => {
    await openSettings();
    expect(screen.queryByTestId('signin-inbox-url')).toBeNull();
    act(() => screen.getByTestId('signin-toggle-url').click());
    expect(screen.getByTestId('signin-inbox-url')).toBeTruthy();
  });

  it('signs out only after a confirmation that says what goes and what stays', async () => {
    const { bridge } = await openSettings({ signedInAs: 'sales@demo', drafts: [{ text: '週年慶' }] });
    await screen.findByTestId('session-card');

    act(() => screen.getByTestId('signout').click());
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('登出會從這台電腦移除登入資訊與快取的對話事件；草稿與發送紀錄會保留。');
    act(() => within(dialog).getByText('取消').click());
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(bridge.callsOf('session.signOut')).toHaveLength(0);

    act(() => screen.getByTestId('signout').click());
    act(() => screen.getByTestId('signout-confirm').click());
    await screen.findByTestId('signin-form');
    expect(bridge.callsOf('session.signOut')).toEqual([{}]);
    expect(screen.queryByTestId('session-card')).toBeNull();
    expect(bridge.drafts.size).toBe(1);

    act(() => screen.getByTestId('nav-events').click());
    expect(screen.getByTestId('section-events').textContent).toContain('登入工作區後，這裡會列出你正在處理的對話事件');
    expect(screen.queryAllByTestId('event-row')).toHaveLength(0);
  });

  it('says clearly when the sign-in expired, prefills the account, and keeps the drafts', async () => {
    const { bridge } = await renderApp(new FakeBridge({ signedInAs: 'sales@demo', drafts: [{ text: '新品到貨' }] }));
    await screen.findAllByTestId('event-row');
    act(() => bridge.expireSession());

    const banner = await screen.findByTestId('events-expired');
    expect(banner.textContent).toContain('登入已過期，請重新登入');
    // The cache stays visible meanwhile.
    expect(screen.getAllByTestId('event-row').length).toBeGreaterThan(0);

    act(() => screen.getByTestId('events-signin-again').click());
    expect(screen.getByTestId('session-expired').textContent).toContain('登入已過期，請重新登入');
    expect((screen.getByTestId('signin-account') as HTMLInputElement).value).toBe('sales@demo');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('signin-password')));
    expect(bridge.drafts.size).toBe(1);
    expect(bridge.callsOf('drafts.delete')).toHaveLength(0);

    fireEvent.change(screen.getByTestId('signin-password'), { target: { value: 'demo' } });
    act(() => screen.getByTestId('signin-submit').click());
    await screen.findByTestId('session-card');
  });

  it('has no Chinese in the English sign-in form and session card (the user’s data aside)', async () => {
    const { bridge } = await openSettings({ settings: { language: 'en' } });
    expect(uiText(document.body).match(CJK)).toBeNull();
    bridge.failNext('session.signIn', 'invalid_credentials');
    fillAndSubmit({ account: 'sales@demo', password: 'demo' });
    expect((await screen.findByTestId('signin-error')).textContent).toBe('The account or password is incorrect.');
    expect(uiText(document.body).match(CJK)).toBeNull();

    act(() => screen.getByTestId('demo-signin-manager@demo').click());
    const card = await screen.findByTestId('session-card');
    expect(within(card).getByTestId('session-role').textContent).toBe('Sales manager');
    expect(card.textContent).toContain('token …a1f');
    act(() => screen.getByTestId('signout').click());
    const text = uiText(document.body);
    expect(text.match(CJK), text).toBeNull();
  });
});

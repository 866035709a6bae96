import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeBridge } from './fake-bridge';
import { CJK, renderApp, uiText } from './harness';

function firstStart(options: ConstructorParameters<typeof FakeBridge>[0] = {}) {
  return renderApp(new FakeBridge({ ...options, appInfo: { mode: 'setup', ...options.appInfo } }));
}

describe('first-start onboarding', () => {
  it('welcomes a new user instead of the sections, with the demo as the focused first choice', async () => {
    const { bridge } = await firstStart();
    const onboarding = screen.getByTestId('onboarding');
    expect(within(onboarding).getByRole('heading', { level: 1 }).textContent).toBe('歡迎使用 OMO Broadcast');
    expect(onboarding.textContent).toContain('在這台電腦上模擬 LINE、WhatsApp 與團隊收件匣，不會傳送給真正的顧客');
    expect(screen.getByTestId('onboarding-demo').textContent).toContain('試用示範工作區');
    expect(screen.getByTestId('onboarding-connect').textContent).toContain('連線到你的工作區');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('onboarding-demo')));

    for (const section of ['events', 'drafts', 'history', 'report', 'settings']) {
      expect(screen.queryByTestId(`section-${section}`)).toBeNull();
      expect(screen.queryByTestId(`nav-${section}`)).toBeNull();
    }
    const mode = screen.getByTestId('status-mode');
    expect(mode.textContent).toBe('尚未設定');
    expect(mode.getAttribute('data-mode')).toBe('setup');
    expect(mode.className).toContain('badge--neutral');
    expect(bridge.callsOf('workspace.get')).toHaveLength(1);
    expect(bridge.callsOf('workspace.useDemo')).toHaveLength(0);
  });

  it('does not show the welcome once a workspace is chosen', async () => {
    await renderApp();
    expect(screen.queryByTestId('onboarding')).toBeNull();
    expect(screen.getByTestId('section-events')).toBeTruthy();
  });

  it('starts the demo once, shows progress while it runs, then lands on 對話', async () => {
    const { bridge } = await firstStart();
    const release = bridge.hold('workspace.useDemo');
    act(() => screen.getByTestId('onboarding-demo').click());

    const progress = await screen.findByTestId('onboarding-progress');
    expect(progress.textContent).toContain('正在啟動示範工作區…');
    expect(within(progress).getByRole('status')).toBeTruthy();
    expect(screen.queryByTestId('onboarding-demo')).toBeNull();
    expect(document.activeElement).toBe(progress);
    expect(bridge.callsOf('workspace.useDemo')).toEqual([{}]);

    act(() => release());
    const events = await screen.findByTestId('section-events');
    expect(screen.queryByTestId('onboarding')).toBeNull();
    expect(screen.getByTestId('nav-events').getAttribute('aria-current')).toBe('page');
    await waitFor(() => expect(screen.getByTestId('status-mode').textContent).toBe('示範模式'));
    expect(events.textContent).toContain('登入工作區後，這裡會列出你正在處理的對話事件');
    expect(bridge.callsOf('workspace.useDemo')).toHaveLength(1);
  });

  it('keeps the progress up while main already reports the demo mode', async () => {
    const { bridge } = await firstStart();
    const release = bridge.hold('workspace.useDemo');
    act(() => screen.getByTestId('onboarding-demo').click());
    await screen.findByTestId('onboarding-progress');
    // Main saves the choice before the sandbox is up and announces the new mode at once.
    act(() => bridge.emit('app.status', { mode: 'demo', online: true }));
    act(() => bridge.emit('workspace.changed', { kind: 'demo', inboxUrl: null, starting: true, demoAccounts: [] }));
    expect(screen.getByTestId('onboarding-progress')).toBeTruthy();
    expect(screen.queryByTestId('section-events')).toBeNull();
    act(() => release());
    await screen.findByTestId('section-events');
  });

  it('makes each choice a native button in tab order, demo first, so Enter on the focused card chooses it', async () => {
    await firstStart();
    const demo = screen.getByTestId('onboarding-demo');
    const connect = screen.getByTestId('onboarding-connect');
    await waitFor(() => expect(document.activeElement).toBe(demo));
    for (const card of [demo, connect]) {
      // Browsers turn Enter and Space on a focused <button> into a click (jsdom does not; the screenshot run does).
      expect(card.tagName).toBe('BUTTON');
      expect(card.getAttribute('type')).toBe('button');
      expect(card.getAttribute('tabindex')).toBeNull();
    }
    expect(demo.compareDocumentPosition(connect) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.getByRole('button', { name: '試用示範工作區' })).toBe(demo);
    expect(screen.getByRole('button', { name: '連線到你的工作區' })).toBe(connect);
  });

  it('explains demo_unavailable in the user’s language and retries', async () => {
    const { bridge } = await firstStart();
    bridge.failNext('workspace.useDemo', 'demo_unavailable');
    act(() => screen.getByTestId('onboarding-demo').click());

    const error = await screen.findByTestId('onboarding-error');
    expect(error.textContent).toContain('示範工作區沒有啟動');
    expect(error.textContent).toContain('示範工作區無法啟動。詳細資訊已記錄在日誌中，請再試一次。');
    expect(error.textContent).not.toContain('fake failure');
    expect(document.activeElement).toBe(screen.getByTestId('onboarding-retry'));
    expect(screen.queryByTestId('section-events')).toBeNull();

    act(() => screen.getByTestId('onboarding-retry').click());
    await screen.findByTestId('section-events');
    expect(bridge.callsOf('workspace.useDemo')).toHaveLength(2);
    expect(screen.queryByTestId('onboarding')).toBeNull();
  });

  it('turns 連線到你的工作區 into a sign-in form with the Inbox URL, and goes back', async () => {
    const { bridge } = await firstStart();
    act(() => screen.getByTestId('onboarding-connect').click());

    const panel = screen.getByTestId('onboarding-connect-panel');
    expect(panel.textContent).toContain('輸入團隊收件匣（Inbox）的網址，以及工作區管理員提供給你的帳號與密碼。');
    expect(within(panel).getByTestId('signin-form')).toBeTruthy();
    expect(within(panel).getByTestId('signin-inbox-url')).toBeTruthy();
    expect(within(panel).getByLabelText('收件匣網址')).toBe(within(panel).getByTestId('signin-inbox-url'));
    expect(screen.queryByTestId('onboarding-demo')).toBeNull();

    act(() => screen.getByTestId('onboarding-back').click());
    expect(screen.queryByTestId('onboarding-connect-panel')).toBeNull();
    expect(screen.getByTestId('onboarding-demo')).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('onboarding-connect')));
    expect(bridge.callsOf('workspace.useDemo')).toHaveLength(0);
    expect(bridge.callsOf('session.signIn')).toHaveLength(0);
  });

  it('signs in to a workspace of one’s own from the welcome and lands on 對話 with its events', async () => {
    const { bridge } = await firstStart();
    act(() => screen.getByTestId('onboarding-connect').click());
    fireEvent.change(screen.getByTestId('signin-inbox-url'), { target: { value: 'https://inbox.example.com' } });
    fireEvent.change(screen.getByTestId('signin-account'), { target: { value: 'remote@example.com' } });
    fireEvent.change(screen.getByTestId('signin-password'), { target: { value: 'demo' } });
    act(() => screen.getByTestId('signin-submit').click());

    await screen.findByTestId('section-events');
    expect(bridge.callsOf('session.signIn')).toEqual([
      { inboxUrl: 'https://inbox.example.com', account: 'remote@example.com', password: 'demo' },
    ]);
    expect(screen.queryByTestId('onboarding')).toBeNull();
    await screen.findAllByTestId('event-row');
    await waitFor(() => expect(screen.getByTestId('status-mode').textContent).toBe('已連線'));
  });

  it('explains a bad Inbox URL on the welcome and stays there', async () => {
    await firstStart();
    act(() => screen.getByTestId('onboarding-connect').click());
    fireEvent.change(screen.getByTestId('signin-inbox-url'), { target: { value: 'ftp://inbox' } });
    fireEvent.change(screen.getByTestId('signin-account'), { target: { value: 'remote@example.com' } });
    fireEvent.change(screen.getByTestId('signin-password'), { target: { value: 'demo' } });
    act(() => screen.getByTestId('signin-submit').click());
    const error = await screen.findByTestId('signin-error');
    expect(error.textContent).toContain('收件匣網址不正確');
    expect(screen.getByTestId('onboarding-connect-panel')).toBeTruthy();
  });

  it('offers the demo from the connect panel', async () => {
    const { bridge } = await firstStart();
    act(() => screen.getByTestId('onboarding-connect').click());
    act(() => screen.getByTestId('onboarding-connect-demo').click());
    await screen.findByTestId('section-events');
    expect(bridge.callsOf('workspace.useDemo')).toHaveLength(1);
  });

  it('leaves no Chinese in the English welcome, its panels, its progress or its error', async () => {
    const { bridge } = await firstStart({ settings: { language: 'en' } });
    const check = (where: string) => {
      const text = uiText(document.body);
      expect(text.match(CJK), `Chinese left in ${where}: ${text}`).toBeNull();
    };
    expect(screen.getByTestId('onboarding').textContent).toContain('Welcome to OMO Broadcast');
    expect(screen.getByTestId('status-mode').textContent).toBe('Not set up');
    check('the choices');

    act(() => screen.getByTestId('onboarding-connect').click());
    expect(screen.getByTestId('onboarding-connect-panel').textContent).toContain('Inbox URL');
    check('the connect panel');
    act(() => screen.getByTestId('onboarding-back').click());

    bridge.failNext('workspace.useDemo', 'demo_unavailable');
    const release = bridge.hold('workspace.useDemo');
    act(() => screen.getByTestId('onboarding-demo').click());
    await screen.findByTestId('onboarding-progress');
    check('the progress');
    act(() => release());
    expect((await screen.findByTestId('onboarding-error')).textContent).toContain('The demo workspace could not start.');
    check('the error');
  });
});

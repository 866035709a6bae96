import { act, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Root } from '../../renderer/src/app/Root';
import { FakeBridge, installBridge } from './fake-bridge';
import { renderApp } from './harness';

const SECTIONS = ['events', 'drafts', 'history', 'report', 'settings'] as const;

describe('the shell', () => {
  it('shows a loading state while app.info is in flight, then the app', async () => {
    const bridge = installBridge(new FakeBridge());
    const release = bridge.hold('app.info');
    render(<Root />);
    expect(screen.getByTestId('app-loading').textContent).toContain('正在載入');
    expect(screen.queryByTestId('app-ready')).toBeNull();
    act(() => release());
    await screen.findByTestId('app-ready');
  });

  it('opens on 對話 › 處理中事件, asking to sign in when nobody is, with no fake rows', async () => {
    await renderApp({ appInfo: { mode: 'connected' } });
    const events = screen.getByTestId('section-events');
    expect(events.textContent).toContain('處理中事件');
    expect(events.textContent).toContain('登入工作區後，這裡會列出你正在處理的對話事件');
    expect(within(events).getByTestId('batch-manage').hasAttribute('disabled')).toBe(true);
    expect(within(events).queryAllByRole('row')).toHaveLength(0);
    expect(screen.getByTestId('nav-events').getAttribute('aria-current')).toBe('page');
  });

  it('leads from the signed-out empty state to the sign-in in 設定', async () => {
    await renderApp();
    act(() => screen.getByTestId('events-signin').click());
    expect(screen.getByTestId('section-settings')).toBeTruthy();
    expect(screen.getByTestId('signin-form')).toBeTruthy();
  });

  it('shows each section from its nav button, and only that one', async () => {
    await renderApp();
    for (const section of SECTIONS) {
      act(() => screen.getByTestId(`nav-${section}`).click());
      expect(screen.getByTestId(`section-${section}`)).toBeTruthy();
      expect(screen.getByTestId(`nav-${section}`).getAttribute('aria-current')).toBe('page');
      for (const other of SECTIONS.filter((candidate) => candidate !== section)) {
        expect(screen.queryByTestId(`section-${other}`)).toBeNull();
      }
    }
  });

  it('labels the nav with the seed’s words', async () => {
    await renderApp();
    const labels = SECTIONS.map((section) => screen.getByTestId(`nav-${section}`).textContent);
    expect(labels).toEqual(['對話', '草稿', '發送紀錄', '報表', '設定']);
  });

  it('shows the report counters without inventing figures', async () => {
    const bridge = new FakeBridge();
    await renderApp(bridge);
    const release = bridge.hold('report.get');
    act(() => screen.getByTestId('nav-report').click());
    const report = screen.getByTestId('section-report');
    for (const word of ['導購連結報表', '總訊息數目', '導購連結數量', '官網連結', '非官網連結']) expect(report.textContent).toContain(word);
    // Until main answers, no figure: an em dash, never a made-up zero.
    for (const id of ['report-messages', 'report-links', 'report-official', 'report-other']) {
      const counter = screen.getByTestId(id);
      expect(counter.hasAttribute('data-value')).toBe(false);
      expect(counter.querySelector('.counter__value')?.textContent).toBe('—');
    }
    act(() => release());
    await waitFor(() => expect(screen.getByTestId('report-messages').getAttribute('data-value')).toBe('0'));
  });

  it('shows the mode, the network and the version in the status bar, and follows app.status pushes', async () => {
    const { bridge } = await renderApp();
    const mode = screen.getByTestId('status-mode');
    expect(mode.textContent).toBe('示範模式');
    expect(mode.getAttribute('data-mode')).toBe('demo');
    expect(screen.getByTestId('status-online').getAttribute('data-online')).toBe('true');
    expect(screen.getByRole('contentinfo').textContent).toContain('0.1.0');

    act(() => bridge.emit('app.status', { mode: 'offline', online: false }));
    expect(screen.getByTestId('status-mode').textContent).toBe('離線');
    expect(screen.getByTestId('status-online').textContent).toContain('網路已中斷');

    act(() => bridge.emit('app.status', { mode: 'connected', online: true }));
    expect(screen.getByTestId('status-mode').textContent).toBe('已連線');

    act(() => bridge.emit('app.status', { mode: 'setup', online: true }));
    expect(screen.getByTestId('status-mode').textContent).toBe('尚未設定');
  });

  it('subscribes to each push event once', async () => {
    const { bridge } = await renderApp();
    expect(bridge.listenerCount('app.status')).toBe(1);
    expect(bridge.listenerCount('settings.changed')).toBe(1);
    expect(bridge.listenerCount('drafts.changed')).toBe(1);
    expect(bridge.listenerCount('workspace.changed')).toBe(1);
  });

  it('shows app info in Settings', async () => {
    await renderApp({ appInfo: { version: '9.8.7', dataDir: '/data/omo', transport: 'electron' } });
    act(() => screen.getByTestId('nav-settings').click());
    const settings = screen.getByTestId('section-settings');
    expect(screen.getByTestId('settings-version').textContent).toBe('9.8.7');
    expect(settings.textContent).toContain('/data/omo');
    expect(settings.textContent).toContain('桌面應用程式');
    expect(settings.textContent).toContain('示範模式');
  });
});

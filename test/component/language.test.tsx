import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../preload/contract';
import { en } from '../../renderer/src/i18n/en';
import { zhTW } from '../../renderer/src/i18n/zh-TW';
import { CJK, renderApp, uiText } from './harness';

const SECTIONS = ['events', 'drafts', 'history', 'report', 'settings'] as const;
const EN_LABELS = ['Conversations', 'Drafts', 'Sent history', 'Report', 'Settings'];

function navLabels(): Array<string | null> {
  return SECTIONS.map((section) => screen.getByTestId(`nav-${section}`).textContent);
}

function leaves(tree: object, prefix = ''): Array<[string, string]> {
  return Object.entries(tree).flatMap(([key, value]): Array<[string, string]> =>
    typeof value === 'string' ? [[`${prefix}${key}`, value]] : leaves(value as object, `${prefix}${key}.`),
  );
}

describe('language', () => {
  it('starts in zh-TW and switches every nav label to English with the status-bar toggle', async () => {
    const { bridge } = await renderApp();
    expect(document.documentElement.lang).toBe('zh-TW');
    expect(navLabels()).toEqual(['對話', '草稿', '發送紀錄', '報表', '設定']);

    act(() => screen.getByTestId('language-toggle').click());

    expect(navLabels()).toEqual(EN_LABELS);
    expect(document.documentElement.lang).toBe('en');
    await waitFor(() => expect(bridge.callsOf('settings.set')).toEqual([{ language: 'en' }]));
    expect(bridge.settings.language).toBe('en');
  });

  it('leaves no Chinese in any part of the English shell', async () => {
    await renderApp({ settings: { language: 'en' } });
    for (const section of SECTIONS) {
      act(() => screen.getByTestId(`nav-${section}`).click());
      if (section === 'drafts') {
        // The editor too: open a new draft so its labels, placeholder and counter are rendered.
        act(() => screen.getByTestId('draft-new').click());
        await screen.findByTestId('text-input');
      }
      const text = uiText(document.body);
      expect(text.match(CJK), `Chinese left in ${section}: ${text}`).toBeNull();
    }
  });

  it('leaves no Chinese in the English welcome screen', async () => {
    await renderApp({ settings: { language: 'en' }, appInfo: { mode: 'setup' } });
    expect(screen.getByTestId('onboarding')).toBeTruthy();
    const text = uiText(document.body);
    expect(text.match(CJK), `Chinese left in the welcome: ${text}`).toBeNull();
    act(() => screen.getByTestId('onboarding-connect').click());
    const panelText = uiText(document.body);
    expect(panelText.match(CJK), `Chinese left in the connect panel: ${panelText}`).toBeNull();
  });

  it('takes the language from settings.get on start', async () => {
    await renderApp({ settings: { language: 'en' } });
    expect(navLabels()).toEqual(EN_LABELS);
    expect(document.documentElement.lang).toBe('en');
  });

  it('switches with the Settings select, both ways', async () => {
    const { bridge } = await renderApp();
    act(() => screen.getByTestId('nav-settings').click());
    const select = screen.getByTestId('language-select') as HTMLSelectElement;
    expect(select.value).toBe('zh-TW');
    expect([...select.options].map((option) => option.value)).toEqual(['zh-TW', 'en']);

    fireEvent.change(select, { target: { value: 'en' } });
    expect(navLabels()).toEqual(EN_LABELS);
    expect((screen.getByTestId('language-select') as HTMLSelectElement).value).toBe('en');

    fireEvent.change(screen.getByTestId('language-select'), { target: { value: 'zh-TW' } });
    expect(navLabels()[0]).toBe('對話');
    expect(document.documentElement.lang).toBe('zh-TW');
    await waitFor(() => expect(bridge.settings.language).toBe('zh-TW'));
  });

  it('follows settings.changed pushed from main', async () => {
    const { bridge } = await renderApp();
    await act(async () => bridge.emit('settings.changed', { language: 'en' }));
    expect(navLabels()).toEqual(EN_LABELS);
  });

  it('reverts and explains when the language cannot be saved', async () => {
    const { bridge } = await renderApp();
    act(() => screen.getByTestId('nav-settings').click());
    bridge.failNext('settings.set', 'storage_unavailable');
    fireEvent.change(screen.getByTestId('language-select'), { target: { value: 'en' } });
    const alert = await screen.findByTestId('settings-error');
    expect(alert.textContent).toContain('無法使用本機資料庫');
    expect(navLabels()[0]).toBe('對話');
    expect(document.documentElement.lang).toBe('zh-TW');
  });

  it('has the same keys in both languages, each translated', () => {
    const zhLeaves = leaves(zhTW);
    const enLeaves = new Map(leaves(en));
    expect([...enLeaves.keys()].sort()).toEqual(zhLeaves.map(([key]) => key).sort());
    for (const [key, value] of enLeaves) expect(value.match(CJK), `${key} is not English`).toBeNull();
  });

  it('has a message for every error code in both languages', () => {
    for (const code of ERROR_CODES) {
      expect(zhTW.errors[code], code).toMatch(CJK);
      expect(en.errors[code], code).toBeTruthy();
      expect(en.errors[code]).not.toBe(zhTW.errors[code]);
    }
  });
});

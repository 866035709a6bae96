import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { FakeBridge, fakeId } from './fake-bridge';
import { renderApp } from './harness';

async function openDrafts(options: ConstructorParameters<typeof FakeBridge>[0] = {}) {
  const result = await renderApp(new FakeBridge(options));
  act(() => screen.getByTestId('nav-drafts').click());
  await screen.findByTestId('section-drafts');
  return result;
}

function typeText(text: string): void {
  fireEvent.change(screen.getByTestId('draft-text'), { target: { value: text } });
}

describe('drafts', () => {
  it('explains an empty list', async () => {
    await openDrafts();
    const section = screen.getByTestId('section-drafts');
    await waitFor(() => expect(section.textContent).toContain('還沒有草稿'));
    expect(screen.queryAllByTestId('draft-item')).toHaveLength(0);
  });

  it('creates a draft on the first save, then updates the same draft', async () => {
    const { bridge } = await openDrafts();
    act(() => screen.getByTestId('draft-new').click());
    await screen.findByTestId('draft-text');
    expect((screen.getByTestId('draft-save') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByTestId('draft-saved')).toBeNull();

    typeText('新品到貨！\n週末全館 8 折');
    expect(screen.queryByTestId('draft-saved')).toBeNull();
    act(() => screen.getByTestId('draft-save').click());

    await screen.findByTestId('draft-saved');
    expect(bridge.callsOf('drafts.save')).toEqual([{ text: '新品到貨！\n週末全館 8 折' }]);
    const item = await screen.findByTestId('draft-item');
    expect(item.textContent).toContain('新品到貨！');
    expect(item.textContent).toContain('14 字');

    typeText('新品到貨！\n週末全館 7 折');
    expect(screen.queryByTestId('draft-saved')).toBeNull();
    act(() => screen.getByTestId('draft-save').click());
    await screen.findByTestId('draft-saved');

    expect(bridge.callsOf('drafts.save')[1]).toEqual({ id: fakeId(1), text: '新品到貨！\n週末全館 7 折' });
    expect(bridge.drafts.size).toBe(1);
    expect(bridge.drafts.get(fakeId(1))?.text).toBe('新品到貨！\n週末全館 7 折');
  });

  it('counts UTF-16 code units, as LINE does: 😀 is 2', async () => {
    await openDrafts();
    act(() => screen.getByTestId('draft-new').click());
    await screen.findByTestId('draft-text');
    expect(screen.getByTestId('draft-counter').textContent).toBe('0 / 5000');
    typeText('😀');
    expect(screen.getByTestId('draft-counter').textContent).toBe('2 / 5000');
    typeText('😀 hi');
    expect(screen.getByTestId('draft-counter').textContent).toBe('5 / 5000');
    expect(screen.getByTestId('draft-text').getAttribute('maxlength')).toBe('5000');
  });

  it('opens a draft from the list and shows it as saved', async () => {
    await openDrafts({ drafts: [{ text: '第一則\n內容' }, { text: 'Second draft' }] });
    const items = await screen.findAllByTestId('draft-item');
    expect(items).toHaveLength(2);
    const first = items.find((item) => item.textContent?.includes('第一則'));
    if (!first) throw new Error('draft row missing');
    act(() => first.click());
    await waitFor(() => expect((screen.getByTestId('draft-text') as HTMLTextAreaElement).value).toBe('第一則\n內容'));
    expect(screen.getByTestId('draft-saved')).toBeTruthy();
    expect(first.getAttribute('aria-current')).toBe('true');
  });

  it('deletes only after confirmation', async () => {
    const { bridge } = await openDrafts({ drafts: [{ text: 'Keep or delete' }] });
    act(() => screen.getByTestId('draft-item').click());
    await screen.findByTestId('draft-saved');

    act(() => screen.getByTestId('draft-delete').click());
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('刪除這則草稿？');
    act(() => within(dialog).getByText('取消').click());
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(bridge.drafts.size).toBe(1);

    act(() => screen.getByTestId('draft-delete').click());
    act(() => screen.getByTestId('draft-delete-confirm').click());
    await waitFor(() => expect(screen.queryAllByTestId('draft-item')).toHaveLength(0));
    expect(bridge.drafts.size).toBe(0);
    expect(screen.queryByTestId('draft-text')).toBeNull();
  });

  it('autosaves about 800 ms after typing stops', async () => {
    const { bridge } = await openDrafts();
    act(() => screen.getByTestId('draft-new').click());
    await screen.findByTestId('draft-text');
    vi.useFakeTimers();
    typeText('自動');
    await act(() => vi.advanceTimersByTimeAsync(500));
    typeText('自動儲存');
    await act(() => vi.advanceTimersByTimeAsync(700));
    expect(bridge.callsOf('drafts.save')).toEqual([]);
    await act(() => vi.advanceTimersByTimeAsync(200));
    expect(bridge.callsOf('drafts.save')).toEqual([{ text: '自動儲存' }]);
    vi.useRealTimers();
    await screen.findByTestId('draft-saved');
  });

  it('shows an error Result translated, and keeps the text to retry', async () => {
    const { bridge } = await openDrafts();
    act(() => screen.getByTestId('draft-new').click());
    await screen.findByTestId('draft-text');
    typeText('這段文字不能遺失');
    bridge.failNext('drafts.save', 'storage_unavailable');
    act(() => screen.getByTestId('draft-save').click());

    const alert = await screen.findByTestId('draft-error');
    expect(alert.textContent).toContain('無法使用本機資料庫');
    expect(alert.textContent).not.toContain('fake failure');
    expect((screen.getByTestId('draft-text') as HTMLTextAreaElement).value).toBe('這段文字不能遺失');
    expect(screen.queryByTestId('draft-saved')).toBeNull();

    act(() => screen.getByTestId('draft-save').click());
    await screen.findByTestId('draft-saved');
    expect(screen.queryByTestId('draft-error')).toBeNull();
  });

  it('keeps an unsaved draft open when saving it fails on the way to another', async () => {
    const { bridge } = await openDrafts({ drafts: [{ text: 'Other draft' }] });
    act(() => screen.getByTestId('draft-new').click());
    await screen.findByTestId('draft-text');
    typeText('Not lost');
    bridge.failNext('drafts.save', 'internal');
    act(() => screen.getByTestId('draft-item').click());
    await screen.findByTestId('draft-error');
    expect((screen.getByTestId('draft-text') as HTMLTextAreaElement).value).toBe('Not lost');
    expect(bridge.callsOf('drafts.get')).toEqual([]);
  });

  it('translates errors in English too', async () => {
    const { bridge } = await openDrafts({ settings: { language: 'en' }, drafts: [{ text: 'Gone soon' }] });
    bridge.failNext('drafts.get', 'not_found');
    act(() => screen.getByTestId('draft-item').click());
    const alert = await screen.findByTestId('drafts-error');
    expect(alert.textContent).toBe('This item could not be found; it may have been deleted.');
  });

  it('reloads the list when main announces drafts.changed', async () => {
    const { bridge } = await openDrafts();
    await waitFor(() => expect(screen.getByTestId('section-drafts').textContent).toContain('還沒有草稿'));
    bridge.drafts.set(fakeId(99), { id: fakeId(99), text: 'From another window', createdAt: 1, updatedAt: 1 });
    act(() => bridge.emit('drafts.changed', { ids: [fakeId(99)] }));
    expect((await screen.findByTestId('draft-item')).textContent).toContain('From another window');
  });
});

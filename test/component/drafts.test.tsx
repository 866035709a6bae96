import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { FakeBridge, fakeId } from './fake-bridge';
import { fakeComposedImage, NEW_ARRIVALS, WHATSAPP_NUMBER } from './fake-compose';
import { clickSave, saveState, textValue, typeText } from './composer-helpers';
import { renderApp } from './harness';

async function openDrafts(options: ConstructorParameters<typeof FakeBridge>[0] = {}) {
  const result = await renderApp(new FakeBridge(options));
  act(() => screen.getByTestId('nav-drafts').click());
  await screen.findByTestId('section-drafts');
  return result;
}

async function newDraft() {
  act(() => screen.getByTestId('draft-new').click());
  await screen.findByTestId('text-input');
}

async function openItem(text: string) {
  const item = (await screen.findAllByTestId('draft-item')).find((candidate) => candidate.textContent?.includes(text));
  if (!item) throw new Error(`no draft row with ${text}`);
  act(() => item.click());
  await screen.findByTestId('composer');
}

describe('草稿', () => {
  it('explains an empty list', async () => {
    await openDrafts();
    const section = screen.getByTestId('section-drafts');
    await waitFor(() => expect(section.textContent).toContain('還沒有草稿'));
    expect(screen.queryAllByTestId('draft-item')).toHaveLength(0);
  });

  it('creates a draft on the first save, then patches only what changed', async () => {
    const { bridge } = await openDrafts();
    await newDraft();
    expect(saveState()).toBe('empty');
    expect((screen.getByTestId('draft-save') as HTMLButtonElement).disabled).toBe(true);

    typeText('新品到貨！\n週末全館 8 折');
    expect(saveState()).toBe('unsaved');
    clickSave();
    await waitFor(() => expect(saveState()).toBe('saved'));
    // A draft started in 草稿 has no selection: none is sent.
    expect(bridge.callsOf('drafts.save')).toEqual([{ text: '新品到貨！\n週末全館 8 折' }]);

    typeText('新品到貨！\n週末全館 7 折');
    expect(saveState()).toBe('unsaved');
    clickSave();
    await waitFor(() => expect(saveState()).toBe('saved'));
    expect(bridge.callsOf('drafts.save')[1]).toEqual({ id: fakeId(1), text: '新品到貨！\n週末全館 7 折' });
    expect(bridge.drafts.size).toBe(1);
    expect(bridge.drafts.get(fakeId(1))?.text).toBe('新品到貨！\n週末全館 7 折');

    act(() => screen.getByTestId('composer-back').click());
    const item = await screen.findByTestId('draft-item');
    expect(item.textContent).toContain('新品到貨！');
    expect(item.textContent).toContain('14 字');
    expect(item.textContent).toContain('未選取顧客');
  });

  it('counts UTF-16 code units, as LINE does: 😀 is 2', async () => {
    await openDrafts();
    await newDraft();
    expect(screen.getByTestId('text-counter').textContent).toBe('0 / 5000');
    typeText('😀');
    expect(screen.getByTestId('text-counter').textContent).toBe('2 / 5000');
    typeText('😀 hi');
    expect(screen.getByTestId('text-counter').textContent).toBe('5 / 5000');
    expect(screen.getByTestId('text-input').getAttribute('maxlength')).toBe('5000');
  });

  it('lists each draft with its thumbnail, templates, recipients and time', async () => {
    const image = fakeComposedImage('sale.jpg', 'sale-bytes');
    await openDrafts({
      drafts: [
        {
          text: '週年慶\n全館 8 折',
          image: { sha256: image.sha256, name: 'sale.jpg', image },
          whatsapp: { numbers: [{ phoneNumberId: WHATSAPP_NUMBER, template: { name: NEW_ARRIVALS.name, language: 'zh_TW' }, params: {} }] },
          selection: ['evt-0', 'evt-1', 'evt-2'],
        },
      ],
    });
    const item = await screen.findByTestId('draft-item');
    expect(item.textContent).toContain('週年慶');
    expect(item.textContent).toContain('3 位顧客');
    expect(within(item).getByTestId('draft-templates').textContent).toContain('new_arrivals');
    expect(within(item).getByTestId('draft-thumb').getAttribute('src')).toBe(`omo-media://image/${image.sha256}/thumb`);
    expect(within(item).getByTestId('draft-open')).toBeTruthy();
  });

  it('opens a draft from the list, as saved, with its saved selection (none: no recipients)', async () => {
    const { bridge } = await openDrafts({ drafts: [{ text: '第一則\n內容' }, { text: 'Second draft' }] });
    expect(await screen.findAllByTestId('draft-item')).toHaveLength(2);
    await openItem('第一則');
    expect(textValue()).toBe('第一則\n內容');
    expect(saveState()).toBe('saved');
    expect(screen.getByTestId('selection-summary').textContent).toContain('尚未選取顧客');
    // main's check says why it cannot be sent: nobody to send it to.
    const problem = await screen.findByTestId('problem');
    expect(problem.getAttribute('data-code')).toBe('no_recipients');
    expect(problem.textContent).toContain('沒有收件顧客');
    expect(screen.getByTestId('check-status').getAttribute('data-ready')).toBe('false');
    expect(bridge.callsOf('compose.check')).toEqual([{ id: fakeId(1) }]);
    // Opening is not editing: nothing is saved.
    expect(bridge.callsOf('drafts.save')).toEqual([]);
  });

  it('opens with the open button too, and back returns to the list', async () => {
    await openDrafts({ drafts: [{ text: 'Open me' }] });
    act(() => screen.getByTestId('draft-open').click());
    await screen.findByTestId('composer');
    expect(textValue()).toBe('Open me');
    act(() => screen.getByTestId('composer-back').click());
    await screen.findByTestId('draft-item');
    expect(screen.queryByTestId('composer')).toBeNull();
  });

  it('deletes from the list only after confirmation', async () => {
    const { bridge } = await openDrafts({ drafts: [{ text: 'Keep or delete' }] });
    await screen.findByTestId('draft-item');

    act(() => screen.getByTestId('draft-delete').click());
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('刪除這則草稿？');
    act(() => within(dialog).getByText('取消').click());
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(bridge.drafts.size).toBe(1);
    expect(screen.queryByTestId('composer')).toBeNull();

    act(() => screen.getByTestId('draft-delete').click());
    act(() => screen.getByTestId('draft-delete-confirm').click());
    await waitFor(() => expect(screen.queryAllByTestId('draft-item')).toHaveLength(0));
    expect(bridge.callsOf('drafts.delete')).toEqual([{ id: fakeId(1) }]);
    expect(bridge.drafts.size).toBe(0);
  });

  it('deletes the open draft from the composer, and closes it', async () => {
    const { bridge } = await openDrafts({ drafts: [{ text: 'Delete me' }, { text: 'Stay' }] });
    await openItem('Delete me');
    act(() => screen.getByTestId('composer-delete').click());
    act(() => screen.getByTestId('draft-delete-confirm').click());
    await waitFor(() => expect(screen.queryByTestId('composer')).toBeNull());
    await waitFor(() => expect(screen.getAllByTestId('draft-item')).toHaveLength(1));
    expect(screen.getByTestId('draft-item').textContent).toContain('Stay');
    expect(bridge.drafts.size).toBe(1);
  });

  it('duplicates a draft as a new one, highlighted in the list', async () => {
    const { bridge } = await openDrafts({ drafts: [{ text: '母親節活動', selection: ['evt-0'] }] });
    await screen.findByTestId('draft-item');
    act(() => screen.getByTestId('draft-duplicate').click());
    await waitFor(() => expect(screen.getAllByTestId('draft-item')).toHaveLength(2));
    expect(bridge.callsOf('drafts.duplicate')).toEqual([{ id: fakeId(1) }]);
    const copy = screen.getAllByTestId('draft-item').find((item) => item.getAttribute('data-draft-id') === fakeId(2));
    expect(copy?.textContent).toContain('母親節活動');
    expect(copy?.textContent).toContain('1 位顧客');
    expect(within(copy as HTMLElement).getByTestId('draft-duplicated').textContent).toBe('已複製');
    expect(bridge.drafts.get(fakeId(2))?.selection).toEqual(['evt-0']);
  });

  it('autosaves 400 ms after typing stops', async () => {
    const { bridge } = await openDrafts();
    await newDraft();
    vi.useFakeTimers();
    typeText('自動');
    await act(() => vi.advanceTimersByTimeAsync(300));
    typeText('自動儲存');
    await act(() => vi.advanceTimersByTimeAsync(350));
    expect(bridge.callsOf('drafts.save')).toEqual([]);
    await act(() => vi.advanceTimersByTimeAsync(60));
    expect(bridge.callsOf('drafts.save')).toEqual([{ text: '自動儲存' }]);
    vi.useRealTimers();
    await waitFor(() => expect(saveState()).toBe('saved'));
  });

  it('saves within a second while the user keeps typing (a crash loses less than a second)', async () => {
    const { bridge } = await openDrafts();
    await newDraft();
    vi.useFakeTimers();
    let text = '';
    for (let keystroke = 0; keystroke < 20; keystroke += 1) {
      text += '字';
      typeText(text);
      await act(() => vi.advanceTimersByTimeAsync(100));
    }
    // 2 s of steady typing, a keystroke every 100 ms: saved at least every 800 ms, never waiting for a pause.
    const saves = bridge.callsOf('drafts.save') as Array<{ text?: string }>;
    expect(saves.length).toBeGreaterThanOrEqual(2);
    expect(saves.at(-1)?.text?.length).toBeGreaterThanOrEqual(12);
    vi.useRealTimers();
  });

  it('shows an error Result translated, and keeps the text to retry', async () => {
    const { bridge } = await openDrafts();
    await newDraft();
    typeText('這段文字不能遺失');
    bridge.failNext('drafts.save', 'storage_unavailable');
    clickSave();

    const alert = await screen.findByTestId('draft-error');
    expect(alert.textContent).toContain('無法使用本機資料庫');
    expect(alert.textContent).not.toContain('fake failure');
    expect(textValue()).toBe('這段文字不能遺失');
    expect(saveState()).toBe('error');

    clickSave();
    await waitFor(() => expect(saveState()).toBe('saved'));
    expect(screen.queryByTestId('draft-error')).toBeNull();
  });

  it('stays open with the text when saving fails on the way back to the list', async () => {
    const { bridge } = await openDrafts({ drafts: [{ text: 'Other draft' }] });
    await newDraft();
    typeText('Not lost');
    bridge.failNext('drafts.save', 'internal');
    act(() => screen.getByTestId('composer-back').click());
    await screen.findByTestId('draft-error');
    expect(textValue()).toBe('Not lost');
    expect(screen.getByTestId('composer')).toBeTruthy();
    expect(bridge.drafts.size).toBe(1);
  });

  it('saves what is on screen as a new draft when the open one was deleted elsewhere', async () => {
    const { bridge } = await openDrafts({ drafts: [{ text: 'Was here' }] });
    await openItem('Was here');
    bridge.drafts.delete(fakeId(1));
    typeText('Was here, and still is');
    clickSave();
    await waitFor(() => expect(saveState()).toBe('saved'));
    expect(bridge.callsOf('drafts.save')).toEqual([{ id: fakeId(1), text: 'Was here, and still is' }, { text: 'Was here, and still is' }]);
    expect([...bridge.drafts.values()].map((draft) => draft.text)).toEqual(['Was here, and still is']);
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
    bridge.drafts.set(fakeId(99), {
      id: fakeId(99),
      text: 'From another window',
      image: null,
      whatsapp: { numbers: [] },
      selection: null,
      selectionCount: null,
      createdAt: 1,
      updatedAt: 1,
    });
    act(() => bridge.emit('drafts.changed', { ids: [fakeId(99)] }));
    expect((await screen.findByTestId('draft-item')).textContent).toContain('From another window');
  });
});

import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES, type PlainEventList } from '../../preload/contract';
import { IMAGE_LIMIT_BYTES } from '../../renderer/src/features/composer/limits';
import { clickSave, dropFiles, imageFile, pasteFiles, saveState, textValue, typeText } from './composer-helpers';
import { FakeBridge, type FakeBridgeOptions, fakeId } from './fake-bridge';
import { SECOND_WHATSAPP_NUMBER, WHATSAPP_NUMBER, computeCheck } from './fake-compose';
import { eventId, makeEventList } from './fake-events';
import { CJK, renderApp, uiText } from './harness';

function row(id: string): HTMLElement {
  const element = screen.getByTestId('events-grid').querySelector<HTMLElement>(`[data-event-id="${id}"]`);
  if (!element) throw new Error(`row ${id} is not rendered`);
  return element;
}

/** 處理中事件 → 批量管理事件 → pick these rows → 批量動作 → 發送訊息. */
async function composeFor(rows: number[], options: FakeBridgeOptions = {}) {
  const result = await renderApp(new FakeBridge({ signedInAs: 'sales@demo', ...options }));
  await screen.findAllByTestId('event-row');
  act(() => screen.getByTestId('batch-manage').click());
  for (const index of rows) fireEvent.click(row(eventId(index)), { ctrlKey: true });
  await sendMessage();
  return result;
}

async function sendMessage() {
  act(() => screen.getByTestId('batch-actions').click());
  act(() => screen.getByTestId('batch-send').click());
  await screen.findByTestId('composer');
}

/** 草稿 → 新增草稿 (or open the first draft). */
async function draftComposer(options: FakeBridgeOptions = {}, open = false) {
  const result = await renderApp(new FakeBridge(options));
  act(() => screen.getByTestId('nav-drafts').click());
  if (open) act(() => screen.getAllByTestId('draft-item')[0]?.click());
  else act(() => screen.getByTestId('draft-new').click());
  await screen.findByTestId('composer');
  return result;
}

/** Two WhatsApp numbers: row 5 is on the second one. */
function twoNumberEvents(): PlainEventList {
  const list = makeEventList(12);
  list.accounts = [...list.accounts, { channel: 'whatsapp', id: SECOND_WHATSAPP_NUMBER, name: '晨光選物 高雄' }];
  list.rows.accountIndex[5] = 2;
  return list;
}

function templateSelect(phoneNumberId = WHATSAPP_NUMBER): HTMLSelectElement {
  const card = screen.getAllByTestId('wa-number').find((element) => element.getAttribute('data-phone-number-id') === phoneNumberId);
  if (!card) throw new Error(`no card for ${phoneNumberId}`);
  return within(card).getByTestId('wa-template') as HTMLSelectElement;
}

function paramRow(key: string, phoneNumberId = WHATSAPP_NUMBER): HTMLElement {
  const card = screen.getAllByTestId('wa-number').find((element) => element.getAttribute('data-phone-number-id') === phoneNumberId);
  const found = within(card as HTMLElement)
    .getAllByTestId('wa-param')
    .find((element) => element.getAttribute('data-key') === key);
  if (!found) throw new Error(`no param ${key}`);
  return found;
}

async function waitForTemplates() {
  await waitFor(() => expect(templateSelect().options.length).toBeGreaterThan(1));
}

describe('批量動作 → 發送訊息: the composer for the selection', () => {
  it('creates the draft on the first content with the selection, then sends only what changed', async () => {
    const { bridge } = await composeFor([0, 1, 2]);
    const summary = screen.getByTestId('selection-summary');
    await waitFor(() => expect(summary.getAttribute('data-total')).toBe('3'));
    expect(summary.getAttribute('data-line')).toBe('2');
    expect(summary.getAttribute('data-whatsapp')).toBe('1');
    expect(saveState()).toBe('empty');
    expect(screen.getByTestId('check-status').getAttribute('data-ready')).toBe('false');

    typeText('週末快閃');
    await waitFor(() => expect(saveState()).toBe('saved'));
    expect(bridge.callsOf('drafts.save')).toEqual([{ text: '週末快閃', selection: ['evt-0', 'evt-1', 'evt-2'] }]);

    typeText('週末快閃，全館 8 折');
    await waitFor(() => expect(bridge.callsOf('drafts.save')).toHaveLength(2));
    expect(bridge.callsOf('drafts.save')[1]).toEqual({ id: fakeId(1), text: '週末快閃，全館 8 折' });
    await waitFor(() => expect(saveState()).toBe('saved'));
    // main's check now gives the recipients.
    await waitFor(() => expect(bridge.callsOf('compose.check')).toContainEqual({ id: fakeId(1) }));
    expect(screen.getByTestId('selection-summary').getAttribute('data-total')).toBe('3');
  });

  it('goes back to the grid with the selection, and 發送訊息 again reopens the same draft', async () => {
    const { bridge } = await composeFor([0, 2]);
    typeText('Keep me');
    clickSave();
    await waitFor(() => expect(saveState()).toBe('saved'));

    act(() => screen.getByTestId('composer-back').click());
    await screen.findByTestId('batch-bar');
    expect(screen.getByTestId('selection-count').getAttribute('data-total')).toBe('2');

    await sendMessage();
    await waitFor(() => expect(textValue()).toBe('Keep me'));
    expect(saveState()).toBe('saved');
    expect(bridge.callsOf('drafts.get')).toEqual([{ id: fakeId(1) }]);
    expect(bridge.drafts.size).toBe(1);
  });

  it('saves one after another, so the second save patches the draft the first one created', async () => {
    const { bridge } = await composeFor([0]);
    const release = bridge.hold('drafts.save');
    typeText('One');
    clickSave();
    await waitFor(() => expect(bridge.callsOf('drafts.save')).toHaveLength(1));
    // The first save is in flight (its id unknown yet) when the text changes again.
    typeText('One, two');
    clickSave();
    await act(async () => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(bridge.callsOf('drafts.save')).toHaveLength(1);
    expect(saveState()).toBe('saving');
    release();
    await waitFor(() => expect(bridge.callsOf('drafts.save')).toHaveLength(2));
    expect(bridge.callsOf('drafts.save')).toEqual([{ text: 'One', selection: ['evt-0'] }, { id: fakeId(1), text: 'One, two' }]);
    await waitFor(() => expect(saveState()).toBe('saved'));
    expect(bridge.drafts.size).toBe(1);
  });

  it('keeps the events composer through a visit to 草稿, where another draft is edited', async () => {
    const { bridge } = await composeFor([0]);
    typeText('For the selection');
    act(() => screen.getByTestId('nav-drafts').click());
    // Leaving the section saved it; it is listed with its recipients.
    const item = await screen.findByTestId('draft-item');
    await waitFor(() => expect(item.textContent).toContain('1 位顧客'));
    act(() => screen.getByTestId('draft-new').click());
    await screen.findByTestId('composer');
    expect(textValue()).toBe('');
    typeText('Another draft');

    act(() => screen.getByTestId('nav-events').click());
    await waitFor(() => expect(screen.getByTestId('composer').getAttribute('data-origin')).toBe('events'));
    expect(textValue()).toBe('For the selection');
    expect([...bridge.drafts.values()].map((draft) => draft.text).sort()).toEqual(['Another draft', 'For the selection']);
  });

  it('saves the pending text before going back', async () => {
    const { bridge } = await composeFor([0]);
    typeText('Typed just before going back');
    act(() => screen.getByTestId('composer-back').click());
    await screen.findByTestId('batch-bar');
    expect(bridge.drafts.get(fakeId(1))?.text).toBe('Typed just before going back');
  });

  it('saves the smaller selection when a re-sync drops customers while composing', async () => {
    const { bridge } = await composeFor([0, 1, 3]);
    typeText('新品到貨');
    await waitFor(() => expect(saveState()).toBe('saved'));

    const list = bridge.eventList;
    const keep = list.rows.ids.map((_, index) => index).filter((index) => index !== 1);
    const pick = <T,>(column: T[]) => keep.map((index) => column[index] as T);
    act(() =>
      bridge.replaceEvents({
        ...list,
        rows: {
          ids: pick(list.rows.ids),
          names: pick(list.rows.names),
          channels: pick(list.rows.channels),
          accountIndex: pick(list.rows.accountIndex),
          lastMessageAt: pick(list.rows.lastMessageAt),
          storeIndex: pick(list.rows.storeIndex),
          assigneeIndex: pick(list.rows.assigneeIndex),
          tagIndex: pick(list.rows.tagIndex),
          avatar: pick(list.rows.avatar),
        },
      }),
    );
    await waitFor(() => expect(bridge.callsOf('drafts.save')).toContainEqual({ id: fakeId(1), selection: ['evt-0', 'evt-3'] }));
    expect(bridge.drafts.get(fakeId(1))?.selection).toEqual(['evt-0', 'evt-3']);
    await waitFor(() => expect(screen.getByTestId('selection-summary').getAttribute('data-total')).toBe('2'));
  });
});

describe('the image', () => {
  it('takes a dropped image: converted by main, saved at once, shown as a thumbnail and in the LINE bubble', async () => {
    const { bridge } = await draftComposer();
    dropFiles([imageFile('new-arrivals.jpg', 'jpeg-bytes')]);
    const thumb = await screen.findByTestId('image-thumb');
    expect(bridge.callsOf('compose.importImage')).toEqual([{ name: 'new-arrivals.jpg', data: btoa('jpeg-bytes') }]);
    const sha = [...bridge.images.keys()][0] as string;
    expect(thumb.getAttribute('src')).toBe(`omo-media://image/${sha}/thumb`);
    // Saved at once, not after the autosave delay.
    expect(bridge.callsOf('drafts.save')).toEqual([{ text: '', image: { sha256: sha, name: 'new-arrivals.jpg' } }]);
    expect(screen.getByTestId('image-size').textContent).toBe('1,200 × 800 像素・1 kB');
    expect(screen.getByTestId('preview-line-image').getAttribute('src')).toBe(`omo-media://image/${sha}/preview`);
    await waitFor(() => expect(saveState()).toBe('saved'));
  });

  it('shows the conversion in progress (處理圖片中…) until main answers', async () => {
    const { bridge } = await draftComposer();
    const release = bridge.hold('compose.importImage');
    dropFiles([imageFile('big-photo.heic', 'heic-bytes', 'image/heic')]);
    const busy = await screen.findByTestId('image-busy');
    expect(busy.textContent).toContain('處理圖片中…');
    expect(screen.queryByTestId('image-thumb')).toBeNull();
    release();
    await screen.findByTestId('image-thumb');
    expect(screen.queryByTestId('image-busy')).toBeNull();
  });

  it('refuses a non-image, a corrupt file and a file over 20 MB with a clear message, changing nothing else', async () => {
    const { bridge } = await draftComposer();
    dropFiles([imageFile('ok.jpg', 'first')]);
    const thumb = await screen.findByTestId('image-thumb');
    const src = thumb.getAttribute('src');
    await waitFor(() => expect(saveState()).toBe('saved'));

    dropFiles([new File(['%PDF'], 'price-list.pdf', { type: 'application/pdf' })]);
    const error = await screen.findByTestId('image-error');
    expect(error.textContent).toContain('無法使用「price-list.pdf」');
    expect(error.textContent).toContain('這不是可以使用的圖片');
    expect(screen.getByTestId('image-thumb').getAttribute('src')).toBe(src);

    dropFiles([imageFile('corrupt.png', 'broken', 'image/png')]);
    await waitFor(() => expect(screen.getByTestId('image-error').textContent).toContain('圖片檔案已損毀'));

    const huge = imageFile('panorama.jpg', 'x');
    Object.defineProperty(huge, 'size', { value: 20 * 1024 * 1024 + 1 });
    const importsBefore = bridge.callsOf('compose.importImage').length;
    dropFiles([huge]);
    await waitFor(() => expect(screen.getByTestId('image-error').textContent).toContain('圖片檔案超過 20 MB'));
    // Refused before it is read or sent.
    expect(bridge.callsOf('compose.importImage')).toHaveLength(importsBefore);

    expect(screen.getByTestId('image-thumb').getAttribute('src')).toBe(src);
    expect(bridge.callsOf('drafts.save')).toHaveLength(1);
    act(() => within(screen.getByTestId('image-error')).getByRole('button').click());
    expect(screen.queryByTestId('image-error')).toBeNull();
  });

  it('removes the image, and replaces it from the file picker', async () => {
    const { bridge } = await draftComposer();
    dropFiles([imageFile('first.jpg', 'first')]);
    await screen.findByTestId('image-thumb');
    await waitFor(() => expect(saveState()).toBe('saved'));

    fireEvent.change(screen.getByTestId('image-input'), { target: { files: [imageFile('second.png', 'second', 'image/png')] } });
    await waitFor(() => expect(screen.getByTestId('image-drop').textContent).toContain('second.png'));
    const second = [...bridge.images.values()].find((image) => image.format === 'png');
    expect(bridge.callsOf('drafts.save')[1]).toEqual({ id: fakeId(1), image: { sha256: second?.sha256, name: 'second.png' } });
    expect(screen.getByTestId('image-thumb').getAttribute('src')).toBe(`omo-media://image/${second?.sha256}/thumb`);

    act(() => screen.getByTestId('image-remove').click());
    expect(screen.queryByTestId('image-thumb')).toBeNull();
    expect(screen.getByTestId('image-choose')).toBeTruthy();
    await waitFor(() => expect(bridge.callsOf('drafts.save')[2]).toEqual({ id: fakeId(1), image: null }));
    expect(bridge.drafts.get(fakeId(1))?.image).toBeNull();
  });

  it('takes a pasted screenshot, and leaves a pasted text alone', async () => {
    const { bridge } = await draftComposer();
    fireEvent.paste(document, { clipboardData: { files: [], items: [], types: ['text/plain'] } });
    expect(bridge.callsOf('compose.importImage')).toEqual([]);
    pasteFiles([imageFile('image.png', 'screenshot', 'image/png')]);
    await screen.findByTestId('image-thumb');
    expect(bridge.callsOf('compose.importImage')).toEqual([{ name: 'image.png', data: btoa('screenshot') }]);
  });

  it('refuses locally with the same limit as main', () => {
    expect(IMAGE_LIMIT_BYTES).toBe(MAX_IMAGE_BYTES);
  });
});

describe('the text and its links', () => {
  it('marks official and other links, with the UTM-tagged form when the workspace enables it', async () => {
    const text = 'Sale https://shop.example.com/sale and https://blog.other.com/x';
    await draftComposer({ utm: true, drafts: [{ text, selection: ['evt-0'] }] }, true);
    const links = await screen.findAllByTestId('link');
    expect(links.map((link) => link.getAttribute('data-kind'))).toEqual(['official', 'other']);
    expect(links[0]?.textContent).toContain('官網連結');
    expect(links[1]?.textContent).toContain('非官網連結');
    expect(within(links[0] as HTMLElement).getByTestId('link-tagged').textContent).toContain(
      'https://shop.example.com/sale?utm_source=line&utm_medium=omo_broadcast',
    );
    expect(within(links[1] as HTMLElement).queryByTestId('link-tagged')).toBeNull();
    // The LINE bubble shows the link as it will be sent.
    const previewLinks = within(screen.getByTestId('preview-line')).getAllByTestId('preview-link');
    expect(previewLinks.map((link) => link.textContent)).toEqual([
      'https://shop.example.com/sale?utm_source=line&utm_medium=omo_broadcast',
      'https://blog.other.com/x',
    ]);
    // main's length with the tags, beside the counter.
    expect(screen.getByTestId('text-counter').textContent).toBe(`${text.length} / 5000`);
    expect(screen.getByTestId('text-tagged').textContent).toContain(`${text.length + 41}`);
    // The textarea's mirror highlights the links where they are typed.
    const marks = screen.getByTestId('composer').querySelectorAll('mark.text-field__link');
    expect([...marks].map((mark) => mark.textContent)).toEqual(['https://shop.example.com/sale', 'https://blog.other.com/x']);
    // Typing before them moves the highlights with the text until the next check.
    typeText(`New! ${text}`);
    expect([...screen.getByTestId('composer').querySelectorAll('mark.text-field__link')].map((mark) => mark.textContent)).toEqual([
      'https://shop.example.com/sale',
      'https://blog.other.com/x',
    ]);
    expect(screen.getByTestId('check-status').getAttribute('data-ready')).toBe('true');
  });

  it('ignores a check answered for an older save or another draft', async () => {
    const { bridge } = await renderApp(new FakeBridge({ drafts: [{ text: 'Hi https://shop.example.com', selection: ['evt-0'] }] }));
    const real = (draft: Parameters<typeof computeCheck>[0]) =>
      computeCheck(draft, { events: bridge.eventList, catalog: bridge.templates, utm: false, officialDomains: ['shop.example.com'] });
    bridge.cannedCheck = (draft) => ({ ...real(draft), updatedAt: draft.updatedAt - 1 });
    act(() => screen.getByTestId('nav-drafts').click());
    act(() => screen.getByTestId('draft-item').click());
    await screen.findByTestId('composer');
    await waitFor(() => expect(bridge.callsOf('compose.check')).toHaveLength(1));
    await act(async () => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(screen.queryByTestId('link-list')).toBeNull();
    expect(screen.getByTestId('check-status').getAttribute('data-ready')).toBe('false');

    bridge.cannedCheck = (draft) => ({ ...real(draft), draftId: fakeId(77) });
    typeText('Hi https://shop.example.com/new');
    clickSave();
    await waitFor(() => expect(bridge.callsOf('compose.check')).toHaveLength(2));
    await act(async () => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(screen.queryByTestId('link-list')).toBeNull();

    bridge.cannedCheck = null;
    typeText('Hi https://shop.example.com/new!');
    clickSave();
    await screen.findByTestId('link-list');
    expect(screen.getByTestId('check-status').getAttribute('data-ready')).toBe('true');
    expect(screen.getByTestId('check-status').textContent).toContain('可發送');
  });
});

describe('群發範本訊息 (WhatsApp)', () => {
  it('lists the number’s templates, and maps each parameter to a fixed text or the customer’s name', async () => {
    const { bridge } = await composeFor([2]);
    const card = await screen.findByTestId('wa-number');
    expect(card.getAttribute('data-phone-number-id')).toBe(WHATSAPP_NUMBER);
    await waitForTemplates();
    await waitFor(() => expect(bridge.callsOf('compose.templates')).toEqual([{ refresh: false }, { refresh: true }]));
    const options = [...templateSelect().options];
    expect(options.map((option) => [option.value, option.disabled])).toEqual([
      ['', false],
      ['new_arrivals|zh_TW', false],
      ['store_event|en_US', false],
      ['coupon_pending|zh_TW', true],
      ['video_promo|zh_TW', true],
    ]);
    expect(options[3]?.textContent).toContain('審核中');
    expect(options[4]?.textContent).toContain('無法從應用程式發送');
    expect(within(card).getByTestId('wa-fetched').textContent).toContain('範本更新於');
    // Only WhatsApp customers: no LINE phone in the preview.
    expect(screen.queryByTestId('preview-line')).toBeNull();

    fireEvent.change(templateSelect(), { target: { value: 'new_arrivals|zh_TW' } });
    expect(screen.getAllByTestId('wa-param').map((element) => element.getAttribute('data-key'))).toEqual(['1', '2']);
    expect(within(card).getByTestId('wa-header-image').textContent).toContain('這個範本的頁首是圖片');

    fireEvent.change(within(paramRow('1')).getByTestId('wa-param-source'), { target: { value: 'customer_name' } });
    fireEvent.change(within(paramRow('1')).getByTestId('wa-param-text'), { target: { value: '親愛的顧客' } });
    fireEvent.change(within(paramRow('2')).getByTestId('wa-param-text'), { target: { value: '全館 9 折' } });
    await waitFor(() => expect(saveState()).toBe('saved'));

    const expected = {
      numbers: [
        {
          phoneNumberId: WHATSAPP_NUMBER,
          template: { name: 'new_arrivals', language: 'zh_TW' },
          params: { '1': { source: 'customer_name', fallback: '親愛的顧客' }, '2': { source: 'fixed', text: '全館 9 折' } },
        },
      ],
    };
    expect(bridge.drafts.get(fakeId(1))?.whatsapp).toEqual(expected);
    expect(bridge.drafts.get(fakeId(1))?.selection).toEqual(['evt-2']);

    // The template filled for a sample customer (row 2 is AMY 林), as the phone shows it.
    const phone = await screen.findByTestId('preview-whatsapp');
    await waitFor(() => expect(within(phone).getByTestId('preview-whatsapp-bubble').textContent).toContain('AMY 林 您好！本週新品到貨：全館 9 折'));
    expect(phone.textContent).toContain('範例顧客：AMY 林');
    // Its header is an image and there is none yet: main says so, translated.
    const problems = screen.getAllByTestId('problem').map((element) => element.textContent);
    expect(problems.some((text) => text?.includes('範本的頁首需要圖片'))).toBe(true);
    expect(screen.getByTestId('check-status').getAttribute('data-ready')).toBe('false');

    dropFiles([imageFile('header.jpg', 'header')]);
    await screen.findByTestId('image-thumb');
    await waitFor(() => expect(screen.getByTestId('check-status').getAttribute('data-ready')).toBe('true'));
    expect(within(card).getByTestId('wa-header-image').textContent).toContain('使用上方圖片作為範本頁首圖片');
  });

  it('uses the cached templates offline, without asking WhatsApp', async () => {
    const { bridge } = await composeFor([2], { appInfo: { online: false } });
    await screen.findByTestId('wa-number');
    await waitForTemplates();
    expect(bridge.callsOf('compose.templates')).toEqual([{ refresh: false }]);
    expect((screen.getByTestId('wa-refresh') as HTMLButtonElement).disabled).toBe(true);
  });

  it('names a missing parameter in the problems', async () => {
    await composeFor([2]);
    await screen.findByTestId('wa-number');
    await waitForTemplates();
    fireEvent.change(templateSelect(), { target: { value: 'store_event|en_US' } });
    fireEvent.change(within(paramRow('customer')).getByTestId('wa-param-text'), { target: { value: 'friend' } });
    await waitFor(() => expect(saveState()).toBe('saved'));
    const problem = await screen.findByTestId('problem');
    expect(problem.getAttribute('data-code')).toBe('wa_param_missing');
    expect(problem.getAttribute('data-param')).toBe('date');
    expect(problem.textContent).toContain('參數「{{date}}」尚未填寫');
    expect(problem.textContent).toContain('晨光選物 WhatsApp');
  });

  it('handles a selection spanning two WhatsApp numbers per number', async () => {
    const { bridge } = await composeFor([2, 5], { events: twoNumberEvents() });
    await waitFor(() => expect(screen.getAllByTestId('wa-number')).toHaveLength(2));
    await waitForTemplates();
    await waitFor(() => expect(templateSelect(SECOND_WHATSAPP_NUMBER).options.length).toBe(2));
    fireEvent.change(templateSelect(WHATSAPP_NUMBER), { target: { value: 'store_event|en_US' } });
    fireEvent.change(templateSelect(SECOND_WHATSAPP_NUMBER), { target: { value: 'store_event|en_US' } });
    fireEvent.change(within(paramRow('date', SECOND_WHATSAPP_NUMBER)).getByTestId('wa-param-text'), { target: { value: 'Sunday' } });
    await waitFor(() => expect(saveState()).toBe('saved'));
    const numbers = bridge.drafts.get(fakeId(1))?.whatsapp.numbers ?? [];
    expect(numbers.map((number) => number.phoneNumberId)).toEqual([WHATSAPP_NUMBER, SECOND_WHATSAPP_NUMBER]);
    expect(numbers[1]?.params.date).toEqual({ source: 'fixed', text: 'Sunday' });
    expect(numbers[0]?.params.date).toEqual({ source: 'fixed', text: '' });
    await waitFor(() => expect(screen.getAllByTestId('preview-whatsapp')).toHaveLength(2));
  });

  it('has no Chinese in the English composer (the data aside)', async () => {
    await composeFor([0, 2], { settings: { language: 'en' } });
    await screen.findByTestId('wa-number');
    await waitForTemplates();
    fireEvent.change(templateSelect(), { target: { value: 'new_arrivals|zh_TW' } });
    typeText('Weekend sale https://shop.example.com');
    await waitFor(() => expect(saveState()).toBe('saved'));
    await screen.findAllByTestId('problem');
    const problems = screen.getAllByTestId('problem').map((element) => element.textContent ?? '');
    expect(problems.some((text) => text.includes('Parameter “{{1}}” is empty'))).toBe(true);
    expect(screen.getByTestId('check-status').textContent).toContain('Still needed:');
    const text = uiText(document.body);
    expect(text.match(CJK), text).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { WabaTemplate } from '../../../main/channels/whatsapp/client';
import { type CheckInput, type SelectionBreakdown, checkDraft, fillTemplate, resolveParam } from '../../../main/compose/check';
import { parseTemplate } from '../../../main/compose/templates';
import {
  ComposeCheck,
  type NumberTemplates,
  type TemplateInfo,
  type TemplateParamValue,
  type WhatsAppNumberDraft,
} from '../../../preload/contract';

const T0 = Date.UTC(2026, 10, 2, 3, 0, 0);
const DRAFT_ID = '6f1c2a9e-0b7d-4e55-9a43-2d8f0c1e7b36';
const SHA = 'a'.repeat(64);
const WA = '100000000000001';
const WA_OTHER = '100000000000002';
const FOOTER = '晨光選物 Morning Light・回覆「退訂」停止接收';
const UTM = `utm_source=line&utm_medium=omo_broadcast&utm_campaign=${DRAFT_ID}&utm_content=u-sales`;

function template(raw: Omit<WabaTemplate, 'id'>): TemplateInfo {
  const info = parseTemplate({ id: '1', ...raw });
  if (!info) throw new Error('fixture template did not parse');
  return info;
}

const NEW_ARRIVAL = template({
  name: 'new_arrival',
  language: 'zh_TW',
  status: 'APPROVED',
  category: 'MARKETING',
  parameter_format: 'POSITIONAL',
  components: [
    { type: 'HEADER', format: 'IMAGE' },
    { type: 'BODY', text: '{{1}} 您好！本週新品到貨：{{2}}，歡迎到門市試穿或線上選購。', example: { body_text: [['王小明', '秋季針織外套']] } },
    { type: 'FOOTER', text: FOOTER },
  ],
});
const STORE_EVENT = template({
  name: 'store_event_named',
  language: 'zh_TW',
  status: 'APPROVED',
  category: 'MARKETING',
  parameter_format: 'NAMED',
  components: [
    { type: 'HEADER', format: 'TEXT', text: '門市活動邀請' },
    { type: 'BODY', text: '{{first_name}} 您好，{{event_date}} 門市會員日，全館滿千送百，期待您的光臨！' },
    { type: 'FOOTER', text: FOOTER },
  ],
});
const COUPON = template({
  name: 'coupon_reminder',
  language: 'zh_TW',
  status: 'APPROVED',
  components: [{ type: 'BODY', text: '提醒您，您的優惠券將於 {{1}} 到期，結帳時出示即可折抵。' }],
});
const REJECTED = template({
  name: 'flash_sale_rejected',
  language: 'zh_TW',
  status: 'REJECTED',
  components: [{ type: 'BODY', text: '限時搶購！{{1}} 全面一折，手刀搶購！' }],
});
const VIDEO = template({
  name: 'video_teaser',
  language: 'zh_TW',
  status: 'APPROVED',
  components: [{ type: 'HEADER', format: 'VIDEO' }, { type: 'BODY', text: '看影片' }],
});

const ENTRY: NumberTemplates = {
  phoneNumberId: WA,
  name: '晨光選物 台北',
  displayNumber: '+886 912 345 678',
  fetchedAt: T0,
  error: null,
  templates: [COUPON, NEW_ARRIVAL, STORE_EVENT, VIDEO, REJECTED],
};

const fixed = (text: string): TemplateParamValue => ({ source: 'fixed', text });
const customerName = (fallback: string): TemplateParamValue => ({ source: 'customer_name', fallback });

const READY_NUMBER: WhatsAppNumberDraft = {
  phoneNumberId: WA,
  template: { name: 'new_arrival', language: 'zh_TW' },
  params: { '1': customerName('貴賓'), '2': fixed('秋季針織外套') },
};

function selection(overrides: Partial<SelectionBreakdown> = {}): SelectionBreakdown {
  return {
    total: 5,
    line: 3,
    whatsapp: 2,
    dropped: 1,
    accounts: [
      { channel: 'line', id: '1600000001', name: '晨光選物 Morning Light', count: 3, sampleCustomer: 'Amy' },
      { channel: 'whatsapp', id: WA, name: 'Taipei (from the events)', count: 2, sampleCustomer: '王小明' },
    ],
    ...overrides,
  };
}

const LINE_ONLY = selection({
  total: 3,
  whatsapp: 0,
  accounts: [{ channel: 'line', id: '1600000001', name: '晨光選物 Morning Light', count: 3, sampleCustomer: 'Amy' }],
});
const WHATSAPP_ONLY = selection({
  total: 2,
  line: 0,
  accounts: [{ channel: 'whatsapp', id: WA, name: 'Taipei (from the events)', count: 2, sampleCustomer: '王小明' }],
});

function input(overrides: {
  text?: string;
  image?: CheckInput['draft']['image'];
  numbers?: WhatsAppNumberDraft[];
  imageStored?: boolean;
  selection?: SelectionBreakdown | null;
  catalog?: NumberTemplates[];
  utmEnabled?: boolean;
  senderId?: string | null;
} = {}): CheckInput {
  return {
    draft: {
      id: DRAFT_ID,
      text: overrides.text ?? '新品到貨，詳情👉https://morninglight.tw/new 。',
      updatedAt: T0 + 42,
      image: overrides.image === undefined ? { sha256: SHA } : overrides.image,
      whatsapp: { numbers: overrides.numbers ?? [READY_NUMBER] },
    },
    imageStored: overrides.imageStored ?? true,
    selection: overrides.selection === undefined ? selection() : overrides.selection,
    catalog: { numbers: overrides.catalog ?? [ENTRY] },
    settings: { officialDomains: ['morninglight.tw'], utmEnabled: overrides.utmEnabled ?? true },
    senderId: overrides.senderId === undefined ? 'u-sales' : overrides.senderId,
  };
}

const codes = (problems: ReadonlyArray<{ code: string; param: string | null }>) => problems.map((p) => (p.param === null ? p.code : `${p.code}:${p.param}`));
const waCodes = (check: ComposeCheck) => codes(check.whatsapp[0]?.problems ?? []);

describe('checkDraft: a draft that can be sent', () => {
  const check = checkDraft(input());

  it('is ready, with every part free of problems, and fits the contract', () => {
    expect(check.ready).toBe(true);
    expect(check.problems).toEqual([]);
    expect(check.line).toEqual({ recipients: 3, problems: [] });
    expect(check.whatsapp.map((w) => w.problems)).toEqual([[]]);
    expect(ComposeCheck.parse(check)).toEqual(check);
  });

  it('echoes the draft and the selection’s counts', () => {
    expect(check.draftId).toBe(DRAFT_ID);
    expect(check.updatedAt).toBe(T0 + 42);
    expect(check.recipients).toEqual({ total: 5, line: 3, whatsapp: 2, dropped: 1 });
    expect(check.utm).toBe(true);
  });

  it('lists the links with their tagged form; the tagged length counts the tags', () => {
    const text = '新品到貨，詳情👉https://morninglight.tw/new 。';
    expect(check.links).toEqual([
      { start: 9, end: 9 + 'https://morninglight.tw/new'.length, url: 'https://morninglight.tw/new', kind: 'official', tagged: `https://morninglight.tw/new?${UTM}` },
    ]);
    expect(check.text).toEqual({ length: text.length, taggedLength: text.length + 1 + UTM.length, max: 5000 });
  });

  it('describes the WhatsApp number from the catalog, with the template filled for the first customer', () => {
    expect(check.whatsapp).toEqual([
      {
        phoneNumberId: WA,
        name: '晨光選物 台北',
        displayNumber: '+886 912 345 678',
        recipients: 2,
        template: NEW_ARRIVAL,
        problems: [],
        sample: {
          customerName: '王小明',
          header: null,
          body: '王小明 您好！本週新品到貨：秋季針織外套，歡迎到門市試穿或線上選購。',
          footer: FOOTER,
        },
      },
    ]);
  });
});

describe('checkDraft: links and UTM', () => {
  it('tags official links only; other links are listed with tagged null', () => {
    const check = checkDraft(input({ text: 'https://other.com/a 與 https://shop.morninglight.tw/b' }));
    expect(check.links.map((l) => [l.kind, l.tagged])).toEqual([
      ['other', null],
      ['official', `https://shop.morninglight.tw/b?${UTM}`],
    ]);
  });

  it('tags nothing when the workspace disables UTM: the tagged length is the length', () => {
    const check = checkDraft(input({ utmEnabled: false }));
    expect(check.utm).toBe(false);
    expect(check.links.map((l) => l.tagged)).toEqual([null]);
    expect(check.text.taggedLength).toBe(check.text.length);
  });

  it('uses a placeholder sender while signed out', () => {
    const check = checkDraft(input({ senderId: null }));
    expect(check.links[0]?.tagged).toContain('&utm_content=sender');
  });
});

describe('checkDraft: problems of the draft and its LINE part', () => {
  it('no_recipients without a selection: zero counts, no LINE or WhatsApp checks, not ready', () => {
    const check = checkDraft(input({ selection: null }));
    expect(codes(check.problems)).toEqual(['no_recipients']);
    expect(check.recipients).toEqual({ total: 0, line: 0, whatsapp: 0, dropped: 0 });
    expect(check.line).toEqual({ recipients: 0, problems: [] });
    expect(check.whatsapp).toEqual([]);
    expect(check.ready).toBe(false);
  });

  it('no_recipients when every saved event dropped out', () => {
    const check = checkDraft(input({ selection: { total: 0, line: 0, whatsapp: 0, dropped: 7, accounts: [] } }));
    expect(codes(check.problems)).toEqual(['no_recipients']);
    expect(check.recipients.dropped).toBe(7);
    expect(check.ready).toBe(false);
  });

  it('line_empty with neither an image nor text (whitespace is no text); an image alone is enough', () => {
    expect(codes(checkDraft(input({ text: ' \n\t', image: null, selection: LINE_ONLY })).line.problems)).toEqual(['line_empty']);
    const imageOnly = checkDraft(input({ text: '', selection: LINE_ONLY }));
    expect(imageOnly.line.problems).toEqual([]);
    expect(imageOnly.ready).toBe(true);
  });

  it('text_too_long over 5,000 UTF-16 units as typed (an emoji counts two)', () => {
    expect(codes(checkDraft(input({ text: 'a'.repeat(5001), selection: LINE_ONLY })).line.problems)).toEqual(['text_too_long']);
    expect(checkDraft(input({ text: 'a'.repeat(5000), selection: LINE_ONLY })).line.problems).toEqual([]);
    const emoji = checkDraft(input({ text: '🎉'.repeat(2501), selection: LINE_ONLY }));
    expect(emoji.text.length).toBe(5002);
    expect(codes(emoji.line.problems)).toEqual(['text_too_long']);
  });

  it('text_too_long_tagged when only the UTM tags push an official link’s text over 5,000', () => {
    const link = 'https://morninglight.tw/x';
    const text = `${'字'.repeat(5000 - link.length - 1)} ${link}`;
    expect(text.length).toBe(5000);
    const check = checkDraft(input({ text, selection: LINE_ONLY }));
    expect(codes(check.line.problems)).toEqual(['text_too_long_tagged']);
    expect(check.text.taggedLength).toBe(5000 + 1 + UTM.length);
    expect(check.ready).toBe(false);
    expect(checkDraft(input({ text, selection: LINE_ONLY, utmEnabled: false })).line.problems).toEqual([]);
    const other = `${'字'.repeat(5000 - 'https://other.com/x'.length - 1)} https://other.com/x`;
    expect(checkDraft(input({ text: other, selection: LINE_ONLY })).line.problems).toEqual([]);
  });

  it('image_missing when the draft’s image is no longer stored', () => {
    const check = checkDraft(input({ imageStored: false, selection: LINE_ONLY }));
    expect(codes(check.line.problems)).toEqual(['image_missing']);
    expect(check.ready).toBe(false);
  });

  it('checks nothing of LINE when the selection has no LINE customer', () => {
    const check = checkDraft(input({ text: '', image: null, selection: WHATSAPP_ONLY, numbers: [{ ...READY_NUMBER, template: { name: 'coupon_reminder', language: 'zh_TW' }, params: { '1': fixed('11/30') } }] }));
    expect(check.line).toEqual({ recipients: 0, problems: [] });
    expect(check.ready).toBe(true);
  });
});

describe('checkDraft: problems of a WhatsApp number', () => {
  const only = (overrides: Parameters<typeof input>[0]) => checkDraft(input({ selection: WHATSAPP_ONLY, ...overrides }));

  it('wa_templates_unavailable when the catalog has no entry: the account’s name, no display number', () => {
    const check = only({ catalog: [] });
    expect(check.whatsapp).toEqual([
      { phoneNumberId: WA, name: 'Taipei (from the events)', displayNumber: '', recipients: 2, template: null, problems: [{ code: 'wa_templates_unavailable', param: null }], sample: null },
    ]);
    expect(check.ready).toBe(false);
  });

  it('wa_templates_unavailable when the number was never fetched, even after a failed try', () => {
    const check = only({ catalog: [{ ...ENTRY, fetchedAt: null, error: 'unreachable', templates: [] }] });
    expect(waCodes(check)).toEqual(['wa_templates_unavailable']);
    expect(check.whatsapp[0]?.name).toBe('晨光選物 台北');
  });

  it('uses a list fetched once even when the last refresh failed', () => {
    expect(only({ catalog: [{ ...ENTRY, error: 'unreachable' }] }).whatsapp[0]?.problems).toEqual([]);
  });

  it('wa_template_missing without a part for the number or without a chosen template', () => {
    expect(waCodes(only({ numbers: [] }))).toEqual(['wa_template_missing']);
    expect(waCodes(only({ numbers: [{ ...READY_NUMBER, phoneNumberId: WA_OTHER }] }))).toEqual(['wa_template_missing']);
    const none = only({ numbers: [{ ...READY_NUMBER, template: null }] });
    expect(waCodes(none)).toEqual(['wa_template_missing']);
    expect(none.whatsapp[0]).toMatchObject({ template: null, sample: null });
    // A number that was fetched and has no templates at all is not "unavailable": a template is missing.
    expect(waCodes(only({ numbers: [], catalog: [{ ...ENTRY, templates: [] }] }))).toEqual(['wa_template_missing']);
  });

  it('wa_template_unknown when the chosen name and language are no longer listed', () => {
    const check = only({ numbers: [{ ...READY_NUMBER, template: { name: 'new_arrival', language: 'en_US' } }] });
    expect(waCodes(check)).toEqual(['wa_template_unknown']);
    expect(check.whatsapp[0]?.template).toBeNull();
  });

  it('wa_template_not_approved for a REJECTED template, still with a sample', () => {
    const check = only({ numbers: [{ phoneNumberId: WA, template: { name: 'flash_sale_rejected', language: 'zh_TW' }, params: { '1': fixed('今晚 8 點') } }] });
    expect(waCodes(check)).toEqual(['wa_template_not_approved']);
    expect(check.whatsapp[0]?.sample?.body).toBe('限時搶購！今晚 8 點 全面一折，手刀搶購！');
  });

  it('wa_template_unsupported for a template the app cannot fill', () => {
    expect(waCodes(only({ numbers: [{ phoneNumberId: WA, template: { name: 'video_teaser', language: 'zh_TW' }, params: {} }] }))).toEqual(['wa_template_unsupported']);
  });

  it('wa_header_image_missing for an image header without an image; image_missing when it is gone', () => {
    expect(waCodes(only({ image: null }))).toEqual(['wa_header_image_missing']);
    expect(waCodes(only({ imageStored: false }))).toEqual(['image_missing']);
    // A template without an image header does not care.
    const coupon: WhatsAppNumberDraft = { phoneNumberId: WA, template: { name: 'coupon_reminder', language: 'zh_TW' }, params: { '1': fixed('11/30') } };
    expect(waCodes(only({ image: null, numbers: [coupon] }))).toEqual([]);
  });

  it('wa_param_missing for an absent parameter, an empty fixed text, or an empty fallback', () => {
    const check = only({ numbers: [{ ...READY_NUMBER, params: { '2': fixed('') } }] });
    expect(waCodes(check)).toEqual(['wa_param_missing:1', 'wa_param_missing:2']);
    expect(waCodes(only({ numbers: [{ ...READY_NUMBER, params: { '1': customerName('  '), '2': fixed('   ') } }] }))).toEqual(['wa_param_missing:1', 'wa_param_missing:2']);
  });

  it('wa_param_invalid for a newline, a tab or five spaces in a fixed text or a fallback', () => {
    const check = only({ numbers: [{ ...READY_NUMBER, params: { '1': customerName('親愛的\t貴賓'), '2': fixed('外套\n褲子') } }] });
    expect(waCodes(check)).toEqual(['wa_param_invalid:1', 'wa_param_invalid:2']);
    expect(waCodes(only({ numbers: [{ ...READY_NUMBER, params: { ...READY_NUMBER.params, '2': fixed('a     b') } }] }))).toEqual(['wa_param_invalid:2']);
  });

  it('wa_param_too_long past 1,024 characters', () => {
    const check = only({ numbers: [{ ...READY_NUMBER, params: { '1': customerName('貴'.repeat(1025)), '2': fixed('x'.repeat(1025)) } }] });
    expect(waCodes(check)).toEqual(['wa_param_too_long:1', 'wa_param_too_long:2']);
    expect(waCodes(only({ numbers: [{ ...READY_NUMBER, params: { ...READY_NUMBER.params, '2': fixed('x'.repeat(1024)) } }] }))).toEqual([]);
  });

  it('keys a NAMED template’s parameters by name, and lists several problems at once', () => {
    const named: WhatsAppNumberDraft = {
      phoneNumberId: WA,
      template: { name: 'store_event_named', language: 'zh_TW' },
      params: { first_name: customerName('貴賓'), '1': fixed('ignored') },
    };
    const check = only({ numbers: [named] });
    expect(waCodes(check)).toEqual(['wa_param_missing:event_date']);
    expect(check.whatsapp[0]?.sample).toEqual({
      customerName: '王小明',
      header: '門市活動邀請',
      body: '王小明 您好，{{event_date}} 門市會員日，全館滿千送百，期待您的光臨！',
      footer: FOOTER,
    });
  });

  it('checks each WhatsApp number of the selection with customers, and only those', () => {
    const check = checkDraft(
      input({
        selection: selection({
          total: 4,
          line: 0,
          whatsapp: 4,
          accounts: [
            { channel: 'whatsapp', id: WA, name: 'A', count: 3, sampleCustomer: 'Amy' },
            { channel: 'whatsapp', id: WA_OTHER, name: 'B', count: 1, sampleCustomer: 'Ben' },
            { channel: 'whatsapp', id: '100000000000003', name: 'C', count: 0, sampleCustomer: null },
          ],
        }),
      }),
    );
    expect(check.whatsapp.map((w) => [w.phoneNumberId, w.recipients, codes(w.problems)])).toEqual([
      [WA, 3, []],
      [WA_OTHER, 1, ['wa_templates_unavailable']],
    ]);
    expect(check.ready).toBe(false);
  });

  it('fills the sample with the fallback when the first customer has no usable name', () => {
    const blank = checkDraft(input({ selection: selection({ accounts: [{ channel: 'whatsapp', id: WA, name: 'A', count: 2, sampleCustomer: ' \n ' }] }) }));
    expect(blank.whatsapp[0]?.sample?.body.startsWith('貴賓 您好！')).toBe(true);
    const none = checkDraft(input({ selection: selection({ accounts: [{ channel: 'whatsapp', id: WA, name: 'A', count: 2, sampleCustomer: null }] }) }));
    expect(none.whatsapp[0]?.sample).toMatchObject({ customerName: '' });
    expect(none.whatsapp[0]?.sample?.body.startsWith('貴賓 您好！')).toBe(true);
  });

  it('does not change its input', () => {
    const given = input();
    const copy = structuredClone(given);
    checkDraft(given);
    expect(given).toEqual(copy);
  });
});

describe('resolveParam', () => {
  it('gives a fixed text as typed', () => {
    expect(resolveParam(fixed('  秋季  外套 '), { name: 'Amy' })).toBe('  秋季  外套 ');
  });

  it('gives the customer’s name flattened, or the fallback when it is empty or unusable', () => {
    expect(resolveParam(customerName('貴賓'), { name: ' 王\n小明\t ' })).toBe('王 小明');
    expect(resolveParam(customerName('貴賓'), { name: '   ' })).toBe('貴賓');
    expect(resolveParam(customerName('貴賓'), { name: '' })).toBe('貴賓');
    expect(resolveParam(customerName('貴賓'), { name: 'x'.repeat(1025) })).toBe('貴賓');
  });
});

describe('fillTemplate', () => {
  it('fills the body once: a value that looks like a placeholder stays as it is', () => {
    const filled = fillTemplate(NEW_ARRIVAL, { '1': fixed('{{2}}'), '2': fixed('外套') }, { name: 'Amy' });
    expect(filled).toEqual({ header: null, body: '{{2}} 您好！本週新品到貨：外套，歡迎到門市試穿或線上選購。', footer: FOOTER });
  });

  it('leaves the placeholder of a parameter without a value, or one that resolves to nothing', () => {
    expect(fillTemplate(COUPON, {}, { name: 'Amy' }).body).toBe('提醒您，您的優惠券將於 {{1}} 到期，結帳時出示即可折抵。');
    expect(fillTemplate(COUPON, { '1': fixed('') }, { name: 'Amy' }).body).toContain('{{1}}');
  });

  it('gives a static text header and no footer when there is none', () => {
    expect(fillTemplate(STORE_EVENT, { first_name: customerName('貴賓'), event_date: fixed('11/15') }, { name: 'Amy' })).toEqual({
      header: '門市活動邀請',
      body: 'Amy 您好，11/15 門市會員日，全館滿千送百，期待您的光臨！',
      footer: FOOTER,
    });
    expect(fillTemplate(COUPON, { '1': fixed('11/30') }, { name: 'Amy' }).footer).toBeNull();
  });
});

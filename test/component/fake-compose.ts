/**
 * The fake bridge's composing side: a small template catalog, deterministic composed images, and a simple
 * compose.check that reasons the way main's does (recipients from the cached events, links, template parameters).
 */
import type {
  ComposeCheck,
  ComposeProblem,
  ComposedImage,
  Draft,
  ErrorCode,
  PlainEventList,
  TemplateCatalog,
  TemplateInfo,
  TextLink,
  WhatsAppCheck,
} from '../../preload/contract';

export const WHATSAPP_NUMBER = '109876543210';
export const SECOND_WHATSAPP_NUMBER = '109876543299';

export const NEW_ARRIVALS: TemplateInfo = {
  name: 'new_arrivals',
  language: 'zh_TW',
  status: 'APPROVED',
  category: 'MARKETING',
  parameterFormat: 'POSITIONAL',
  header: { format: 'IMAGE', text: null },
  body: '{{1}} 您好！本週新品到貨：{{2}}',
  footer: '晨光選物',
  buttons: ['查看新品'],
  params: [
    { key: '1', example: '王小明' },
    { key: '2', example: '全館 9 折' },
  ],
  unsupported: null,
};

export const STORE_EVENT: TemplateInfo = {
  name: 'store_event',
  language: 'en_US',
  status: 'APPROVED',
  category: 'MARKETING',
  parameterFormat: 'NAMED',
  header: { format: 'TEXT', text: 'Store event' },
  body: 'Hi {{customer}}, join us on {{date}}.',
  footer: null,
  buttons: [],
  params: [
    { key: 'customer', example: 'Amy' },
    { key: 'date', example: 'Saturday' },
  ],
  unsupported: null,
};

export const PENDING_COUPON: TemplateInfo = {
  ...STORE_EVENT,
  name: 'coupon_pending',
  language: 'zh_TW',
  status: 'PENDING',
  header: { format: 'NONE', text: null },
  body: '優惠券',
  params: [],
};

export const VIDEO_PROMO: TemplateInfo = {
  ...STORE_EVENT,
  name: 'video_promo',
  language: 'zh_TW',
  header: { format: 'OTHER', text: null },
  body: '影片',
  params: [],
  unsupported: 'header_format',
};

export function fakeTemplates(fetchedAt: number): TemplateCatalog {
  return {
    numbers: [
      {
        phoneNumberId: WHATSAPP_NUMBER,
        name: '晨光選物 WhatsApp',
        displayNumber: '+886 2 2720 1234',
        fetchedAt,
        error: null,
        templates: [NEW_ARRIVALS, STORE_EVENT, PENDING_COUPON, VIDEO_PROMO],
      },
      {
        phoneNumberId: SECOND_WHATSAPP_NUMBER,
        name: '晨光選物 高雄',
        displayNumber: '+886 7 555 0000',
        fetchedAt,
        error: null,
        templates: [STORE_EVENT],
      },
    ],
  };
}

/** A refusal by file name, as main would refuse the file's bytes. */
export function importRefusal(name: string): ErrorCode | null {
  if (name.includes('huge')) return 'image_too_large';
  if (name.includes('corrupt')) return 'image_corrupt';
  if (name.includes('bomb')) return 'image_too_many_pixels';
  if (!/\.(jpe?g|png|webp|gif|heic|heif)$/i.test(name)) return 'image_unsupported';
  return null;
}

/** A deterministic SHA-256-shaped id of the file's content. */
function fakeSha(data: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < data.length; index += 1) {
    hash ^= data.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0').repeat(8);
}

export function fakeComposedImage(name: string, data: string): ComposedImage {
  const bytes = Math.max(1, Math.floor((data.length * 3) / 4));
  return {
    sha256: fakeSha(data),
    format: name.toLowerCase().endsWith('.png') ? 'png' : 'jpeg',
    width: 1200,
    height: 800,
    bytes,
    previewBytes: Math.max(1, Math.floor(bytes / 4)),
    whatsappBytes: bytes,
    source: { format: name.split('.').pop()?.toLowerCase() ?? 'jpeg', bytes },
  };
}

export interface CheckOptions {
  events: PlainEventList;
  catalog: TemplateCatalog;
  utm: boolean;
  officialDomains: readonly string[];
}

const UTM = 'utm_source=line&utm_medium=omo_broadcast';

function findLinks(text: string, options: CheckOptions): TextLink[] {
  const links: TextLink[] = [];
  for (const match of text.matchAll(/https?:\/\/[^\s]+/g)) {
    const url = match[0];
    const start = match.index;
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      continue;
    }
    const official = options.officialDomains.some((domain) => host === domain || host.endsWith(`.${domain}`));
    links.push({
      start,
      end: start + url.length,
      url,
      kind: official ? 'official' : 'other',
      tagged: official && options.utm ? `${url}${url.includes('?') ? '&' : '?'}${UTM}` : null,
    });
  }
  return links;
}

/** compose.check, simplified: the same shape and the same kinds of answers as main's. */
export function computeCheck(draft: Draft, options: CheckOptions): ComposeCheck {
  const { rows, accounts } = options.events;
  const rowOf = new Map(rows.ids.map((id, row) => [id, row]));
  let line = 0;
  let dropped = 0;
  const perNumber = new Map<string, { name: string; rows: number[] }>();
  for (const id of draft.selection ?? []) {
    const row = rowOf.get(id);
    if (row === undefined) {
      dropped += 1;
      continue;
    }
    if (rows.channels[row] === 0) {
      line += 1;
      continue;
    }
    const account = accounts[rows.accountIndex[row] ?? 0] ?? { id: WHATSAPP_NUMBER, name: 'WhatsApp', channel: 'whatsapp' as const };
    const entry = perNumber.get(account.id) ?? { name: account.name, rows: [] };
    entry.rows.push(row);
    perNumber.set(account.id, entry);
  }
  const links = findLinks(draft.text, options);
  const taggedLength = draft.text.length + links.reduce((sum, link) => sum + (link.tagged ? link.tagged.length - link.url.length : 0), 0);

  const lineProblems: ComposeProblem[] = [];
  if (line > 0 && draft.text.length === 0 && draft.image === null) lineProblems.push({ code: 'line_empty', param: null });
  if (line > 0 && taggedLength > 5000) lineProblems.push({ code: 'text_too_long_tagged', param: null });

  const whatsapp: WhatsAppCheck[] = [...perNumber].map(([phoneNumberId, { name, rows: numberRows }]) => {
    const cached = options.catalog.numbers.find((number) => number.phoneNumberId === phoneNumberId);
    const choice = draft.whatsapp.numbers.find((number) => number.phoneNumberId === phoneNumberId);
    const problems: ComposeProblem[] = [];
    let template: TemplateInfo | null = null;
    if (!cached) problems.push({ code: 'wa_templates_unavailable', param: null });
    else if (!choice?.template) problems.push({ code: 'wa_template_missing', param: null });
    else {
      const wanted = choice.template;
      template = cached.templates.find((candidate) => candidate.name === wanted.name && candidate.language === wanted.language) ?? null;
      if (!template) problems.push({ code: 'wa_template_unknown', param: null });
      else if (template.status !== 'APPROVED') problems.push({ code: 'wa_template_not_approved', param: null });
      else if (template.unsupported) problems.push({ code: 'wa_template_unsupported', param: null });
    }
    const customerName = rows.names[numberRows[0] ?? 0] ?? '';
    let sample: WhatsAppCheck['sample'] = null;
    if (template) {
      if (template.header.format === 'IMAGE' && draft.image === null) problems.push({ code: 'wa_header_image_missing', param: null });
      const values = new Map<string, string>();
      for (const param of template.params) {
        const value = choice?.params[param.key];
        const typed = !value ? '' : value.source === 'fixed' ? value.text : value.fallback;
        if (!value || (value.source === 'fixed' && typed.trim() === '')) problems.push({ code: 'wa_param_missing', param: param.key });
        values.set(param.key, !value ? '' : value.source === 'fixed' ? typed : customerName || typed);
      }
      sample = {
        customerName,
        header: template.header.format === 'TEXT' ? template.header.text : null,
        body: template.body.replace(/\{\{([A-Za-z0-9_]+)\}\}/g, (_, key: string) => values.get(key) ?? ''),
        footer: template.footer,
      };
    }
    return {
      phoneNumberId,
      name: cached?.name ?? name,
      displayNumber: cached?.displayNumber ?? '',
      recipients: numberRows.length,
      template,
      problems,
      sample,
    };
  });

  const whatsappCount = whatsapp.reduce((sum, number) => sum + number.recipients, 0);
  const total = line + whatsappCount;
  const problems: ComposeProblem[] = total === 0 ? [{ code: 'no_recipients', param: null }] : [];
  const ready = problems.length === 0 && lineProblems.length === 0 && whatsapp.every((number) => number.problems.length === 0);
  return {
    draftId: draft.id,
    updatedAt: draft.updatedAt,
    recipients: { total, line, whatsapp: whatsappCount, dropped },
    text: { length: draft.text.length, taggedLength, max: 5000 },
    links,
    utm: options.utm,
    line: { recipients: line, problems: lineProblems },
    whatsapp,
    problems,
    ready,
  };
}

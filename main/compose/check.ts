import {
  type ComposeCheck,
  type ComposeProblem,
  type ComposeProblemCode,
  MAX_TEXT_LENGTH,
  type TemplateCatalog,
  type TemplateInfo,
  type TemplateParamValue,
  type TextLink,
  type WhatsAppCheck,
  type WhatsAppDraft,
} from '../../preload/contract';
import { flattenParamText, templateParamProblem } from '../channels/whatsapp/messages';
import { findLinks, tagText, tagUrl, type UtmTags } from './links';
import { fillPlaceholders } from './templates';

/**
 * compose.check: everything that stands between a stored draft and a send, computed from the draft, the selection's
 * breakdown and the cached template catalog. Pure and cheap: it runs on every autosave.
 */

/** What a selection amounts to (main computes it from the events cache; the app passes it in). */
export interface SelectionBreakdown {
  total: number;
  line: number;
  whatsapp: number;
  dropped: number;
  accounts: Array<{ channel: 'line' | 'whatsapp'; id: string; name: string; count: number; sampleCustomer: string | null }>;
}

export interface CheckInput {
  draft: { id: string; text: string; updatedAt: number; image: { sha256: string } | null; whatsapp: WhatsAppDraft };
  /** Whether the draft's image is still stored (false → 'image_missing'). */
  imageStored: boolean;
  /** null: the draft has no selection (→ 'no_recipients'). */
  selection: SelectionBreakdown | null;
  catalog: TemplateCatalog;
  settings: { officialDomains: readonly string[]; utmEnabled: boolean };
  /** The signed-in user's id (utm_content); null when signed out. */
  senderId: string | null;
}

/** utm_content while signed out (the check still shows what the tags look like). */
const UNKNOWN_SENDER = 'sender';

function problem(code: ComposeProblemCode, param: string | null = null): ComposeProblem {
  return { code, param };
}

/**
 * A parameter's text for one customer: a fixed text as typed; the customer's name flattened (flattenParamText), or
 * the fallback when the name is empty or still not a valid parameter (too long).
 */
export function resolveParam(value: TemplateParamValue, customer: { name: string }): string {
  if (value.source === 'fixed') return value.text;
  const name = flattenParamText(customer.name);
  return name === '' || templateParamProblem(name) !== null ? value.fallback : name;
}

/**
 * The template's header, body and footer filled for one customer (the preview, and later the send engine). A
 * parameter with no value, or one that resolves to an empty text, stays as its placeholder ({{1}}), so the preview
 * shows what is missing. The header is the static text of a TEXT header (null for none or an image).
 */
export function fillTemplate(
  template: TemplateInfo,
  params: Record<string, TemplateParamValue>,
  customer: { name: string },
): { header: string | null; body: string; footer: string | null } {
  const body = fillPlaceholders(template.body, (key) => {
    const value = Object.hasOwn(params, key) ? params[key] : undefined;
    if (value === undefined) return null;
    const text = resolveParam(value, customer);
    return text === '' ? null : text;
  });
  const header = template.header.format === 'TEXT' || template.header.format === 'OTHER' ? template.header.text : null;
  return { header, body, footer: template.footer };
}

/** What Meta would make of a parameter's text, as a compose problem (null: fine). */
function textProblem(text: string, key: string): ComposeProblem | null {
  if (text.trim() === '') return problem('wa_param_missing', key);
  switch (templateParamProblem(text)) {
    case null:
      return null;
    case 'wa_param_empty':
      return problem('wa_param_missing', key);
    case 'wa_param_invalid':
      return problem('wa_param_invalid', key);
    case 'wa_text_too_long':
      return problem('wa_param_too_long', key);
  }
}

function paramProblem(value: TemplateParamValue | undefined, key: string): ComposeProblem | null {
  if (value === undefined) return problem('wa_param_missing', key);
  // A customer's name is flattened and falls back when unusable, so only the fallback can make it fail.
  return textProblem(value.source === 'fixed' ? value.text : value.fallback, key);
}

function checkNumber(
  input: CheckInput,
  account: SelectionBreakdown['accounts'][number],
): WhatsAppCheck {
  const entry = input.catalog.numbers.find((number) => number.phoneNumberId === account.id);
  const base = {
    phoneNumberId: account.id,
    name: entry?.name ?? account.name,
    displayNumber: entry?.displayNumber ?? '',
    recipients: account.count,
  };
  const none = (code: ComposeProblemCode): WhatsAppCheck => ({ ...base, template: null, problems: [problem(code)], sample: null });

  if (!entry || (entry.fetchedAt === null && entry.templates.length === 0)) return none('wa_templates_unavailable');
  const numberDraft = input.draft.whatsapp.numbers.find((number) => number.phoneNumberId === account.id);
  const choice = numberDraft?.template ?? null;
  if (!numberDraft || choice === null) return none('wa_template_missing');
  const template = entry.templates.find((candidate) => candidate.name === choice.name && candidate.language === choice.language);
  if (!template) return none('wa_template_unknown');

  const problems: ComposeProblem[] = [];
  if (template.status !== 'APPROVED') problems.push(problem('wa_template_not_approved'));
  if (template.unsupported !== null) problems.push(problem('wa_template_unsupported'));
  if (template.header.format === 'IMAGE') {
    if (input.draft.image === null) problems.push(problem('wa_header_image_missing'));
    else if (!input.imageStored) problems.push(problem('image_missing'));
  }
  for (const { key } of template.params) {
    const value = Object.hasOwn(numberDraft.params, key) ? numberDraft.params[key] : undefined;
    const found = paramProblem(value, key);
    if (found) problems.push(found);
  }
  const customerName = account.sampleCustomer ?? '';
  return {
    ...base,
    template,
    problems,
    sample: { customerName, ...fillTemplate(template, numberDraft.params, { name: customerName }) },
  };
}

/**
 * What main makes of a draft. The preview tags official links with the draft's id as utm_campaign: the send uses the
 * broadcast's id, a UUID of the same length, so taggedLength is what LINE will count.
 */
export function checkDraft(input: CheckInput): ComposeCheck {
  const { draft, selection, settings } = input;
  const recipients = selection
    ? { total: selection.total, line: selection.line, whatsapp: selection.whatsapp, dropped: selection.dropped }
    : { total: 0, line: 0, whatsapp: 0, dropped: 0 };

  const found = findLinks(draft.text, settings.officialDomains);
  const tags: UtmTags = { source: 'line', campaign: draft.id, content: input.senderId ?? UNKNOWN_SENDER };
  const links: TextLink[] = found.map((link) => ({
    ...link,
    tagged: settings.utmEnabled && link.kind === 'official' ? tagUrl(link.url, tags) : null,
  }));
  const length = draft.text.length;
  const taggedLength = settings.utmEnabled ? tagText(draft.text, found, tags).length : length;

  const problems: ComposeProblem[] = [];
  if (recipients.total === 0) problems.push(problem('no_recipients'));

  const lineProblems: ComposeProblem[] = [];
  if (recipients.line > 0) {
    if (draft.image === null && draft.text.trim() === '') lineProblems.push(problem('line_empty'));
    if (length > MAX_TEXT_LENGTH) lineProblems.push(problem('text_too_long'));
    else if (taggedLength > MAX_TEXT_LENGTH) lineProblems.push(problem('text_too_long_tagged'));
    if (draft.image !== null && !input.imageStored) lineProblems.push(problem('image_missing'));
  }

  const whatsapp = (selection?.accounts ?? [])
    .filter((account) => account.channel === 'whatsapp' && account.count > 0)
    .map((account) => checkNumber(input, account));

  const ready =
    recipients.total > 0 && problems.length === 0 && lineProblems.length === 0 && whatsapp.every((check) => check.problems.length === 0);

  return {
    draftId: draft.id,
    updatedAt: draft.updatedAt,
    recipients,
    text: { length, taggedLength, max: MAX_TEXT_LENGTH },
    links,
    utm: settings.utmEnabled,
    line: { recipients: recipients.line, problems: lineProblems },
    whatsapp,
    problems,
    ready,
  };
}

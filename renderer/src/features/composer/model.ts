/**
 * Pure helpers of the composer: what counts as content, how the check's links follow the text while it is being
 * typed, how a text splits around its links, and the WhatsApp part's edits. No React, no store, no bridge.
 */
import type {
  ComposeProblem,
  ComposeProblemCode,
  DraftImage,
  TemplateChoice,
  TemplateInfo,
  TemplateParamValue,
  TextLink,
  WhatsAppDraft,
  WhatsAppNumberDraft,
} from '../../../../preload/contract';

/** What a draft holds, as the composer edits it. */
export interface ComposerContent {
  text: string;
  /** The stored image, with its sizes (from compose.importImage or drafts.get). */
  image: DraftImage | null;
  whatsapp: WhatsAppDraft;
  /** The event ids it is meant for; null: none (a draft started in 草稿). */
  selection: string[] | null;
}

/** True when there is something worth creating a draft for: a text, an image or a chosen template. */
export function hasContent(content: Pick<ComposerContent, 'text' | 'image' | 'whatsapp'>): boolean {
  return (
    content.text.length > 0 || content.image !== null || content.whatsapp.numbers.some((number) => number.template !== null)
  );
}

/** Same ids in the same order (a selection is rebuilt from a Set, so the order of an unchanged one is stable). */
export function sameIds(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/**
 * The check's links moved onto the text as it is now. The check answers for the text main saved; while the user types
 * on, links before the edit keep their offsets, links after it shift by the length change, and a link the edit touched
 * is dropped until the next check. So highlights do not blink off with every keystroke.
 */
export function shiftLinks(links: readonly TextLink[], checkedText: string, text: string): TextLink[] {
  if (checkedText === text) return [...links];
  const shortest = Math.min(checkedText.length, text.length);
  let prefix = 0;
  while (prefix < shortest && checkedText.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix += 1;
  let suffix = 0;
  while (
    suffix < shortest - prefix &&
    checkedText.charCodeAt(checkedText.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)
  ) {
    suffix += 1;
  }
  const delta = text.length - checkedText.length;
  const unchangedFrom = checkedText.length - suffix;
  const out: TextLink[] = [];
  for (const link of links) {
    if (link.end <= prefix) out.push(link);
    else if (link.start >= unchangedFrom) out.push({ ...link, start: link.start + delta, end: link.end + delta });
  }
  return out;
}

export interface TextSegment {
  text: string;
  link: TextLink | null;
}

/** The text cut around its links (in order, inside the text, never overlapping), for highlighting. */
export function segmentText(text: string, links: readonly TextLink[]): TextSegment[] {
  const sorted = [...links].sort((a, b) => a.start - b.start);
  const segments: TextSegment[] = [];
  let at = 0;
  for (const link of sorted) {
    if (link.start < at || link.end > text.length || link.end <= link.start) continue;
    if (link.start > at) segments.push({ text: text.slice(at, link.start), link: null });
    segments.push({ text: text.slice(link.start, link.end), link });
    at = link.end;
  }
  if (at < text.length) segments.push({ text: text.slice(at), link: null });
  return segments;
}

/** The select's value for a template (names are [a-z0-9_], so "|" never appears in one). */
export function templateKey(template: Pick<TemplateChoice, 'name' | 'language'>): string {
  return `${template.name}|${template.language}`;
}

export function findTemplate(templates: readonly TemplateInfo[] | null | undefined, choice: TemplateChoice | null): TemplateInfo | null {
  if (!templates || !choice) return null;
  return templates.find((template) => template.name === choice.name && template.language === choice.language) ?? null;
}

/** A template can be chosen when Meta approved it and the app can fill it. */
export function isSelectable(template: TemplateInfo): boolean {
  return template.status === 'APPROVED' && template.unsupported === null;
}

export const EMPTY_PARAM: TemplateParamValue = { source: 'fixed', text: '' };

function numberDraft(whatsapp: WhatsAppDraft, phoneNumberId: string): WhatsAppNumberDraft {
  return whatsapp.numbers.find((number) => number.phoneNumberId === phoneNumberId) ?? { phoneNumberId, template: null, params: {} };
}

function withNumber(whatsapp: WhatsAppDraft, next: WhatsAppNumberDraft): WhatsAppDraft {
  const exists = whatsapp.numbers.some((number) => number.phoneNumberId === next.phoneNumberId);
  return {
    numbers: exists
      ? whatsapp.numbers.map((number) => (number.phoneNumberId === next.phoneNumberId ? next : number))
      : [...whatsapp.numbers, next],
  };
}

/**
 * Chooses a number's template (or none). The parameters become the template's: a value already typed for the same
 * key is kept, every other key starts as an empty fixed text.
 */
export function chooseTemplate(
  whatsapp: WhatsAppDraft,
  phoneNumberId: string,
  choice: TemplateChoice | null,
  template: TemplateInfo | null,
): WhatsAppDraft {
  const current = numberDraft(whatsapp, phoneNumberId);
  const params: Record<string, TemplateParamValue> = {};
  if (choice && template) {
    for (const param of template.params) params[param.key] = current.params[param.key] ?? EMPTY_PARAM;
  }
  return withNumber(whatsapp, { phoneNumberId, template: choice, params });
}

export function setParam(whatsapp: WhatsAppDraft, phoneNumberId: string, key: string, value: TemplateParamValue): WhatsAppDraft {
  const current = numberDraft(whatsapp, phoneNumberId);
  return withNumber(whatsapp, { ...current, params: { ...current.params, [key]: value } });
}

/** The value with another source; what was typed carries over (a fixed text becomes the name's fallback). */
export function switchSource(value: TemplateParamValue, source: TemplateParamValue['source']): TemplateParamValue {
  if (value.source === source) return value;
  const typed = value.source === 'fixed' ? value.text : value.fallback;
  return source === 'fixed' ? { source: 'fixed', text: typed } : { source: 'customer_name', fallback: typed };
}

export function paramText(value: TemplateParamValue): string {
  return value.source === 'fixed' ? value.text : value.fallback;
}

export function withParamText(value: TemplateParamValue, text: string): TemplateParamValue {
  return value.source === 'fixed' ? { source: 'fixed', text } : { source: 'customer_name', fallback: text };
}

/** How a parameter is written in a template's body: {{1}} or {{first_name}}. */
export function paramLabel(key: string): string {
  return `{{${key}}}`;
}

/** The problem codes that name a template parameter. */
export const PARAM_PROBLEMS: ReadonlySet<ComposeProblemCode> = new Set(['wa_param_missing', 'wa_param_invalid', 'wa_param_too_long']);

export function problemKey(problem: ComposeProblem): string {
  return `${problem.code}:${problem.param ?? ''}`;
}

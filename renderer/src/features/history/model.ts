import type { LinkKind } from '../../../../preload/contract';

/** A link as the history keeps it: the URL found in the text (normalised by main) and whether it is official. */
export interface SentLink {
  url: string;
  kind: LinkKind;
}

export type SentSegment = { text: string; link: null } | { text: string; link: SentLink };

/** Characters a URL is made of (RFC 3986, with % escapes): what UTM tags appended to a link consist of. */
const URL_CHAR = /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/;
/** Punctuation that ends a sentence rather than a link ("詳見 https://…/sale."). */
const TRAILING = /[.,;:!?'")\]]/;

/**
 * How a link can appear in the text: as main found it; without the `http://` linkify adds to a link typed without a
 * scheme; and its part before any query or fragment, which a UTM-tagged official link keeps byte for byte.
 */
function forms(url: string): string[] {
  const out = new Set([url]);
  const bare = url.startsWith('http://') ? url.slice('http://'.length) : null;
  if (bare) out.add(bare);
  const base = url.split(/[?#]/)[0] ?? url;
  if (base !== url && base.length > url.indexOf('://') + 3) {
    out.add(base);
    if (bare) out.add(base.slice('http://'.length));
  }
  return [...out];
}

function locate(text: string, link: SentLink, from: number): { start: number; end: number } | null {
  let best: { start: number; end: number } | null = null;
  for (const form of forms(link.url)) {
    const start = text.indexOf(form, from);
    if (start < 0) continue;
    let end = start + form.length;
    // A tagged official link goes on with its tags (and any fragment): through the URL's characters, less the
    // punctuation that closes the sentence after it.
    if (link.kind === 'official') {
      while (end < text.length && URL_CHAR.test(text.charAt(end))) end += 1;
      while (end > start + form.length && TRAILING.test(text.charAt(end - 1))) end -= 1;
    }
    if (best === null || start < best.start || (start === best.start && end > best.end)) best = { start, end };
  }
  return best;
}

/**
 * The text as sent, cut into plain runs and its links (in order). The history keeps the links without their offsets,
 * and the text LINE got carries official links with their UTM tags: each link is looked for after the previous one.
 * A link that cannot be found is left out of the highlighting (it is still listed beside the text).
 */
export function segmentSentText(text: string, links: readonly SentLink[]): SentSegment[] {
  const segments: SentSegment[] = [];
  let at = 0;
  for (const link of links) {
    const span = locate(text, link, at);
    if (span === null) continue;
    if (span.start > at) segments.push({ text: text.slice(at, span.start), link: null });
    segments.push({ text: text.slice(span.start, span.end), link });
    at = span.end;
  }
  if (at < text.length) segments.push({ text: text.slice(at), link: null });
  return segments;
}

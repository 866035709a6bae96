import { LinkifyIt, REBuilder } from 'linkify-it';

/**
 * Referral links (DESIGN §4): the links of a draft's text as LINE makes them clickable, whether each points at one of
 * the workspace's official domains, and the UTM tags official links carry when the workspace enables them.
 */

export interface FoundLink {
  /** UTF-16 offsets into the text (what JavaScript indexes and LINE counts). */
  start: number;
  end: number;
  /** The normalized URL linkify-it gives: with a scheme (`http://` for a fuzzy link such as `www.example.com`). */
  url: string;
  kind: 'official' | 'other';
}

export interface UtmTags {
  source: 'line' | 'whatsapp';
  /** The broadcast id. */
  campaign: string;
  /** The sender's user id. */
  content: string;
}

export const UTM_MEDIUM = 'omo_broadcast';
const UTM_NAMES: ReadonlySet<string> = new Set(['utm_source', 'utm_medium', 'utm_campaign', 'utm_content']);

/**
 * linkify-it's rules, except that a link with a scheme may follow any non-ASCII character. Stock linkify-it wants
 * whitespace or punctuation before `https://`, but zh-TW copy glues links to words and emoji ("詳情👉https://…"), and
 * LINE makes those clickable; missing one would send an official link untagged.
 */
class LineRules extends REBuilder {
  override get_schema_search(): RegExp {
    return (this.cache.schema_search ??= new RegExp(
      `(^|(?!_)(?:[><\\uff5c]|${this.src_ZPCc})|[^\\x00-\\x7F])(${this.get_schema_names().source})`,
      'ig',
    ));
  }
}

/** http(s) links and fuzzy links with a known TLD; no e-mail addresses, mailto:, ftp: or protocol-relative links. */
const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: false, rebuilder: new LineRules() })
  .add('mailto:', null)
  .add('ftp:', null)
  .add('//', null);

/** A host as URL writes it (lower case, IDN as punycode, no port), without trailing dots; null when it is not one. */
function canonicalHost(host: string): string | null {
  const trimmed = host.trim();
  if (trimmed === '') return null;
  try {
    const hostname = new URL(trimmed.includes('://') ? trimmed : `http://${trimmed}`).hostname.replace(/\.+$/, '');
    return hostname === '' ? null : hostname;
  } catch {
    return null;
  }
}

/** The official domains as hosts; entries may be written `*.example.com`, `.example.com` or as a URL. */
function canonicalDomains(domains: readonly string[]): string[] {
  const out: string[] = [];
  for (const domain of domains) {
    const host = canonicalHost(domain.trim().replace(/^\*?\.+/, ''));
    if (host !== null) out.push(host);
  }
  return out;
}

function isOfficialCanonical(host: string, domains: readonly string[]): boolean {
  return domains.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/**
 * True when host is one of the domains or a subdomain of one (case-insensitive, IDN compared as punycode, trailing
 * dots ignored). A look-alike is not: 'evilmorninglight.example' is not official for 'morninglight.example'.
 */
export function isOfficialHost(host: string, officialDomains: readonly string[]): boolean {
  const canonical = canonicalHost(host);
  return canonical !== null && isOfficialCanonical(canonical, canonicalDomains(officialDomains));
}

/**
 * linkify-it counts emoji as letters of a domain, so "👉morninglight.tw/sale" would be the host "👉morninglight.tw".
 * Emoji before a schemeless link are decoration, not part of it: they are left out of the link.
 */
const LEADING_EMOJI = /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200d|\ufe0e|\ufe0f|\u20e3)+(?=[\p{L}\p{N}])/u;

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/\.+$/, '');
  } catch {
    return null;
  }
}

/** Links as LINE makes them clickable, in text order. */
export function findLinks(text: string, officialDomains: readonly string[]): FoundLink[] {
  const matches = linkify.match(text);
  if (matches === null) return [];
  const domains = canonicalDomains(officialDomains);
  return matches.map((match) => {
    let start = match.index;
    let url = match.url;
    if (match.schema === '') {
      const emoji = LEADING_EMOJI.exec(match.raw)?.[0] ?? '';
      start += emoji.length;
      url = `http://${match.raw.slice(emoji.length)}`;
    }
    const host = hostOf(url);
    const official = host !== null && host !== '' && isOfficialCanonical(host, domains);
    return { start, end: match.lastIndex, url, kind: official ? 'official' : 'other' };
  });
}

/** A query parameter's decoded name (`a+b=1` → `a b`). */
function paramName(part: string): string {
  const equals = part.indexOf('=');
  const raw = (equals < 0 ? part : part.slice(0, equals)).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The URL with utm_source, utm_medium=omo_broadcast, utm_campaign and utm_content set: existing parameters of those
 * names are replaced, every other parameter is kept byte for byte (so is the rest of the URL: no re-encoding of a
 * Chinese path or host), and the #fragment stays last. Meant for an http(s) URL.
 */
export function tagUrl(url: string, tags: UtmTags): string {
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt < 0 ? url : url.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : url.slice(hashAt);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? '' : beforeHash.slice(queryAt + 1);
  const kept = query.split('&').filter((part) => part !== '' && !UTM_NAMES.has(paramName(part)));
  const utm: Array<[string, string]> = [
    ['utm_source', tags.source],
    ['utm_medium', UTM_MEDIUM],
    ['utm_campaign', tags.campaign],
    ['utm_content', tags.content],
  ];
  const added = utm.map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
  return `${base}?${[...kept, ...added].join('&')}${fragment}`;
}

/**
 * The text with every official link replaced by its tagged form; other links are left as typed. A fuzzy link
 * (`www.example.com/x`) becomes the tagged full URL, scheme included.
 */
export function tagText(text: string, links: readonly FoundLink[], tags: UtmTags): string {
  const official = links.filter((link) => link.kind === 'official').sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const link of official) {
    // Overlapping spans cannot come from findLinks; skipping one keeps the text intact if a caller passes them.
    if (link.start < at) continue;
    out += text.slice(at, link.start) + tagUrl(link.url, tags);
    at = link.end;
  }
  return out + text.slice(at);
}

import { describe, expect, it } from 'vitest';
import { type FoundLink, type UtmTags, findLinks, isOfficialHost, tagText, tagUrl } from '../../../main/compose/links';

const OFFICIAL = ['morninglight.example', 'morninglight.tw'];
const TAGS: UtmTags = { source: 'line', campaign: '6f1c2a9e-0b7d-4e55-9a43-2d8f0c1e7b36', content: 'u-sales' };
const UTM = 'utm_source=line&utm_medium=omo_broadcast&utm_campaign=6f1c2a9e-0b7d-4e55-9a43-2d8f0c1e7b36&utm_content=u-sales';

/** The spans as the text shows them, so a wrong offset is visible in the failure. */
function spans(text: string, links: readonly FoundLink[]): Array<[string, FoundLink['kind']]> {
  return links.map((link) => [text.slice(link.start, link.end), link.kind]);
}

describe('isOfficialHost', () => {
  it('accepts the domains and their subdomains, case-insensitively', () => {
    expect(isOfficialHost('morninglight.example', OFFICIAL)).toBe(true);
    expect(isOfficialHost('shop.morninglight.example', OFFICIAL)).toBe(true);
    expect(isOfficialHost('a.b.morninglight.tw', OFFICIAL)).toBe(true);
    expect(isOfficialHost('SHOP.MorningLight.Example', OFFICIAL)).toBe(true);
    expect(isOfficialHost('shop.morninglight.example', ['MorningLight.EXAMPLE'])).toBe(true);
  });

  it('refuses look-alikes: a longer label, the domain as a subdomain elsewhere, another TLD', () => {
    expect(isOfficialHost('evilmorninglight.example', OFFICIAL)).toBe(false);
    expect(isOfficialHost('morninglight.example.evil.com', OFFICIAL)).toBe(false);
    expect(isOfficialHost('morninglight.example-shop.com', OFFICIAL)).toBe(false);
    expect(isOfficialHost('morninglight.com', OFFICIAL)).toBe(false);
    expect(isOfficialHost('example', OFFICIAL)).toBe(false);
  });

  it('ignores trailing dots and ports on either side', () => {
    expect(isOfficialHost('shop.morninglight.example.', OFFICIAL)).toBe(true);
    expect(isOfficialHost('shop.morninglight.example', ['morninglight.example.'])).toBe(true);
    expect(isOfficialHost('shop.morninglight.example:8443', OFFICIAL)).toBe(true);
  });

  it('compares internationalised names as punycode, whichever form each side uses', () => {
    expect(isOfficialHost('shop.晨光.tw', ['晨光.tw'])).toBe(true);
    expect(isOfficialHost('shop.xn--54qt82c.tw', ['晨光.tw'])).toBe(true);
    expect(isOfficialHost('shop.晨光.tw', ['xn--54qt82c.tw'])).toBe(true);
    expect(isOfficialHost('晨光選物.tw', ['晨光.tw'])).toBe(false);
  });

  it('reads domain settings written as wildcards or URLs, and skips empty or broken ones', () => {
    expect(isOfficialHost('shop.morninglight.example', ['*.morninglight.example'])).toBe(true);
    expect(isOfficialHost('shop.morninglight.example', ['.morninglight.example'])).toBe(true);
    expect(isOfficialHost('shop.morninglight.example', ['https://morninglight.example/'])).toBe(true);
    expect(isOfficialHost('shop.morninglight.example', ['', '  ', 'http://[bad'])).toBe(false);
    expect(isOfficialHost('', OFFICIAL)).toBe(false);
    expect(isOfficialHost('anything.example', [])).toBe(false);
  });
});

describe('findLinks', () => {
  it('tells official links (domains and subdomains) from other ones', () => {
    const text = 'A https://morninglight.example/a B https://shop.morninglight.example/b C https://evilmorninglight.example/c D https://other.com/d';
    expect(spans(text, findLinks(text, OFFICIAL))).toEqual([
      ['https://morninglight.example/a', 'official'],
      ['https://shop.morninglight.example/b', 'official'],
      ['https://evilmorninglight.example/c', 'other'],
      ['https://other.com/d', 'other'],
    ]);
  });

  it('reads upper-case schemes and hosts, ports, queries and fragments', () => {
    const text = 'HTTPS://SHOP.MorningLight.Example:8443/a?b=1#c and http://morninglight.tw:8080';
    const links = findLinks(text, OFFICIAL);
    expect(spans(text, links)).toEqual([
      ['HTTPS://SHOP.MorningLight.Example:8443/a?b=1#c', 'official'],
      ['http://morninglight.tw:8080', 'official'],
    ]);
    expect(links[0]?.url).toBe('HTTPS://SHOP.MorningLight.Example:8443/a?b=1#c');
  });

  it('finds fuzzy links with a known TLD and gives them a scheme; .example is not a known TLD', () => {
    const text = '逛逛 www.example.com/abc 或 morninglight.tw/sale 或 shop.morninglight.example/x';
    const links = findLinks(text, OFFICIAL);
    expect(spans(text, links)).toEqual([
      ['www.example.com/abc', 'other'],
      ['morninglight.tw/sale', 'official'],
    ]);
    expect(links.map((link) => link.url)).toEqual(['http://www.example.com/abc', 'http://morninglight.tw/sale']);
  });

  it('stops at full-width punctuation around links in zh-TW text', () => {
    const text = '新品上市「https://morninglight.tw/new」，詳情https://morninglight.tw/a。還有（https://other.com/b）、https://morninglight.example/c！';
    expect(spans(text, findLinks(text, OFFICIAL))).toEqual([
      ['https://morninglight.tw/new', 'official'],
      ['https://morninglight.tw/a', 'official'],
      ['https://other.com/b', 'other'],
      ['https://morninglight.example/c', 'official'],
    ]);
  });

  it('finds a link right after an emoji or a CJK word, with UTF-16 offsets', () => {
    const text = '🎉👉https://morninglight.tw/sale 看看';
    const [link] = findLinks(text, OFFICIAL);
    // Each emoji is two UTF-16 units.
    expect(link).toEqual({ start: 4, end: 4 + 'https://morninglight.tw/sale'.length, url: 'https://morninglight.tw/sale', kind: 'official' });
    const glued = '詳情請見https://morninglight.tw/x';
    expect(findLinks(glued, OFFICIAL)[0]?.start).toBe(4);
  });

  it('leaves emoji out of a schemeless link glued to them', () => {
    const text = '🎉👉🏻morninglight.tw/sale';
    const [link] = findLinks(text, OFFICIAL);
    expect(link).toEqual({ start: 6, end: text.length, url: 'http://morninglight.tw/sale', kind: 'official' });
  });

  it('does not take a scheme glued to an ASCII word', () => {
    expect(findLinks('xhttps://morninglight.tw/a', OFFICIAL)).toEqual([]);
  });

  it('finds no e-mail addresses, mailto:, ftp: or protocol-relative links', () => {
    const text = '寫信到 service@morninglight.tw 或 mailto:a@b.com，ftp://files.morninglight.tw/a //morninglight.tw/b';
    expect(findLinks(text, OFFICIAL)).toEqual([]);
  });

  it('finds nothing in an empty text or plain prose with dots', () => {
    expect(findLinks('', OFFICIAL)).toEqual([]);
    expect(findLinks('版本 v1.2.3，node.js 好用。', OFFICIAL)).toEqual([]);
  });
});

describe('tagUrl', () => {
  it('adds the four tags, medium omo_broadcast', () => {
    expect(tagUrl('https://morninglight.tw/sale', TAGS)).toBe(`https://morninglight.tw/sale?${UTM}`);
    expect(tagUrl('https://morninglight.tw', TAGS)).toBe(`https://morninglight.tw?${UTM}`);
  });

  it('replaces existing tags of those names, keeps other parameters as written and the fragment last', () => {
    const url = 'https://morninglight.tw/a?utm_source=fb&q=%E9%9E%8B+x&flag&utm_term=shoes&utm_campaign=old#top';
    expect(tagUrl(url, TAGS)).toBe(`https://morninglight.tw/a?q=%E9%9E%8B+x&flag&utm_term=shoes&${UTM}#top`);
  });

  it('recognises an encoded tag name and drops empty pieces', () => {
    expect(tagUrl('https://morninglight.tw/?utm%5Fsource=x&&a=1&', TAGS)).toBe(`https://morninglight.tw/?a=1&${UTM}`);
  });

  it('puts the query before a hash route, whose own ? belongs to the fragment', () => {
    expect(tagUrl('https://morninglight.tw/#/item?id=3', TAGS)).toBe(`https://morninglight.tw/?${UTM}#/item?id=3`);
  });

  it('encodes tag values and keeps a Chinese path as typed', () => {
    const tagged = tagUrl('https://morninglight.tw/新品', { source: 'whatsapp', campaign: 'a b', content: 'x&y=z' });
    expect(tagged).toBe('https://morninglight.tw/新品?utm_source=whatsapp&utm_medium=omo_broadcast&utm_campaign=a%20b&utm_content=x%26y%3Dz');
    expect(new URL(tagged).searchParams.get('utm_content')).toBe('x&y=z');
  });
});

describe('tagText', () => {
  it('tags official links only, leaving the rest of the text as typed', () => {
    const text = '「https://morninglight.tw/a」和 https://other.com/b。';
    const tagged = tagText(text, findLinks(text, OFFICIAL), TAGS);
    expect(tagged).toBe(`「https://morninglight.tw/a?${UTM}」和 https://other.com/b。`);
    expect(tagged.length).toBe(text.length + UTM.length + 1);
  });

  it('gives a fuzzy official link its full tagged URL', () => {
    const text = '逛逛 morninglight.tw/sale 快來';
    expect(tagText(text, findLinks(text, OFFICIAL), TAGS)).toBe(`逛逛 http://morninglight.tw/sale?${UTM} 快來`);
  });

  it('grows by the tags of every official link, whatever order the links come in', () => {
    const text = 'https://morninglight.tw/a https://shop.morninglight.example/b?utm_source=x https://other.com/c';
    const links = findLinks(text, OFFICIAL);
    const tagged = tagText(text, [...links].reverse(), TAGS);
    expect(tagged).toBe(`https://morninglight.tw/a?${UTM} https://shop.morninglight.example/b?${UTM} https://other.com/c`);
    expect(tagged.length - text.length).toBe(2 * `?${UTM}`.length - '?utm_source=x'.length);
  });

  it('is the text itself without official links', () => {
    const text = 'https://other.com/a 和 www.example.com';
    expect(tagText(text, findLinks(text, OFFICIAL), TAGS)).toBe(text);
  });
});

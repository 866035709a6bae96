import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../../main/log';
import { createOpener, isSafeExternalUrl } from '../../../main/electron/opener';
import { createFakeElectron } from './fake-electron';

describe('isSafeExternalUrl', () => {
  it.each([
    'https://shop.example/new-arrivals?utm_source=line',
    'http://shop.example/',
    'https://xn--fiq228c.tw/',
    'https://shop.example:8443/path#frag',
  ])('accepts the web link %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(true);
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    'file:///etc/passwd',
    'file://server/share/x.exe',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'ms-msdt:/id PCWDiagnostic',
    'smb://server/share',
    'omo-media://avatar/1',
    'mailto:a@example.com',
    'https://user:pass@shop.example/',
    'https://user@shop.example/',
    'https:///nohost',
    'https:\\\\evil.example\\',
    'https:evil.example',
    'http://',
    'https://shop.example/\nSet-Cookie: x',
    'https://shop.example/\u0000.exe',
    'https://shop.example/\u007f',
    'java\tscript:alert(1)',
    ' https://shop.example/',
    'shop.example',
    '//shop.example/',
    '',
    'not a url',
    `https://shop.example/${'a'.repeat(2048)}`,
  ].map((url) => [JSON.stringify(url).slice(0, 60), url]))('refuses %s', (_label, url) => {
    expect(isSafeExternalUrl(url)).toBe(false);
  });

  it('refuses values that are not strings at all', () => {
    for (const value of [null, undefined, 42, {}, ['https://a.example/']]) {
      expect(isSafeExternalUrl(value as unknown as string)).toBe(false);
    }
  });
});

describe('createOpener', () => {
  it('opens safe links through shell.openExternal and refuses the rest with a warning that omits the URL', () => {
    const { shell } = createFakeElectron();
    const warn = vi.fn();
    const logger: Logger = { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() };
    const open = createOpener(shell, logger);

    open('https://shop.example/');
    open('javascript:alert(document.cookie)');
    open('file:///etc/passwd');

    expect(shell.openExternal.mock.calls).toEqual([['https://shop.example/']]);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(JSON.stringify(warn.mock.calls)).not.toContain('document.cookie');
  });

  it('does not let a failing system opener become an unhandled rejection', async () => {
    const { shell } = createFakeElectron();
    shell.openExternal.mockRejectedValueOnce(new Error('no handler'));
    const warn = vi.fn();
    createOpener(shell, { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() })('https://shop.example/');
    await vi.waitFor(() => expect(warn).toHaveBeenCalledOnce());
  });
});

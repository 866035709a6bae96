import type { Shell } from 'electron';
import { type Logger, silentLogger } from '../log';

/** Longer URLs are refused: no real link needs more, and a huge one is a sign of abuse. */
export const MAX_EXTERNAL_URL_LENGTH = 2048;

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Whether a URL may be handed to the operating system: plain web links only. Anything else (javascript:, file:,
 * data:, custom protocol handlers, credentials in the authority) can run code or leak data outside the sandbox.
 */
export function isSafeExternalUrl(url: string): boolean {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_EXTERNAL_URL_LENGTH) return false;
  // Control characters and whitespace never appear in a link a user meant to click; URL() would silently strip them.
  if (/\s/.test(url) || hasControlCharacter(url)) return false;
  // The authority must be spelled out: URL() would turn "https:///host" or "https:\\host" into a host silently.
  if (!/^https?:\/\/[^/\\]/i.test(url)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username !== '' || parsed.password !== '') return false;
  return parsed.hostname.length > 0;
}

export type ExternalOpener = (url: string) => void;

/** The one vetted opener: the only place in the app that calls shell.openExternal. */
export function createOpener(shell: Pick<Shell, 'openExternal'>, logger: Logger = silentLogger): ExternalOpener {
  return (url) => {
    if (!isSafeExternalUrl(url)) {
      // The URL itself is not logged: it came from the renderer and may carry anything.
      logger.warn('refused to open an unsafe external URL', { length: typeof url === 'string' ? url.length : 0 });
      return;
    }
    shell.openExternal(url).catch((error: unknown) => {
      logger.warn('the system could not open an external URL', { error });
    });
  };
}

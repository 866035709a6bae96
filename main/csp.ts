/**
 * The renderer's Content Security Policy (DESIGN §6): no remote script, no remote connection. The Electron shell
 * sends it as a header, renderer/index.html carries it as a meta tag, and the preview host adds its WebSocket origin.
 */
export function contentSecurityPolicy(extraConnectSrc: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: omo-media:",
    "font-src 'self' data:",
    `connect-src ${["'self'", ...extraConnectSrc].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

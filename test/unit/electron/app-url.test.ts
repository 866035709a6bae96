import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAppUrlPolicy } from '../../../main/electron/app-url';

const RENDERER_DIR = path.resolve('/opt/omo/out/renderer');
const inRenderer = (file: string) => pathToFileURL(path.join(RENDERER_DIR, file)).href;

describe('createAppUrlPolicy', () => {
  const packaged = createAppUrlPolicy({ rendererDir: RENDERER_DIR, devTools: false });

  it('treats file URLs under the renderer folder as the app', () => {
    expect(packaged.isAppUrl(inRenderer('index.html'))).toBe(true);
    expect(packaged.isAppUrl(`${inRenderer('index.html')}#/composer`)).toBe(true);
    expect(packaged.isAppUrl(inRenderer('assets/app.js'))).toBe(true);
  });

  it('refuses files outside it, including ../ escapes, look-alike folders and network shares', () => {
    expect(packaged.isAppUrl('file:///opt/omo/out/renderer/../main/index.js')).toBe(false);
    expect(packaged.isAppUrl('file:///opt/omo/out/renderer%2F..%2Fmain/index.js')).toBe(false);
    expect(packaged.isAppUrl(pathToFileURL(`${RENDERER_DIR}-other/index.html`).href)).toBe(false);
    expect(packaged.isAppUrl('file:///etc/passwd')).toBe(false);
    expect(packaged.isAppUrl('file://evil-host/opt/omo/out/renderer/index.html')).toBe(false);
  });

  it('refuses every remote or foreign URL when packaged, even a local web server', () => {
    for (const url of ['http://localhost:5173/', 'https://evil.example/', 'about:blank', '', 'garbage']) {
      expect(packaged.isAppUrl(url), url).toBe(false);
    }
  });

  it('in development accepts the dev server origin only', () => {
    const dev = createAppUrlPolicy({ rendererDir: RENDERER_DIR, devServerUrl: 'http://localhost:5173/', devTools: true });
    expect(dev.isAppUrl('http://localhost:5173/index.html')).toBe(true);
    expect(dev.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(dev.isAppUrl('https://localhost:5173/')).toBe(false);
    expect(dev.isAppUrl('http://localhost.evil.example:5173/')).toBe(false);
  });
});

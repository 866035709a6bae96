import { render, screen } from '@testing-library/react';
import { Root } from '../../renderer/src/app/Root';
import { FakeBridge, type FakeBridgeOptions, installBridge } from './fake-bridge';

/** Installs a fake bridge, renders the app the way main.tsx does, and waits until it is ready. */
export async function renderApp(options: FakeBridgeOptions | FakeBridge = {}) {
  const bridge = installBridge(options instanceof FakeBridge ? options : new FakeBridge(options));
  const view = render(<Root />);
  await screen.findByTestId('app-ready');
  return { bridge, ...view };
}

/** Any CJK ideograph, kana, hangul or full-width punctuation. */
export const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/u;

/**
 * The shell's visible text (select options included) and accessible labels, without the user's own data
 * (`data-user-content`), which is not UI wording.
 */
export function uiText(root: Element): string {
  const clone = root.cloneNode(true) as Element;
  for (const element of clone.querySelectorAll('[data-user-content]')) element.remove();
  const attributes = [...clone.querySelectorAll('[aria-label], [title], [placeholder]')].flatMap((element) =>
    ['aria-label', 'title', 'placeholder'].map((name) => element.getAttribute(name) ?? ''),
  );
  return [clone.textContent ?? '', ...attributes].join('\n');
}

import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { i18n } from '../../renderer/src/i18n';
import { resetAppStore } from '../../renderer/src/store';
import { disconnectPushEvents } from '../../renderer/src/store/actions';

afterEach(async () => {
  cleanup();
  disconnectPushEvents();
  resetAppStore();
  vi.useRealTimers();
  await i18n.changeLanguage('zh-TW');
  Reflect.deleteProperty(window, 'omo');
});

/**
 * jsdom has no layout: give the grid's scroll container a viewport (1000 × 560 px, ten 56-px rows), so the
 * virtualiser renders the window of rows a real window would.
 */
export const GRID_VIEWPORT = { width: 1000, height: 560 };
for (const [property, size] of [
  ['clientHeight', GRID_VIEWPORT.height],
  ['clientWidth', GRID_VIEWPORT.width],
] as const) {
  const original = Object.getOwnPropertyDescriptor(Element.prototype, property);
  Object.defineProperty(HTMLElement.prototype, property, {
    configurable: true,
    get(this: HTMLElement) {
      if (this.dataset.testid === 'events-grid') return size;
      return (original?.get?.call(this) as number | undefined) ?? 0;
    },
  });
}

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

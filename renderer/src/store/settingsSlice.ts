import { api } from '../bridge';
import { DEFAULT_LANGUAGE, applyLanguage } from '../i18n';
import type { SettingsSlice, SliceCreator } from './types';

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set, get) => ({
  language: DEFAULT_LANGUAGE,
  settingsError: null,
  applySettings: ({ language }) => {
    set({ language });
    void applyLanguage(language);
  },
  loadSettings: async () => {
    const result = await api.getSettings();
    if (result.ok) get().applySettings(result.value);
    else set({ settingsError: result.error.code });
  },
  setLanguage: async (language) => {
    const previous = get().language;
    if (language === previous) return;
    get().applySettings({ language });
    const result = await api.setSettings({ language });
    if (result.ok) {
      set({ settingsError: null });
      get().applySettings(result.value);
    } else {
      get().applySettings({ language: previous });
      set({ settingsError: result.error.code });
    }
  },
  dismissSettingsError: () => set({ settingsError: null }),
});

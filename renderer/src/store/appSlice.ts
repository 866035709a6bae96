import { api } from '../bridge';
import type { AppSlice, SliceCreator } from './types';

export const createAppSlice: SliceCreator<AppSlice> = (set, get) => ({
  appInfo: null,
  status: null,
  section: 'events',
  loadState: 'idle',
  bridgeError: null,
  setSection: (section) => {
    set({ section });
    // Back on 對話 in its composer view while 草稿 had opened another draft: the events composer opens again (its
    // draft is remembered, so nothing typed is lost).
    const { eventsView, composer, composerOpening } = get();
    if (section === 'events' && eventsView === 'composer' && composer?.origin !== 'events' && composerOpening === null) {
      void get().openComposer();
    }
  },
  setStatus: (status) => set({ status }),
  loadAppInfo: async () => {
    const result = await api.appInfo();
    if (!result.ok) {
      set({ bridgeError: result.error });
      return false;
    }
    const { mode, online } = result.value;
    set({ appInfo: result.value, status: { mode, online }, bridgeError: null });
    return true;
  },
});

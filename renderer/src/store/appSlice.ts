import { api } from '../bridge';
import type { AppSlice, SliceCreator } from './types';

export const createAppSlice: SliceCreator<AppSlice> = (set) => ({
  appInfo: null,
  status: null,
  section: 'events',
  loadState: 'idle',
  bridgeError: null,
  setSection: (section) => set({ section }),
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

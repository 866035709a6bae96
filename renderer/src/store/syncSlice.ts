import { api } from '../bridge';
import type { SliceCreator, SyncSlice } from './types';

let statusRequest = 0;

export const createSyncSlice: SliceCreator<SyncSlice> = (set) => ({
  syncStatus: null,
  syncRequestError: null,

  applySyncStatus: (status) => {
    statusRequest++;
    set({ syncStatus: status });
  },

  loadSyncStatus: async () => {
    const request = ++statusRequest;
    const result = await api.getSyncStatus();
    if (request !== statusRequest) return;
    if (result.ok) set({ syncStatus: result.value });
  },

  syncNow: async () => {
    set({ syncRequestError: null });
    const request = ++statusRequest;
    const result = await api.syncEvents();
    if (!result.ok) {
      set({ syncRequestError: result.error.code });
      return;
    }
    if (request === statusRequest) set({ syncStatus: result.value });
  },
});

export function resetSyncModule(): void {
  statusRequest = 0;
}

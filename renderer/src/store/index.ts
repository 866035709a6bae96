import { create } from 'zustand';
import { createAppSlice } from './appSlice';
import { createDraftsSlice, resetDraftsModule } from './draftsSlice';
import { createSettingsSlice } from './settingsSlice';
import { createWorkspaceSlice, resetWorkspaceModule } from './workspaceSlice';
import type { AppStore } from './types';

export type * from './types';
export { SECTIONS } from './types';
export { AUTOSAVE_DELAY_MS, isDirty, isSaved } from './draftsSlice';

/** The one bound store, built from typed slices. */
export const useAppStore = create<AppStore>()((...args) => ({
  ...createAppSlice(...args),
  ...createSettingsSlice(...args),
  ...createDraftsSlice(...args),
  ...createWorkspaceSlice(...args),
}));

const initialState = useAppStore.getState();

/** Puts the store back as it was at start-up (tests). */
export function resetAppStore(): void {
  resetDraftsModule();
  resetWorkspaceModule();
  useAppStore.setState(initialState, true);
}

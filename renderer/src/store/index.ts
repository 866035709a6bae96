import { create } from 'zustand';
import { createAppSlice } from './appSlice';
import { createBroadcastsSlice, resetBroadcastsModule } from './broadcastsSlice';
import { createComposerSlice, resetComposerModule } from './composerSlice';
import { createDraftsSlice, resetDraftsModule } from './draftsSlice';
import { createEventsSlice, resetEventsModule } from './eventsSlice';
import { createHistorySlice, resetHistoryModule } from './historySlice';
import { createReportSlice, resetReportModule } from './reportSlice';
import { createSelectionSlice } from './selectionSlice';
import { createSessionSlice, resetSessionModule } from './sessionSlice';
import { createSettingsSlice } from './settingsSlice';
import { createSyncSlice, resetSyncModule } from './syncSlice';
import { createWorkspaceSlice, resetWorkspaceModule } from './workspaceSlice';
import type { AppStore } from './types';

export type * from './types';
export { SECTIONS } from './types';
export { isSaved, pendingSave } from './composerSlice';

/** The one bound store, built from typed slices. */
export const useAppStore = create<AppStore>()((...args) => ({
  ...createAppSlice(...args),
  ...createSettingsSlice(...args),
  ...createDraftsSlice(...args),
  ...createComposerSlice(...args),
  ...createWorkspaceSlice(...args),
  ...createSessionSlice(...args),
  ...createEventsSlice(...args),
  ...createSelectionSlice(...args),
  ...createSyncSlice(...args),
  ...createBroadcastsSlice(...args),
  ...createHistorySlice(...args),
  ...createReportSlice(...args),
}));

const initialState = useAppStore.getState();

/** Puts the store back as it was at start-up (tests). */
export function resetAppStore(): void {
  resetDraftsModule();
  resetComposerModule();
  resetWorkspaceModule();
  resetSessionModule();
  resetEventsModule();
  resetSyncModule();
  resetBroadcastsModule();
  resetHistoryModule();
  resetReportModule();
  useAppStore.setState(initialState, true);
}

import { api } from '../bridge';
import type { SliceCreator, WorkspaceSlice } from './types';

/** Only the newest workspace answer is applied (a push and a get can cross). */
let workspaceRequest = 0;

export const createWorkspaceSlice: SliceCreator<WorkspaceSlice> = (set, get) => ({
  workspace: null,
  workspaceError: null,
  demoStart: { phase: 'idle', error: null },

  applyWorkspace: (info) => {
    workspaceRequest++;
    set({ workspace: info, workspaceError: null });
  },

  loadWorkspace: async () => {
    const request = ++workspaceRequest;
    const result = await api.getWorkspace();
    if (request !== workspaceRequest) return;
    if (result.ok) set({ workspace: result.value, workspaceError: null });
    else set({ workspaceError: result.error.code });
  },

  chooseDemoWorkspace: async () => {
    if (get().demoStart.phase === 'starting') return false;
    set({ demoStart: { phase: 'starting', error: null } });
    const result = await api.useDemoWorkspace();
    if (!result.ok) {
      set({ demoStart: { phase: 'failed', error: result.error.code } });
      return false;
    }
    get().applyWorkspace(result.value);
    // The mode arrives with main's app.status push; reading app.info too keeps the screen right if that push is late
    // or lost, so the onboarding screen never flashes back between the answer and the push.
    await get().loadAppInfo();
    set({ demoStart: { phase: 'idle', error: null }, section: 'events' });
    return true;
  },
});

/** For tests: forget in-flight requests between cases. */
export function resetWorkspaceModule(): void {
  workspaceRequest = 0;
}

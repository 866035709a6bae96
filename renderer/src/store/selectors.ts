import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from './index';

/** Narrow hooks: each component subscribes to just what it renders. */

export const useSection = () => useAppStore((state) => state.section);
export const useLanguage = () => useAppStore((state) => state.language);
export const useAppInfo = () => useAppStore((state) => state.appInfo);
export const useLoadState = () => useAppStore((state) => state.loadState);

export const useStatus = () =>
  useAppStore(
    useShallow((state) => ({
      mode: state.status?.mode ?? null,
      online: state.status?.online ?? null,
      version: state.appInfo?.version ?? null,
    })),
  );

export const useDraftsList = () =>
  useAppStore(
    useShallow((state) => ({
      summaries: state.draftSummaries,
      listState: state.draftsListState,
      error: state.draftsError,
      openId: state.openDraft?.id ?? null,
    })),
  );

export const useOpenDraft = () => useAppStore((state) => state.openDraft);

export const useDraftActions = () =>
  useAppStore(
    useShallow((state) => ({
      startNewDraft: state.startNewDraft,
      selectDraft: state.selectDraft,
      editOpenDraft: state.editOpenDraft,
      saveOpenDraft: state.saveOpenDraft,
      deleteOpenDraft: state.deleteOpenDraft,
      dismissDraftsError: state.dismissDraftsError,
      dismissOpenDraftError: state.dismissOpenDraftError,
    })),
  );

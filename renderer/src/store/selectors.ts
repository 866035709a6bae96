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

/**
 * The sandboxed preload (bundled to CommonJS): exposes the contract as `window.omo` and nothing else. The raw
 * ipcRenderer never reaches the page, so a compromised renderer can only make calls main already validates.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import {
  type EventName,
  type EventPayload,
  IPC_EVENT_CHANNEL,
  type ImageVariant,
  MEDIA_SCHEME,
  IPC_INVOKE_PREFIX,
  type MethodName,
  type MethodOutput,
  type OmoBridge,
  type Result,
  err,
  isMethodName,
} from './contract';

type Listener = (payload: unknown) => void;

export function createElectronBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on'>): OmoBridge {
  const listeners = new Map<string, Set<Listener>>();

  // One IPC listener for all events, so the page's subscriptions never add or remove IPC listeners themselves.
  ipc.on(IPC_EVENT_CHANNEL, (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
    if (typeof name !== 'string') return;
    for (const listener of listeners.get(name) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        // One broken listener must not starve the others.
        console.error('omo: an event listener failed', error);
      }
    }
  });

  return {
    avatarUrl(eventId: string): string {
      return `${MEDIA_SCHEME}://avatar/${encodeURIComponent(eventId)}`;
    },
    imageUrl(sha256: string, variant: ImageVariant): string {
      return `${MEDIA_SCHEME}://image/${encodeURIComponent(sha256)}/${encodeURIComponent(variant)}`;
    },
    invoke<M extends MethodName>(method: M, input: unknown): Promise<Result<MethodOutput<M>>> {
      if (!isMethodName(method)) {
        return Promise.resolve(err('unknown_method', `Unknown method: ${String(method).slice(0, 64)}`));
      }
      return (ipc.invoke(IPC_INVOKE_PREFIX + method, input) as Promise<Result<MethodOutput<M>>>).catch(
        // invoke rejects only when main has no handler (shutting down) or the channel broke.
        () => err('disconnected', `${method}: main did not answer`),
      );
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      const forEvent = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, forEvent);
      // Each subscription gets its own wrapper, so subscribing the same function twice unsubscribes independently.
      const wrapper: Listener = (payload) => listener(payload as EventPayload<E>);
      forEvent.add(wrapper);
      return () => {
        forEvent.delete(wrapper);
      };
    },
  } satisfies OmoBridge;
}

contextBridge.exposeInMainWorld('omo', createElectronBridge(ipcRenderer));

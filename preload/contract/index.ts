import type { Result } from './result';
import type { ImageVariant } from './schemas';
import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from './methods';

export * from './result';
export * from './schemas';
export * from './methods';

/** IPC channel names used by the Electron transport. */
export const IPC_INVOKE_PREFIX = 'omo:';
export const IPC_EVENT_CHANNEL = 'omo:event';
/** The custom scheme main serves cached media on in Electron (avatars), so the renderer never reaches the internet. */
export const MEDIA_SCHEME = 'omo-media';
/** Where the preview host serves the same media (same origin as the page; the key is required). */
export const AVATAR_PATH = '/media/avatar/';
/** Where the preview host serves a composed image's variants: `/media/image/<sha256>/<variant>` (key required). */
export const IMAGE_PATH = '/media/image/';

/** What the renderer sees as `window.omo`, whichever transport carries it. */
export interface OmoBridge {
  invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>>;
  /** The URL of a customer's avatar, fetched and cached by main (the renderer never reaches the internet). */
  avatarUrl(eventId: string): string;
  /** The URL of a composed image's variant (thumbnail or LINE preview), served by main from the user-data folder. */
  imageUrl(sha256: string, variant: ImageVariant): string;
  /** Subscribes to a push event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Messages of the preview host's WebSocket. */
export type WireRequest = { type: 'call'; id: number; method: string; input: unknown };
export type WireMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; name: EventName; payload: unknown }
  | { type: 'error'; error: { code: string; message: string } };

declare global {
  interface Window {
    omo: OmoBridge;
  }
}

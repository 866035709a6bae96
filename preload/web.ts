/**
 * The preview host's transport: the same `window.omo` as the Electron preload, carried over a WebSocket to main's
 * core running in Node. The preview host injects this script before the renderer's own, as Electron injects its
 * preload. The key in the page's URL proves the page came from the host; the host also checks the Origin.
 */
import {
  AVATAR_PATH,
  IMAGE_PATH,
  type EventName,
  type OmoBridge,
  type Result,
  type WireMessage,
  err,
  isEventName,
  isMethodName,
} from './contract';

type Pending = { resolve: (result: Result<unknown>) => void };
type Listener = (payload: unknown) => void;

const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000];

function createWebBridge(): OmoBridge {
  const key = new URL(window.location.href).searchParams.get('key') ?? '';
  const socketUrl = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/rpc?key=${encodeURIComponent(key)}`;
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const listeners = new Map<EventName, Set<Listener>>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let attempts = 0;

  const failAllPending = (): void => {
    // Queued frames are dropped with their calls: a call reported as failed must never run later.
    queue.length = 0;
    for (const [id, call] of pending) {
      pending.delete(id);
      call.resolve(err('disconnected', 'The connection to the preview host closed before the call finished'));
    }
  };

  const connect = (): void => {
    const ws = new WebSocket(socketUrl);
    socket = ws;
    ws.addEventListener('open', () => {
      attempts = 0;
      for (const frame of queue.splice(0)) ws.send(frame);
    });
    ws.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (typeof event.data !== 'string') return;
      let message: WireMessage;
      try {
        message = JSON.parse(event.data) as WireMessage;
      } catch {
        return;
      }
      if (message.type === 'result') {
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        call.resolve(message.result);
      } else if (message.type === 'event' && isEventName(message.name)) {
        for (const listener of listeners.get(message.name) ?? []) listener(message.payload);
      }
    });
    ws.addEventListener('close', () => {
      socket = null;
      failAllPending();
      // The host may restart (or the laptop woke up): reconnect with a growing delay.
      const delay = RECONNECT_DELAYS_MS[Math.min(attempts, RECONNECT_DELAYS_MS.length - 1)] ?? 4000;
      attempts += 1;
      window.setTimeout(connect, delay);
    });
  };
  connect();

  return {
    avatarUrl(eventId) {
      return `${AVATAR_PATH}${encodeURIComponent(eventId)}?key=${encodeURIComponent(key)}`;
    },
    imageUrl(sha256, variant) {
      return `${IMAGE_PATH}${encodeURIComponent(sha256)}/${encodeURIComponent(variant)}?key=${encodeURIComponent(key)}`;
    },
    invoke(method, input) {
      if (!isMethodName(method)) {
        return Promise.resolve(err('unknown_method', `Unknown method: ${String(method)}`));
      }
      const id = nextId++;
      const frame = JSON.stringify({ type: 'call', id, method, input });
      return new Promise((resolve) => {
        pending.set(id, { resolve: resolve as Pending['resolve'] });
        if (socket?.readyState === WebSocket.OPEN) socket.send(frame);
        else queue.push(frame);
      });
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      set.add(listener as Listener);
      return () => {
        set.delete(listener as Listener);
      };
    },
  } satisfies OmoBridge;
}

Object.defineProperty(window, 'omo', { value: Object.freeze(createWebBridge()), writable: false, configurable: false });

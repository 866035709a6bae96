import type { Net } from 'electron';
import type { NetworkStatus } from '../network';

export const NETWORK_POLL_INTERVAL_MS = 5000;

/**
 * The network status as Chromium sees it. Electron has no "online changed" event in main, so it is polled; listeners
 * hear only changes. `net.isOnline()` can say "online" behind a dead router: it is a hint, never a promise.
 */
export class ElectronNetworkStatus implements NetworkStatus {
  readonly #net: Pick<Net, 'isOnline'>;
  readonly #listeners = new Set<(online: boolean) => void>();
  readonly #timer: ReturnType<typeof setInterval>;
  #online: boolean;

  constructor(net: Pick<Net, 'isOnline'>, intervalMs = NETWORK_POLL_INTERVAL_MS) {
    this.#net = net;
    this.#online = net.isOnline();
    this.#timer = setInterval(() => this.poll(), intervalMs);
    // The poll must never be what keeps the process alive.
    this.#timer.unref?.();
  }

  isOnline(): boolean {
    return this.#online;
  }

  subscribe(listener: (online: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reads the status now; public so a resume from sleep can ask without waiting for the next tick. */
  poll(): void {
    const online = this.#net.isOnline();
    if (online === this.#online) return;
    this.#online = online;
    for (const listener of this.#listeners) listener(online);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#listeners.clear();
  }
}

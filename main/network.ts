/** Whether the machine is online. Electron reports it with `net.isOnline()`; Node and tests inject their own. */
export interface NetworkStatus {
  isOnline(): boolean;
  /** Calls `listener` whenever the answer changes; returns the unsubscribe function. */
  subscribe(listener: (online: boolean) => void): () => void;
}

/** A network status that is set by hand: the preview host starts it online; tests flip it. */
export class ManualNetworkStatus implements NetworkStatus {
  #online: boolean;
  readonly #listeners = new Set<(online: boolean) => void>();

  constructor(online = true) {
    this.#online = online;
  }

  isOnline(): boolean {
    return this.#online;
  }

  set(online: boolean): void {
    if (online === this.#online) return;
    this.#online = online;
    for (const listener of this.#listeners) listener(online);
  }

  subscribe(listener: (online: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * Work items of one part (one account of one broadcast) waiting to be sent, each with the earliest time it may go
 * (0: now; later: a back-off). `next` gives the ready item that comes first in `order` (LINE: batch seq; WhatsApp:
 * rowid), or when the earliest one becomes ready. Parts hold a few hundred items at most, so a scan is fine.
 */
export type Next<T> = { item: T } | { later: number } | null;

export class RetryQueue<T> {
  #items: Array<{ item: T; notBefore: number }> = [];

  constructor(
    private readonly order: (item: T) => number,
    initial: readonly T[] = [],
  ) {
    for (const item of initial) this.#items.push({ item, notBefore: 0 });
  }

  get size(): number {
    return this.#items.length;
  }

  push(item: T, notBefore = 0): void {
    this.#items.push({ item, notBefore });
  }

  next(now: number): Next<T> {
    let best = -1;
    let earliest = Number.POSITIVE_INFINITY;
    for (let index = 0; index < this.#items.length; index += 1) {
      const entry = this.#items[index];
      if (!entry) continue;
      if (entry.notBefore <= now) {
        const bestEntry = this.#items[best];
        if (!bestEntry || this.order(entry.item) < this.order(bestEntry.item)) best = index;
      } else {
        earliest = Math.min(earliest, entry.notBefore);
      }
    }
    if (best >= 0) {
      const [entry] = this.#items.splice(best, 1);
      if (entry) return { item: entry.item };
    }
    return Number.isFinite(earliest) ? { later: earliest } : null;
  }

  /** Removes and returns every item matching `predicate` (all when omitted). */
  removeWhere(predicate: (item: T) => boolean = () => true): T[] {
    const removed: T[] = [];
    this.#items = this.#items.filter((entry) => {
      if (!predicate(entry.item)) return true;
      removed.push(entry.item);
      return false;
    });
    return removed;
  }
}

import type { Database } from './db';

/**
 * Memoises a module's prepared statements per connection: each SQL text is compiled once per database handle, and a
 * closed handle's statements go with it (WeakMap), so tests opening many temp databases do not leak.
 */
export function statementsFor<T>(prepare: (db: Database) => T): (db: Database) => T {
  const cache = new WeakMap<Database, T>();
  return (db) => {
    let statements = cache.get(db);
    if (statements === undefined) {
      statements = prepare(db);
      cache.set(db, statements);
    }
    return statements;
  };
}

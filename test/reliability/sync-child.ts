/**
 * The child of sync-kill.test.ts: one sync run of the Inbox into a database file, printing one JSON line per applied
 * page so the parent can SIGKILL it mid-sync. Usage: sync-child.ts <db file> <inbox origin> (token in OMO_TOKEN).
 */
import { createInboxClient } from '../../main/inbox/client';
import { createSyncEngine } from '../../main/inbox/sync';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { openDatabase } from '../../main/store/db';
import { readSyncState } from '../../main/store/sync-state';

const [file, origin] = process.argv.slice(2);
const token = process.env.OMO_TOKEN;
if (file === undefined || origin === undefined || token === undefined) {
  process.stderr.write('usage: sync-child.ts <db file> <origin> (OMO_TOKEN set)\n');
  process.exit(2);
}

const print = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

const db = openDatabase(file);
const stored = readSyncState(db).run;
print({ type: 'start', cursor: stored?.cursor ?? null, storedPages: stored?.pages ?? 0 });

const client = createInboxClient({ baseUrl: origin, accessToken: token, timeoutMs: 30_000 });
const engine = createSyncEngine({
  db,
  logger: silentLogger,
  clock: { now: () => Date.now() },
  network: new ManualNetworkStatus(true),
  client: () => client,
  onStatus: () => {},
  onEventsChanged: () => {},
  onUnauthorized: () => {},
  onPageApplied: (page) => print({ type: 'page', page: page.page, cursor: page.cursor, nextCursor: page.nextCursor, items: page.items }),
});
engine.syncNow();
await engine.idle();
print({ type: 'done', status: engine.status() });
db.close();

/**
 * Child process for store-crash.test.ts: commits a few drafts, then opens one large transaction of event inserts,
 * prints "inserting" once `killAfter` rows are inside it, and keeps the transaction open until it is killed.
 * Usage: node --import tsx test/reliability/store-writer.ts <db file> <killAfter>
 */
import { writeSync } from 'node:fs';
import { openDatabase } from '../../main/store/db';
import { insertDraft } from '../../main/store/drafts';
import { upsertEvents } from '../../main/store/events';
import { T0, makeEvent } from '../unit/store/fixtures';

export const COMMITTED_DRAFTS = 10;
export const TOTAL_ROWS = 200_000;
const CHUNK = 1_000;

/** Synchronous write to fd 1, so the parent sees the line before the next insert starts. */
function say(line: string): void {
  writeSync(1, `${line}\n`);
}

function main(): void {
  const [file, killAfterText] = process.argv.slice(2);
  const killAfter = Number(killAfterText);
  if (file === undefined || !Number.isInteger(killAfter) || killAfter < 1 || killAfter > TOTAL_ROWS) {
    throw new Error('usage: store-writer.ts <db file> <killAfter rows>');
  }
  const db = openDatabase(file);
  for (let index = 0; index < COMMITTED_DRAFTS; index += 1) {
    insertDraft(db, {
      id: `draft-${index}`,
      text: `committed ${index}`,
      imageSha256: null,
      imageName: null,
      whatsapp: null,
      selection: null,
      createdAt: T0 + index,
      updatedAt: T0 + index,
    });
  }
  say('committed');

  db.transaction(() => {
    let inserted = 0;
    let announced = false;
    while (inserted < TOTAL_ROWS) {
      const chunk = Array.from({ length: Math.min(CHUNK, TOTAL_ROWS - inserted) }, (_, offset) =>
        makeEvent(inserted + offset),
      );
      upsertEvents(db, chunk); // nested: a savepoint inside the big transaction
      inserted += chunk.length;
      if (!announced && inserted >= killAfter) {
        announced = true;
        say('inserting');
      }
    }
    say('all rows inserted; holding the transaction open');
    // Never commit: if the kill has not landed yet, wait for it inside the open transaction.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    say('not killed');
    process.exit(3);
  })();
}

main();

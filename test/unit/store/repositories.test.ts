import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  countRecipientsByState,
  createBroadcast,
  getBroadcast,
  listRecipients,
} from '../../../main/store/broadcasts';
import { type Database, openDatabase } from '../../../main/store/db';
import { type DraftRow, deleteDraft, getDraft, insertDraft, listDrafts, patchDraft } from '../../../main/store/drafts';
import { countEvents, deleteEvents, getEvent, listEventsByStatus, upsertEvents } from '../../../main/store/events';
import { getAllSettings, getSetting, setSettings } from '../../../main/store/settings';
import { type TempDir, createTempDir } from '../../helpers/tmp';
import { T0, makeBroadcast, makeEvent, makeRecipient } from './fixtures';

let temp: TempDir;
let db: Database;

beforeEach(() => {
  temp = createTempDir('repositories');
  db = openDatabase(path.join(temp.dir, 'test.sqlite'));
});

afterEach(() => {
  db.close();
  temp.cleanup();
});

const count = (table: string): number =>
  db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? -1;

describe('settings', () => {
  it('reads what setSettings wrote, and overwrites in place', () => {
    expect(getAllSettings(db)).toEqual({});
    expect(getSetting(db, 'language')).toBeUndefined();
    setSettings(db, [['language', 'en'], ['theme', 'dark']], T0);
    setSettings(db, [['language', 'zh-TW']], T0 + 1);
    expect(getAllSettings(db)).toEqual({ language: 'zh-TW', theme: 'dark' });
    expect(getSetting(db, 'language')).toBe('zh-TW');
    expect(db.prepare("SELECT updated_at FROM settings WHERE key = 'language'").pluck().get()).toBe(T0 + 1);
  });

  it('writes all entries or none', () => {
    setSettings(db, [['language', 'en']], T0);
    // A NULL value violates NOT NULL half-way through: the first entry must not survive.
    const bad = [['language', 'zh-TW'], ['broken', null]] as unknown as Array<[string, string]>;
    expect(() => setSettings(db, bad, T0)).toThrow(/NOT NULL/);
    expect(getAllSettings(db)).toEqual({ language: 'en' });
  });

  it('binds values, so SQL in a value is only text', () => {
    const hostile = "x'); DROP TABLE settings; --";
    setSettings(db, [[hostile, hostile]], T0);
    expect(getSetting(db, hostile)).toBe(hostile);
  });
});

describe('drafts', () => {
  const draft = (id: string, text: string, at: number): DraftRow => ({
    id,
    text,
    imageSha256: null,
    imageName: null,
    whatsapp: null,
    selection: null,
    createdAt: at,
    updatedAt: at,
  });

  it('inserts, lists newest first, gets, patches and deletes', () => {
    insertDraft(db, draft('a', 'first', T0));
    insertDraft(db, draft('b', 'second', T0 + 1));
    expect(listDrafts(db).map((row) => row.id)).toEqual(['b', 'a']);
    expect(getDraft(db, 'a')).toEqual(draft('a', 'first', T0));

    expect(patchDraft(db, 'a', { text: 'first, edited' }, T0 + 5)).toEqual({ ...draft('a', 'first, edited', T0), updatedAt: T0 + 5 });
    expect(listDrafts(db).map((row) => row.id)).toEqual(['a', 'b']);
    expect(patchDraft(db, 'missing', { text: 'x' }, T0)).toBeUndefined();

    expect(deleteDraft(db, 'a')).toBe(true);
    expect(deleteDraft(db, 'a')).toBe(false);
    expect(getDraft(db, 'a')).toBeUndefined();
    expect(listDrafts(db).map((row) => row.id)).toEqual(['b']);
  });

  it('patches only the fields given, and lists the selection by its size', () => {
    insertDraft(db, draft('a', 'text', T0));
    const sha = 'ab'.repeat(32);
    patchDraft(db, 'a', { image: { sha256: sha, name: 'photo.jpg' }, selection: JSON.stringify(['e1', 'e2', 'e3']) }, T0 + 1);
    patchDraft(db, 'a', { whatsapp: JSON.stringify({ numbers: [] }) }, T0 + 2);
    expect(getDraft(db, 'a')).toEqual({
      ...draft('a', 'text', T0),
      imageSha256: sha,
      imageName: 'photo.jpg',
      whatsapp: '{"numbers":[]}',
      selection: '["e1","e2","e3"]',
      updatedAt: T0 + 2,
    });
    expect(listDrafts(db)).toEqual([
      { id: 'a', text: 'text', imageSha256: sha, whatsapp: '{"numbers":[]}', selectionCount: 3, updatedAt: T0 + 2 },
    ]);
    patchDraft(db, 'a', { image: null, selection: null }, T0 + 3);
    expect(getDraft(db, 'a')).toMatchObject({ imageSha256: null, imageName: null, selection: null, text: 'text' });
  });

  it('refuses a duplicate id and a malformed image hash', () => {
    insertDraft(db, draft('a', '', T0));
    expect(() => insertDraft(db, draft('a', 'again', T0))).toThrow(/UNIQUE/);
    const setHash = db.prepare<[string]>("UPDATE drafts SET image_sha256 = ? WHERE id = 'a'");
    expect(() => setHash.run('not-a-hash')).toThrow(/CHECK/);
    expect(() => setHash.run('A'.repeat(64))).toThrow(/CHECK/);
    setHash.run('ab'.repeat(32));
    expect(() => db.prepare("UPDATE drafts SET whatsapp = '{oops' WHERE id = 'a'").run()).toThrow(/CHECK/);
  });
});

describe('events', () => {
  it('upserts, maps every column both ways, and lists one status newest first', () => {
    const rows = [makeEvent(1), makeEvent(2), makeEvent(3, { status: 'resolved' }), makeEvent(4)];
    upsertEvents(db, rows);
    expect(countEvents(db)).toBe(4);
    expect(getEvent(db, rows[3]!.id)).toEqual(rows[3]);
    expect(getEvent(db, rows[2]!.id)).toEqual(rows[2]);
    expect(listEventsByStatus(db, 'in_progress').map((row) => row.id)).toEqual(['evt-000004', 'evt-000002', 'evt-000001']);
    expect(listEventsByStatus(db, 'in_progress', 2).map((row) => row.id)).toEqual(['evt-000004', 'evt-000002']);
    expect(listEventsByStatus(db, 'resolved')).toEqual([rows[2]]);
  });

  it('updates an existing id in place', () => {
    upsertEvents(db, [makeEvent(1)]);
    const changed = makeEvent(1, { status: 'resolved', tags: ['moved'], customerAvatarUrl: null, lastInboundAt: 7 });
    upsertEvents(db, [changed]);
    expect(countEvents(db)).toBe(1);
    expect(getEvent(db, changed.id)).toEqual(changed);
  });

  it('writes a page all-or-nothing: one bad row leaves the table as it was', () => {
    upsertEvents(db, [makeEvent(1)]);
    const bad = makeEvent(3, { channel: 'telegram' as never });
    expect(() => upsertEvents(db, [makeEvent(2), bad])).toThrow(/CHECK/);
    expect(countEvents(db)).toBe(1);
  });

  it('refuses an empty status and a tags value that is not a JSON array', () => {
    expect(() => upsertEvents(db, [makeEvent(1, { status: '' })])).toThrow(/CHECK/);
    upsertEvents(db, [makeEvent(1)]);
    expect(() => db.prepare(`UPDATE events SET tags = '{"a":1}'`).run()).toThrow(/CHECK/);
  });

  it('deletes by ids and reports how many existed', () => {
    upsertEvents(db, [makeEvent(1), makeEvent(2), makeEvent(3)]);
    expect(deleteEvents(db, ['evt-000001', 'evt-000003', 'nope'])).toBe(2);
    expect(countEvents(db)).toBe(1);
    expect(deleteEvents(db, [])).toBe(0);
  });

  it('uses the status index for the event list', () => {
    const plan = db
      .prepare<[], { detail: string }>(
        "EXPLAIN QUERY PLAN SELECT id FROM events WHERE status = 'in_progress' ORDER BY last_message_at DESC, id LIMIT 50",
      )
      .all()
      .map((row) => row.detail)
      .join('\n');
    expect(plan).toContain('events_by_status_last_message');
    expect(plan).not.toContain('TEMP B-TREE');
  });
});

describe('broadcasts', () => {
  const events = [1, 2, 3, 4, 5].map((index) => makeEvent(index));

  it('writes the snapshot and reads it back, paged and counted by state', () => {
    const broadcast = makeBroadcast('b-1');
    createBroadcast(db, broadcast, [
      ...events.slice(0, 3).map((event) => makeRecipient(event)),
      makeRecipient(events[3]!, { state: 'skipped', reason: 'not_in_progress' }),
      makeRecipient(events[4]!, { state: 'accepted', messageId: 'wamid.1' }),
    ]);
    expect(getBroadcast(db, 'b-1')).toEqual(broadcast);
    expect(getBroadcast(db, 'missing')).toBeUndefined();

    const all = listRecipients(db, 'b-1', { limit: 100, offset: 0 });
    expect(all.map((row) => row.eventId)).toEqual(events.map((event) => event.id));
    expect(all[0]).toEqual({ ...makeRecipient(events[0]!), broadcastId: 'b-1' });
    expect(listRecipients(db, 'b-1', { limit: 2, offset: 2 }).map((row) => row.eventId)).toEqual([
      events[2]!.id,
      events[3]!.id,
    ]);
    expect(countRecipientsByState(db, 'b-1')).toEqual({
      pending: 3,
      in_flight: 0,
      accepted: 1,
      failed: 0,
      skipped: 1,
      unknown: 0,
    });
  });

  it('is all-or-nothing: a duplicate recipient leaves no broadcast row and no recipients', () => {
    const recipients = [makeRecipient(events[0]!), makeRecipient(events[1]!), makeRecipient(events[0]!)];
    expect(() => createBroadcast(db, makeBroadcast('b-dup'), recipients)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(getBroadcast(db, 'b-dup')).toBeUndefined();
    expect(count('broadcasts')).toBe(0);
    expect(count('broadcast_recipients')).toBe(0);
  });

  it('refuses a recipient that names another broadcast', () => {
    const stray = { ...makeRecipient(events[0]!), broadcastId: 'other' };
    expect(() => createBroadcast(db, makeBroadcast('b-1'), [stray])).toThrow(/belongs to broadcast other/);
    expect(count('broadcasts')).toBe(0);
  });

  it('refuses unknown states, a failure without a reason and content that is not JSON', () => {
    expect(() => createBroadcast(db, makeBroadcast('b-x', { state: 'sent' as never }), [])).toThrow(/CHECK/);
    expect(() => createBroadcast(db, makeBroadcast('b-x', { content: '{not json' }), [])).toThrow(/CHECK/);
    expect(() =>
      createBroadcast(db, makeBroadcast('b-x'), [makeRecipient(events[0]!, { state: 'delivered' as never })]),
    ).toThrow(/CHECK/);
    expect(() =>
      createBroadcast(db, makeBroadcast('b-x'), [makeRecipient(events[0]!, { state: 'failed', reason: null })]),
    ).toThrow(/CHECK/);
    expect(() =>
      createBroadcast(db, makeBroadcast('b-x'), [makeRecipient(events[0]!, { channel: 'sms' as never })]),
    ).toThrow(/CHECK/);
    expect(count('broadcasts')).toBe(0);
  });

  it('cascades a deleted broadcast to its recipients, and refuses orphans', () => {
    createBroadcast(db, makeBroadcast('b-1'), events.map((event) => makeRecipient(event)));
    createBroadcast(db, makeBroadcast('b-2'), [makeRecipient(events[0]!)]);
    expect(count('broadcast_recipients')).toBe(6);
    db.prepare("DELETE FROM broadcasts WHERE id = 'b-1'").run();
    expect(count('broadcast_recipients')).toBe(1);
    expect(listRecipients(db, 'b-2', { limit: 10 })).toHaveLength(1);
    expect(() =>
      db
        .prepare(
          `INSERT INTO broadcast_recipients (broadcast_id, event_id, channel, channel_account, recipient_id,
             customer_name, state, updated_at) VALUES ('ghost', 'e', 'line', 'c', 'U1', 'n', 'pending', 0)`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it('counts every state as zero for an unknown broadcast', () => {
    expect(Object.values(countRecipientsByState(db, 'nope'))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('prepared statements', () => {
  it('are prepared once per connection', () => {
    const original = db.prepare.bind(db);
    let prepared = 0;
    // Counting calls on this handle only; the spy is removed with the handle in afterEach.
    db.prepare = ((source: string) => {
      prepared += 1;
      return original(source);
    }) as typeof db.prepare;
    getAllSettings(db);
    const afterFirst = prepared;
    for (let index = 0; index < 5; index += 1) {
      getAllSettings(db);
      getSetting(db, 'x');
      setSettings(db, [['x', 'y']], T0);
    }
    expect(afterFirst).toBeGreaterThan(0);
    expect(prepared).toBe(afterFirst);
  });
});

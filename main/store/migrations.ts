import type { Database } from './db';
import { StoreError } from './errors';

/**
 * One schema change. RULES: versions are 1, 2, 3… with no gaps; a migration is NEVER edited after it has landed on
 * main (users' databases already ran it) — fix a mistake with a new migration. `up` runs inside the one transaction
 * that also sets `PRAGMA user_version`, so it must not open its own transaction or change journal_mode.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}

const CHANNEL_CHECK = "CHECK (channel IN ('line', 'whatsapp'))";

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'settings, events cache, drafts, broadcasts and their recipients',
    up(db) {
      db.exec(`
        CREATE TABLE settings (
          key TEXT PRIMARY KEY NOT NULL,
          value TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;

        -- The local cache of the sender's conversation events (DESIGN §4 Event). Status is an open set on the
        -- platform ('in_progress', 'pending', 'resolved', …), so it is not enumerated here.
        CREATE TABLE events (
          id TEXT PRIMARY KEY NOT NULL,
          channel TEXT NOT NULL ${CHANNEL_CHECK},
          channel_account TEXT NOT NULL,
          customer_name TEXT NOT NULL,
          customer_avatar_url TEXT,
          customer_platform_id TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status <> ''),
          assignee_id TEXT,
          assignee_name TEXT,
          store_id TEXT,
          store_name TEXT,
          tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags) AND json_type(tags) = 'array'),
          last_message_at INTEGER NOT NULL,
          last_inbound_at INTEGER,
          updated_at INTEGER NOT NULL,
          synced_at INTEGER NOT NULL
        ) STRICT;
        -- The event list: one status, newest conversation first.
        CREATE INDEX events_by_status_last_message ON events (status, last_message_at DESC, id);

        CREATE TABLE drafts (
          id TEXT PRIMARY KEY NOT NULL,
          text TEXT NOT NULL,
          image_sha256 TEXT CHECK (
            image_sha256 IS NULL OR (length(image_sha256) = 64 AND image_sha256 NOT GLOB '*[^0-9a-f]*')
          ),
          whatsapp TEXT CHECK (whatsapp IS NULL OR json_valid(whatsapp)),
          selection TEXT CHECK (selection IS NULL OR json_valid(selection)),
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX drafts_by_updated_at ON drafts (updated_at DESC);

        -- An immutable snapshot of what is sent (content) and to whom (broadcast_recipients), written in one
        -- transaction before any network call (DESIGN §4 Broadcast).
        CREATE TABLE broadcasts (
          id TEXT PRIMARY KEY NOT NULL,
          created_by TEXT NOT NULL,
          content TEXT NOT NULL CHECK (json_valid(content)),
          state TEXT NOT NULL CHECK (state IN (
            'queued', 'sending', 'paused', 'waiting_for_network',
            'completed', 'completed_with_failures', 'cancelled', 'expired'
          )),
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          started_at INTEGER,
          finished_at INTEGER
        ) STRICT;
        CREATE INDEX broadcasts_by_created_at ON broadcasts (created_at DESC);

        CREATE TABLE broadcast_recipients (
          broadcast_id TEXT NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
          event_id TEXT NOT NULL,
          channel TEXT NOT NULL ${CHANNEL_CHECK},
          channel_account TEXT NOT NULL,
          recipient_id TEXT NOT NULL,
          customer_name TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'accepted', 'failed', 'skipped', 'unknown')),
          -- failed(reason) and skipped(reason): the user is always told why (DESIGN §4 Recipient).
          reason TEXT CHECK (state NOT IN ('failed', 'skipped') OR reason IS NOT NULL),
          batch_id TEXT,
          request_id TEXT,
          message_id TEXT,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (broadcast_id, event_id)
        ) STRICT;
        CREATE INDEX broadcast_recipients_by_state ON broadcast_recipients (broadcast_id, state);
      `);
    },
  },
  {
    version: 2,
    name: 'sync state and the full-sync generation of cached events',
    up(db) {
      db.exec(`
        -- The full sync that last wrote (or confirmed) each row: when a full sync completes, rows of older
        -- generations are events the user can no longer see (reassigned away) and are deleted.
        ALTER TABLE events ADD COLUMN sync_generation INTEGER NOT NULL DEFAULT 0;

        -- One row: where the Inbox sync stands. A page of events and this row change in the same transaction, so a
        -- sync cut off anywhere resumes from run_cursor without applying a page twice or by halves.
        CREATE TABLE sync_state (
          id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
          -- Bumped by every change of the events cache (the renderer's list version).
          version INTEGER NOT NULL DEFAULT 0,
          -- The generation of the last COMPLETED full sync.
          generation INTEGER NOT NULL DEFAULT 0,
          -- The serverTime of the first page of the last completed sync: the next incremental's updatedSince.
          last_server_time INTEGER,
          last_synced_at INTEGER,
          last_full_sync_at INTEGER,
          -- The sync under way (run_kind NULL = none): its generation, first page's serverTime, filter, next cursor.
          run_kind TEXT CHECK (run_kind IN ('full', 'incremental')),
          run_generation INTEGER,
          run_started_server_time INTEGER,
          run_updated_since INTEGER,
          run_cursor TEXT,
          run_pages INTEGER NOT NULL DEFAULT 0,
          run_fetched INTEGER NOT NULL DEFAULT 0,
          run_skipped INTEGER NOT NULL DEFAULT 0,
          CHECK (run_kind IS NULL OR (run_generation IS NOT NULL AND run_started_server_time IS NOT NULL)),
          CHECK (run_kind IS NOT 'incremental' OR run_updated_since IS NOT NULL)
        ) STRICT;
        INSERT INTO sync_state (id) VALUES (1);
      `);
    },
  },
  {
    version: 3,
    name: 'composed images, the WhatsApp template cache, and the image a broadcast sends',
    up(db) {
      db.exec(`
        -- Composed images (DESIGN §5): the files live in the user-data folder, named by the SHA-256 of the original
        -- (orientation applied, metadata stripped); this row says which variants exist and how big they are. A row is
        -- written only after every file is in place, so a row never points at a missing file.
        CREATE TABLE images (
          sha256 TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
          format TEXT NOT NULL CHECK (format IN ('jpeg', 'png')),
          width INTEGER NOT NULL CHECK (width > 0),
          height INTEGER NOT NULL CHECK (height > 0),
          bytes INTEGER NOT NULL CHECK (bytes > 0),
          preview_bytes INTEGER NOT NULL CHECK (preview_bytes > 0),
          whatsapp_format TEXT NOT NULL CHECK (whatsapp_format IN ('jpeg', 'png')),
          whatsapp_bytes INTEGER NOT NULL CHECK (whatsapp_bytes > 0),
          source_format TEXT NOT NULL,
          source_bytes INTEGER NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;
        -- The name of the file a draft's image came from, shown beside its thumbnail.
        ALTER TABLE drafts ADD COLUMN image_name TEXT;
        CREATE INDEX drafts_by_image ON drafts (image_sha256) WHERE image_sha256 IS NOT NULL;

        -- The image a broadcast sends (its content snapshot names it too): kept while any broadcast refers to it.
        ALTER TABLE broadcasts ADD COLUMN image_sha256 TEXT;
        CREATE INDEX broadcasts_by_image ON broadcasts (image_sha256) WHERE image_sha256 IS NOT NULL;

        -- The WhatsApp templates of each number (from its business account), cached so drafts can be composed
        -- offline. Replaced as a whole per number by each successful fetch.
        CREATE TABLE whatsapp_templates (
          phone_number_id TEXT NOT NULL,
          name TEXT NOT NULL,
          language TEXT NOT NULL,
          template_id TEXT NOT NULL,
          status TEXT NOT NULL,
          category TEXT,
          parameter_format TEXT NOT NULL CHECK (parameter_format IN ('POSITIONAL', 'NAMED')),
          components TEXT NOT NULL CHECK (json_valid(components) AND json_type(components) = 'array'),
          PRIMARY KEY (phone_number_id, name, language)
        ) STRICT;

        -- When each number's templates were last fetched, and why the last attempt failed (if it did).
        CREATE TABLE whatsapp_template_fetches (
          phone_number_id TEXT PRIMARY KEY NOT NULL,
          fetched_at INTEGER,
          error TEXT,
          attempted_at INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 4,
    name: 'the send engine: LINE multicast batches with their retry keys, hosted media, broadcast facts',
    up(db) {
      db.exec(`
        -- The draft a broadcast was made from, and why it stopped or waits (line_quota, network, …) for the UI.
        ALTER TABLE broadcasts ADD COLUMN draft_id TEXT;
        ALTER TABLE broadcasts ADD COLUMN note TEXT;
        -- 1 while enqueue is still writing the snapshot in chunks: never sent, never listed; deleted at start-up (its
        -- enqueue never answered, so nobody holds its id).
        ALTER TABLE broadcasts ADD COLUMN preparing INTEGER NOT NULL DEFAULT 0 CHECK (preparing IN (0, 1));
        -- Newest first per state: the active broadcasts at start-up, the history list.
        CREATE INDEX broadcasts_by_state ON broadcasts (state, created_at DESC);

        -- One LINE multicast request (at most 500 recipients of one channel). batch_id IS the X-Line-Retry-Key: a
        -- UUID written with the snapshot, before the first attempt, and sent with every retry of that request, so
        -- LINE accepts it once whatever happens (DESIGN §4 Delivery semantics).
        CREATE TABLE broadcast_batches (
          broadcast_id TEXT NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
          batch_id TEXT NOT NULL CHECK (length(batch_id) = 36),
          channel_account TEXT NOT NULL,
          seq INTEGER NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'accepted', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          -- x-line-request-id of the accepting answer (or x-line-accepted-request-id of a 409).
          request_id TEXT,
          reason TEXT CHECK (state <> 'failed' OR reason IS NOT NULL),
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (broadcast_id, batch_id)
        ) STRICT;
        CREATE INDEX broadcast_batches_by_state ON broadcast_batches (broadcast_id, state, seq);
        CREATE INDEX broadcast_recipients_by_batch ON broadcast_recipients (broadcast_id, batch_id) WHERE batch_id IS NOT NULL;
        -- Counts per channel and state (a broadcast's progress, loaded once per broadcast) without visiting rows.
        CREATE INDEX broadcast_recipients_by_channel_state ON broadcast_recipients (broadcast_id, channel, state);

        -- Media hosted for a broadcast: the LINE image's HTTPS URLs (POST /v1/media, account '') and each WhatsApp
        -- number's media id, uploaded once and reused by every request and retry.
        CREATE TABLE broadcast_media (
          broadcast_id TEXT NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
          channel TEXT NOT NULL ${CHANNEL_CHECK},
          account TEXT NOT NULL,
          url TEXT,
          preview_url TEXT,
          media_id TEXT,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (broadcast_id, channel, account)
        ) STRICT;
      `);
    },
  },
  {
    version: 5,
    name: 'sent history and the referral report: retries linked to their origin, per-channel totals, platform reports',
    up(db) {
      db.exec(`
        -- A retry of another broadcast's failed recipients, or an explicit resend of its unknown ones.
        ALTER TABLE broadcasts ADD COLUMN kind TEXT NOT NULL DEFAULT 'original'
          CHECK (kind IN ('original', 'retry_failed', 'resend_unknown'));
        ALTER TABLE broadcasts ADD COLUMN origin_id TEXT REFERENCES broadcasts (id);
        CREATE INDEX broadcasts_by_origin ON broadcasts (origin_id, created_at DESC) WHERE origin_id IS NOT NULL;

        -- A finished broadcast's counters per channel, written once it reaches a final state (its recipients no
        -- longer change): the history list and the report read these instead of a million recipient rows.
        -- Links are per accepted recipient (DESIGN §4 Referral links): accepted × the links of the message.
        CREATE TABLE broadcast_totals (
          broadcast_id TEXT NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
          channel TEXT NOT NULL ${CHANNEL_CHECK},
          recipients INTEGER NOT NULL,
          accepted INTEGER NOT NULL,
          failed INTEGER NOT NULL,
          skipped INTEGER NOT NULL,
          unknown INTEGER NOT NULL,
          official_links INTEGER NOT NULL,
          other_links INTEGER NOT NULL,
          PRIMARY KEY (broadcast_id, channel)
        ) STRICT;

        -- The report of a finished broadcast to the platform (PUT /v1/broadcasts/{id}, idempotent by id): queued
        -- while offline, retried until accepted. The body is fixed when queued, so a retry is the same request.
        CREATE TABLE broadcast_reports (
          broadcast_id TEXT PRIMARY KEY NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
          body TEXT NOT NULL CHECK (json_valid(body)),
          state TEXT NOT NULL CHECK (state IN ('pending', 'reported')),
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,
          last_error TEXT,
          reported_at INTEGER,
          created_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX broadcast_reports_due ON broadcast_reports (state, next_attempt_at);
      `);
    },
  },
  {
    version: 6,
    name: 'LINE recipients travel inside their multicast batch until it is answered',
    up(db) {
      db.exec(`
        -- 1 while a LINE batch's recipients are packed in broadcast_batch_members instead of having
        -- broadcast_recipients rows: the snapshot is one row per 500 recipients (a 100,000-recipient broadcast is
        -- written in tens of milliseconds), and answering a batch is one small row write. The rows are written
        -- afterwards, in the recipients' final state, in the same transaction that clears packed and deletes the
        -- members: a recipient is in exactly one of the two places (the view broadcast_members reads the packed ones).
        ALTER TABLE broadcast_batches ADD COLUMN packed INTEGER NOT NULL DEFAULT 0 CHECK (packed IN (0, 1));
        ALTER TABLE broadcast_batches ADD COLUMN size INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0);
        -- The state the batch's recipients end in once it is answered or settled (its own state is then accepted or
        -- failed): accepted, failed, skipped or unknown, with the batch's reason. NULL while pending or in flight.
        ALTER TABLE broadcast_batches ADD COLUMN outcome TEXT
          CHECK (outcome IS NULL OR outcome IN ('accepted', 'failed', 'skipped', 'unknown'));

        -- The packed recipients, in request order, as JSON [[event_id, recipient_id, customer_name], …] (~32 kB a
        -- batch): a table of their own, so the batch row stays small and its state changes rewrite a few bytes, not
        -- the list. Written only by the engine through JSON.stringify (no json_valid CHECK: 6 MB re-parsed per
        -- 100,000 recipients).
        CREATE TABLE broadcast_batch_members (
          broadcast_id TEXT NOT NULL,
          batch_id TEXT NOT NULL,
          members TEXT NOT NULL,
          PRIMARY KEY (broadcast_id, batch_id),
          FOREIGN KEY (broadcast_id, batch_id) REFERENCES broadcast_batches (broadcast_id, batch_id) ON DELETE CASCADE
        ) STRICT;

        -- Batches written by version 5: their unanswered recipients move into the batch, answered ones stay rows.
        INSERT INTO broadcast_batch_members (broadcast_id, batch_id, members)
        SELECT t.broadcast_id, t.batch_id,
          (SELECT json_group_array(json_array(r.event_id, r.recipient_id, r.customer_name) ORDER BY r.rowid)
            FROM broadcast_recipients r WHERE r.broadcast_id = t.broadcast_id AND r.batch_id = t.batch_id
              AND r.state IN ('pending', 'in_flight'))
        FROM broadcast_batches t WHERE t.state IN ('pending', 'in_flight');
        UPDATE broadcast_batches SET packed = 1,
          size = (SELECT count(*) FROM broadcast_recipients r WHERE r.broadcast_id = broadcast_batches.broadcast_id
              AND r.batch_id = broadcast_batches.batch_id AND r.state IN ('pending', 'in_flight'))
        WHERE state IN ('pending', 'in_flight');
        DELETE FROM broadcast_recipients WHERE batch_id IS NOT NULL AND state IN ('pending', 'in_flight')
          AND EXISTS (SELECT 1 FROM broadcast_batches t WHERE t.broadcast_id = broadcast_recipients.broadcast_id
            AND t.batch_id = broadcast_recipients.batch_id AND t.state IN ('pending', 'in_flight'));
        UPDATE broadcast_batches SET size = (SELECT count(*) FROM broadcast_recipients r
            WHERE r.broadcast_id = broadcast_batches.broadcast_id AND r.batch_id = broadcast_batches.batch_id)
        WHERE state IN ('accepted', 'failed');
        -- Nothing looks recipients up by batch any more.
        DROP INDEX broadcast_recipients_by_batch;
        -- The batches whose recipients are still packed, per broadcast (empty for every finished broadcast).
        CREATE INDEX broadcast_batches_packed ON broadcast_batches (broadcast_id, seq) WHERE packed = 1;

        -- The packed recipients as rows, in the columns of broadcast_recipients (+ the batch's seq and the position in
        -- it, their order): pending or in flight with their batch, then the batch's outcome and reason.
        CREATE VIEW broadcast_members AS
        SELECT t.broadcast_id AS broadcast_id, m.value ->> 0 AS event_id, 'line' AS channel,
          t.channel_account AS channel_account, m.value ->> 1 AS recipient_id, m.value ->> 2 AS customer_name,
          CASE WHEN t.outcome IS NULL THEN t.state ELSE t.outcome END AS state,
          CASE WHEN t.outcome IS NULL THEN NULL ELSE t.reason END AS reason,
          t.batch_id AS batch_id, t.request_id AS request_id, NULL AS message_id, t.updated_at AS updated_at,
          t.seq AS seq, m.key AS position
        FROM broadcast_batches t
          JOIN broadcast_batch_members p ON p.broadcast_id = t.broadcast_id AND p.batch_id = t.batch_id,
          json_each(p.members) m
        WHERE t.packed = 1;
      `);
    },
  },
];

/** The schema version this build writes; a database with a higher user_version came from a newer build. */
export const SCHEMA_VERSION: number = migrations.at(-1)?.version ?? 0;

export function readUserVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function newerVersionError(file: string, found: number, known: number): StoreError {
  return new StoreError(
    'newer_version',
    `This database was written by a newer version of OMO Broadcast (schema ${found}; this version knows up to ` +
      `${known}). Update the app, or move the file aside: ${file}`,
  );
}

function checkNumbering(list: readonly Migration[]): void {
  list.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new StoreError(
        'migration_failed',
        `Migration "${migration.name}" has version ${migration.version}; expected ${index + 1} (no gaps, in order)`,
      );
    }
  });
}

/**
 * Brings `db` up to the last version of `list`: every pending migration and the new user_version in ONE immediate
 * transaction, so a crash or a failing migration leaves the previous schema exactly as it was. Returns the versions
 * applied. Exported with a `list` parameter so tests can inject a failing migration.
 */
export function applyMigrations(db: Database, list: readonly Migration[] = migrations): number[] {
  checkNumbering(list);
  const target = list.length;
  const run = db.transaction((): number[] => {
    // Read inside the write lock: another process may have migrated between our open and this transaction.
    const current = readUserVersion(db);
    if (current > target) throw newerVersionError(db.name, current, target);
    const pending = list.slice(current);
    for (const migration of pending) {
      try {
        migration.up(db);
      } catch (error) {
        throw new StoreError(
          'migration_failed',
          `Migration ${migration.version} ("${migration.name}") failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    }
    // A pragma cannot take a bound value; `target` is a checked integer (list length).
    if (pending.length > 0) db.pragma(`user_version = ${Math.trunc(target)}`);
    return pending.map((migration) => migration.version);
  });
  return run.immediate();
}

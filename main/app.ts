import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  type AppInfo,
  type AppMode,
  type Draft,
  type DraftSummary,
  type EventList,
  type EventName,
  type MethodName,
  type EventPayload,
  type Settings,
  type Transport,
  events as eventSchemas,
} from '../preload/contract';
import { type Clock, systemClock } from './clock';
import type { Logger } from './log';
import type { NetworkStatus } from './network';
import { AppFailure, type Dispatch, type Handlers, createDispatcher } from './rpc';
import { type Database, openDatabase } from './store/db';
import * as drafts from './store/drafts';
import * as settingsStore from './store/settings';
import { type Avatar, createAvatarCache } from './media/avatars';
import { buildEventList, packEventList, summarizeSelection } from './inbox/event-list';
import { createSyncEngine } from './inbox/sync';
import { startSandbox as startRealSandbox } from './sandbox/server';
import { createSessionManager } from './session';
import type { Vault } from './vault';
import { type StartSandbox, type WorkspaceManager, createWorkspaceManager } from './workspace';

export const APP_NAME = 'OMO Broadcast';
export const DATABASE_FILE = 'omo-broadcast.sqlite';

export interface AppDeps {
  /** The user-data folder: the database, media and logs live here. */
  dataDir: string;
  version: string;
  transport: Transport;
  vault: Vault;
  network: NetworkStatus;
  logger: Logger;
  clock?: Clock;
  platform?: string;
  /**
   * On a first start (no workspace chosen) the Electron app asks; the preview host opens the demo unless told
   * otherwise (`npm run preview -- --no-demo`).
   */
  defaultWorkspace?: 'ask' | 'demo';
  /** The demo's size (events); default the sandbox's own. */
  demoEvents?: number;
  /** Tests inject a sandbox of their own (seed, size, fake clock). */
  startSandbox?: StartSandbox;
}

export type PushListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface App {
  readonly handlers: Handlers;
  /** Validates and runs one contract call; never throws. */
  readonly dispatch: Dispatch;
  /** Push events for the transports to forward; returns the unsubscribe function. */
  subscribe(listener: PushListener): () => void;
  /** Settles when start-up work (the demo's sandbox) is done; never rejects (failures are logged and reported). */
  readonly ready: Promise<void>;
  /** The workspace in use (the demo's sandbox, for tests and the preview host). */
  readonly workspace: WorkspaceManager;
  /** Every secret main holds this run (tokens), for the logger to redact wherever they appear. */
  secretValues(): Iterable<string>;
  /** A customer's avatar, fetched once and cached by main; null when there is none (or it cannot be had offline). */
  avatar(eventId: string): Promise<Avatar | null>;
  /** Stops timers, the demo's sandbox, and closes the database (synchronously). Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_SETTINGS: Settings = { language: 'zh-TW' };

/**
 * Methods whose output is not re-checked against the contract on every call: the event list is 100,000 rows built
 * by main's own code from STRICT tables, and checking it costs more than building it. Tests check it instead
 * (test/integration/sync.test.ts parses buildEventList's output with the contract's schema).
 */
const TRUSTED_OUTPUTS: ReadonlySet<MethodName> = new Set<MethodName>(['events.list']);

function titleOf(text: string): string {
  const line = text.split(/\r?\n/).find((candidate) => candidate.trim().length > 0) ?? '';
  const trimmed = line.trim();
  return trimmed.length > 80 ? `${trimmed.slice(0, 79)}…` : trimmed;
}

/** Wires the modules of main and implements the contract. Runs in plain Node: Electron reaches it only by `deps`. */
export function createApp(deps: AppDeps): App {
  const clock = deps.clock ?? systemClock;
  mkdirSync(deps.dataDir, { recursive: true });
  const db: Database = openDatabase(path.join(deps.dataDir, DATABASE_FILE), { logger: deps.logger });
  const listeners = new Set<PushListener>();
  let closed = false;

  const emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    // Push payloads are checked like method outputs: a drift is a bug, logged rather than sent.
    const checked = eventSchemas[event].safeParse(payload);
    if (!checked.success) {
      deps.logger.error('push event broke the contract', { event });
      return;
    }
    for (const listener of listeners) listener(event, payload);
  };

  const workspace = createWorkspaceManager({
    db,
    logger: deps.logger,
    startSandbox: deps.startSandbox ?? ((options) => startRealSandbox(options)),
    ...(deps.demoEvents === undefined ? {} : { demoEvents: deps.demoEvents }),
    onChange: (info) => {
      emit('workspace.changed', info);
      emit('app.status', { mode: mode(), online: deps.network.isOnline() });
    },
  });

  // The demo runs on loopback, so it works offline; a real workspace is offline without a network.
  const mode = (): AppMode => {
    switch (workspace.kind()) {
      case 'none':
        return 'setup';
      case 'demo':
        return 'demo';
      case 'remote':
        return deps.network.isOnline() ? 'connected' : 'offline';
    }
  };
  const unsubscribeNetwork = deps.network.subscribe((online) => emit('app.status', { mode: mode(), online }));

  const session = createSessionManager({
    db,
    vault: deps.vault,
    logger: deps.logger,
    clock,
    network: deps.network,
    workspace,
    onChange: (info) => {
      emit('session.changed', info);
      emit('app.status', { mode: mode(), online: deps.network.isOnline() });
    },
  });

  // The demo's Inbox (and its avatars) is the sandbox on loopback: it answers with or without a network.
  const workspaceNetwork: NetworkStatus = {
    isOnline: () => workspace.kind() === 'demo' || deps.network.isOnline(),
    subscribe: (listener) => deps.network.subscribe(listener),
  };
  const sync = createSyncEngine({
    db,
    logger: deps.logger,
    clock,
    network: workspaceNetwork,
    client: () => session.client(),
    onStatus: (status) => emit('sync.status', status),
    onEventsChanged: (version) => emit('events.changed', { version }),
    onUnauthorized: () => session.markExpired(),
  });

  const avatars = createAvatarCache({
    db,
    dir: path.join(deps.dataDir, 'media', 'avatars'),
    logger: deps.logger,
    network: workspaceNetwork,
  });

  const ready = (async () => {
    try {
      if (workspace.kind() === 'none' && deps.defaultWorkspace === 'demo') await workspace.useDemo();
      else await workspace.resume();
    } catch {
      // Already logged and reported through the workspace's state; the app stays usable (drafts work offline).
    }
    try {
      await session.resume();
    } catch (error) {
      deps.logger.warn('session could not resume', { error });
    }
    if (session.info().signedIn) sync.start();
  })();

  const readSettings = (): Settings => {
    const stored = settingsStore.getAllSettings(db);
    const language = stored.language === 'en' || stored.language === 'zh-TW' ? stored.language : DEFAULT_SETTINGS.language;
    return { language };
  };

  const toDraft = (row: drafts.DraftRow): Draft => ({
    id: row.id,
    text: row.text,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });

  let eventListCache: EventList | null = null;

  const handlers: Handlers = {
    'app.info': (): AppInfo => ({
      name: APP_NAME,
      version: deps.version,
      mode: mode(),
      online: deps.network.isOnline(),
      dataDir: deps.dataDir,
      transport: deps.transport,
      platform: deps.platform ?? process.platform,
    }),
    'settings.get': () => readSettings(),
    'settings.set': (patch) => {
      const entries: Array<[string, string]> = [];
      if (patch.language !== undefined) entries.push(['language', patch.language]);
      settingsStore.setSettings(db, entries, clock.now());
      const next = readSettings();
      emit('settings.changed', next);
      return next;
    },
    'drafts.list': (): DraftSummary[] =>
      drafts.listDrafts(db).map((row) => ({
        id: row.id,
        title: titleOf(row.text),
        length: row.text.length,
        updatedAt: row.updatedAt,
      })),
    'drafts.get': ({ id }) => {
      const row = drafts.getDraft(db, id);
      if (!row) throw new AppFailure('not_found', `No draft ${id}`);
      return toDraft(row);
    },
    'drafts.save': ({ id, text }) => {
      const now = clock.now();
      let row: drafts.DraftRow;
      if (id === undefined) {
        row = { id: randomUUID(), text, createdAt: now, updatedAt: now };
        drafts.insertDraft(db, row);
      } else {
        const updated = drafts.updateDraftText(db, id, text, now);
        if (!updated) throw new AppFailure('not_found', `No draft ${id}`);
        row = updated;
      }
      emit('drafts.changed', { ids: [row.id] });
      return toDraft(row);
    },
    'drafts.delete': ({ id }) => {
      const deleted = drafts.deleteDraft(db, id);
      if (deleted) emit('drafts.changed', { ids: [id] });
      return { deleted };
    },
    'workspace.get': () => workspace.info(),
    'workspace.useDemo': () => workspace.useDemo(),
    'session.get': () => session.info(),
    'session.signIn': async (input) => {
      const before = session.identity();
      const info = await session.signIn(input);
      // Another account or workspace starts from an empty cache: nobody sees another's customers. The same account
      // signing in again after its token expired keeps its cache.
      if (session.identity() !== before) {
        sync.wipe();
        avatars.clear();
      }
      sync.start();
      return info;
    },
    'session.signOut': async () => {
      sync.stop();
      const info = await session.signOut();
      sync.wipe();
      avatars.clear();
      return info;
    },
    'events.list': () => {
      // Built and packed once per cache version: a reload or a second window gets the same 100,000 rows without a new
      // query. Packed (see the contract's PackedEventColumns), the list is about a third of its plain JSON.
      const version = sync.version();
      const lastSyncedAt = sync.status().lastSyncedAt;
      if (eventListCache?.version !== version || eventListCache.lastSyncedAt !== lastSyncedAt) {
        const started = performance.now();
        eventListCache = packEventList(buildEventList(db, { lastSyncedAt, version }));
        deps.logger.info('event list built', { version, rows: eventListCache.rows.ids.length, ms: Math.round(performance.now() - started) });
      }
      return eventListCache;
    },
    'events.sync': () => sync.syncNow(),
    'events.syncStatus': () => sync.status(),
    'broadcast.summarize': ({ eventIds }) => {
      session.assertCanBroadcast();
      return summarizeSelection(db, eventIds);
    },
  };

  return {
    handlers,
    dispatch: createDispatcher(handlers, deps.logger, { trustedOutputs: TRUSTED_OUTPUTS }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ready,
    workspace,
    avatar: (eventId) => avatars.get(eventId),
    secretValues: () => session.secretValues(),
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      sync.stop();
      session.close();
      unsubscribeNetwork();
      listeners.clear();
      const stopping = workspace.close();
      db.close();
      return stopping;
    },
  };
}

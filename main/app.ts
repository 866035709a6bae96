import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  type AppInfo,
  type AppMode,
  type Draft,
  type DraftSummary,
  type EventName,
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
import type { Vault } from './vault';

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
}

export type PushListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface App {
  readonly handlers: Handlers;
  /** Validates and runs one contract call; never throws. */
  readonly dispatch: Dispatch;
  /** Push events for the transports to forward; returns the unsubscribe function. */
  subscribe(listener: PushListener): () => void;
  /** Stops timers and closes the database. Safe to call twice. */
  close(): void;
}

const DEFAULT_SETTINGS: Settings = { language: 'zh-TW' };

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

  // Until sign-in exists (issue 4) the app runs the demo workspace; without a network it says so.
  const mode = (): AppMode => (deps.network.isOnline() ? 'demo' : 'offline');
  const unsubscribeNetwork = deps.network.subscribe((online) => emit('app.status', { mode: mode(), online }));

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
  };

  return {
    handlers,
    dispatch: createDispatcher(handlers, deps.logger),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      unsubscribeNetwork();
      listeners.clear();
      db.close();
    },
  };
}

import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  type AppInfo,
  type AppMode,
  type Draft,
  type DraftHead,
  type DraftImage,
  type DraftSummary,
  type EventList,
  type EventName,
  type MethodName,
  type EventPayload,
  FINAL_BROADCAST_STATES,
  type Language,
  type Settings,
  type Transport,
  type WhatsAppDraft,
  EMPTY_WHATSAPP_DRAFT,
  WhatsAppDraft as WhatsAppDraftSchema,
  events as eventSchemas,
} from '../preload/contract';
import { type ImageFile, type ImageStore, createImageStore } from './compose/images';
import { checkDraft } from './compose/check';
import { createTemplateCache } from './compose/templates';
import { createPlanner } from './compose/plan';
import { BroadcastContentSchema, type Outbox, type OutboxOptions, createOutbox } from './outbox';
import { type Clock, systemClock } from './clock';
import type { Logger } from './log';
import type { NetworkStatus } from './network';
import { AppFailure, type Dispatch, type Handlers, createDispatcher } from './rpc';
import { type Database, openDatabase } from './store/db';
import { finishedWithoutReport, getBroadcast, getBroadcastOrigin, summarizeProblems } from './store/broadcasts';
import { createPlatformReporter, createReports } from './reports';
import { mergeReportRows, sumCounters } from './reports/merge';
import * as drafts from './store/drafts';
import * as settingsStore from './store/settings';
import { type Avatar, createAvatarCache } from './media/avatars';
import { type SelectionBreakdown, breakdownSelection, buildEventList, packEventList, summarizeSelection } from './inbox/event-list';
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
  /** The send engine's rates and timeouts (tests and benchmarks); defaults are LINE's and WhatsApp's real limits. */
  outbox?: OutboxOptions;
  /** The send engine's trace hook (OutboxDeps.trace): crash tests and benchmarks observe or stop at its named points. */
  outboxTrace?: (point: string, detail: Record<string, unknown>) => void;
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
  /** A composed image's variant the renderer may show ('thumb' or 'preview'); null when it is not stored. */
  image(sha256: string, variant: string): Promise<ImageFile | null>;
  /** The composed images (for the send engine and tests). */
  readonly images: ImageStore;
  /** The send engine (tests; the Electron shell asks it whether a send is under way before closing). */
  readonly outbox: Outbox;
  /** The UI language the user chose (for main's own dialogs). */
  language(): Language;
  /** Stops the sync and the send engine (in-flight requests finish, bounded), the demo's sandbox, then closes the database. Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_SETTINGS: Settings = { language: 'zh-TW' };

/**
 * Methods whose output is not re-checked against the contract on every call: the event list is 100,000 rows built
 * by main's own code from STRICT tables, and checking it costs more than building it. Tests check it instead
 * (test/integration/sync.test.ts parses buildEventList's output with the contract's schema).
 */
const TRUSTED_OUTPUTS: ReadonlySet<MethodName> = new Set<MethodName>(['events.list']);

/** Images no draft or broadcast refers to are removed after this long (a fresh import is not yet in a draft). */
const IMAGE_GRACE_MS = 60 * 60_000;
/** LINE's multicast limit per channel and WhatsApp's default throughput per number (the engine paces just under). */
const LINE_MULTICAST_PER_SECOND = 200;
const WHATSAPP_MESSAGES_PER_SECOND = 80;
const SHOWN_IMAGE_VARIANTS: ReadonlySet<string> = new Set(['thumb', 'preview']);
/** Base64 as both transports carry it: the alphabet, then at most two '='. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Disk data: a draft's template part, read defensively (an unreadable one starts empty rather than break the draft). */
function parseWhatsApp(raw: string | null): WhatsAppDraft {
  if (raw === null) return EMPTY_WHATSAPP_DRAFT;
  try {
    const parsed = WhatsAppDraftSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : EMPTY_WHATSAPP_DRAFT;
  } catch {
    return EMPTY_WHATSAPP_DRAFT;
  }
}

function parseSelection(raw: string | null): string[] | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : null;
  } catch {
    return null;
  }
}

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
  let closing: Promise<void> | null = null;

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

  const images = createImageStore({ db, dir: path.join(deps.dataDir, 'media', 'images'), clock, logger: deps.logger });
  const templates = createTemplateCache({ db, clock, logger: deps.logger });

  const reports = createReports({ db, clock, logger: deps.logger, live: (id) => outbox.progress(id) });
  const reporter = createPlatformReporter({ db, clock, logger: deps.logger, network: workspaceNetwork, client: () => session.client() });

  /**
   * A broadcast that reached its final state with nothing in flight: its per-channel totals are written (the history
   * and the report read them) and its report to the platform is queued, once (the reporter ignores a second queueing).
   */
  const settleFinished = (id: string): void => {
    try {
      const totals = reports.recordTotals(id);
      const row = getBroadcast(db, id);
      if (row === undefined) return;
      const channels: { line?: { messages: number; officialLinks: number; otherLinks: number }; whatsapp?: { messages: number; officialLinks: number; otherLinks: number } } = {};
      for (const total of totals) channels[total.channel] = { messages: total.accepted, officialLinks: total.officialLinks, otherLinks: total.otherLinks };
      const counters = Object.values(channels);
      reporter.enqueue(id, {
        senderId: row.createdBy,
        sentAt: row.startedAt ?? row.createdAt,
        channels,
        totals: sumCounters(counters.map((counter) => ({ messages: counter.messages, officialLinks: counter.officialLinks, otherLinks: counter.otherLinks }))),
      });
    } catch (error) {
      // A cancel's sweep or its last in-flight answers still settling: the settled final progress comes later.
      if (error instanceof AppFailure && error.code === 'broadcast_active') return;
      deps.logger.error('finished broadcast could not be settled', { broadcastId: id, error });
    }
  };

  /** LINE image URLs on plain http are accepted only from a loopback Inbox (the demo's sandbox, a local one). */
  const insecureMediaOrigin = (): string | null => {
    const url = session.info().inboxUrl;
    return url !== null && url.startsWith('http:') ? new URL(url).origin : null;
  };
  const outbox = createOutbox({
    db,
    clock,
    logger: deps.logger,
    network: workspaceNetwork,
    credentials: () => session.channelCredentials(),
    inbox: () => session.client(),
    images,
    onProgress: (progress) => {
      emit('broadcast.progress', progress);
      if (FINAL_BROADCAST_STATES.includes(progress.state) && progress.counts.inFlight === 0 && progress.counts.pending === 0) {
        settleFinished(progress.id);
      }
    },
    options: { ...deps.outbox, insecureMediaOrigin },
    ...(deps.outboxTrace === undefined ? {} : { trace: deps.outboxTrace }),
  });

  const ready = (async () => {
    // Nothing is importing yet: every unreferenced image (a crash mid-import, a deleted draft's) can go.
    await images.collect({ graceMs: 0 });
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
    // Broadcasts a crash or a quit interrupted carry on (WhatsApp requests in flight at the crash become unknown).
    if (!closed) {
      outbox.start();
      reports.backfillTotals();
      for (const id of finishedWithoutReport(db)) settleFinished(id);
      reporter.start();
    }
  })();

  const readSettings = (): Settings => {
    const stored = settingsStore.getAllSettings(db);
    const language = stored.language === 'en' || stored.language === 'zh-TW' ? stored.language : DEFAULT_SETTINGS.language;
    return { language };
  };

  /** Removing unreferenced images waits for a quiet moment: one sweep a few seconds after the last change. */
  let collectTimer: NodeJS.Timeout | null = null;
  const collectSoon = (): void => {
    if (collectTimer !== null || closed) return;
    collectTimer = setTimeout(() => {
      collectTimer = null;
      void images.collect({ graceMs: IMAGE_GRACE_MS });
    }, 5_000);
    collectTimer.unref();
  };

  const imageOf = (row: drafts.DraftRow): DraftImage | null => {
    if (row.imageSha256 === null) return null;
    const image = images.get(row.imageSha256);
    return image === null ? null : { sha256: row.imageSha256, name: row.imageName ?? '', image };
  };

  const toDraftHead = (row: drafts.DraftRow): DraftHead => {
    const selection = parseSelection(row.selection);
    return {
      id: row.id,
      text: row.text,
      image: imageOf(row),
      whatsapp: parseWhatsApp(row.whatsapp),
      selectionCount: selection === null ? null : selection.length,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  };

  const toDraft = (row: drafts.DraftRow): Draft => ({ ...toDraftHead(row), selection: parseSelection(row.selection) });

  const existingDraft = (id: string): drafts.DraftRow => {
    const row = drafts.getDraft(db, id);
    if (!row) throw new AppFailure('not_found', `No draft ${id}`);
    return row;
  };

  /** The Inbox's numbers whose templates the composer offers: the signed-in workspace's. */
  const whatsappNumbers = () => session.channelCredentials()?.whatsapp ?? [];

  /**
   * compose.check runs after every autosave; a 100,000-event selection is looked up once per (draft, selection,
   * cache version), not per keystroke.
   */
  let breakdownCache: { draftId: string; selection: string; version: number; breakdown: SelectionBreakdown } | null = null;
  const breakdownOf = (row: drafts.DraftRow): SelectionBreakdown | null => {
    if (row.selection === null) return null;
    const version = sync.version();
    if (breakdownCache?.draftId === row.id && breakdownCache.version === version && breakdownCache.selection === row.selection) {
      return breakdownCache.breakdown;
    }
    const breakdown = breakdownSelection(db, parseSelection(row.selection) ?? []);
    breakdownCache = { draftId: row.id, selection: row.selection, version, breakdown };
    return breakdown;
  };

  const checkOf = (row: drafts.DraftRow) =>
    checkDraft({
      draft: {
        id: row.id,
        text: row.text,
        updatedAt: row.updatedAt,
        image: row.imageSha256 === null ? null : { sha256: row.imageSha256 },
        whatsapp: parseWhatsApp(row.whatsapp),
      },
      imageStored: row.imageSha256 === null || images.get(row.imageSha256) !== null,
      selection: breakdownOf(row),
      catalog: templates.catalog(whatsappNumbers()),
      settings: session.workspaceSettings(),
      senderId: session.info().user?.id ?? null,
    });

  const rates = {
    linePerSecond: deps.outbox?.linePerSecond ?? LINE_MULTICAST_PER_SECOND,
    whatsappPerSecond: deps.outbox?.whatsappPerSecond ?? WHATSAPP_MESSAGES_PER_SECOND,
  };
  const planner = createPlanner({
    db,
    clock,
    logger: deps.logger,
    session,
    draft: existingDraft,
    check: (id) => checkOf(existingDraft(id)),
    catalog: () => templates.catalog(whatsappNumbers()),
    parseWhatsApp,
    imageFormat: (sha256) => images.get(sha256)?.format ?? null,
    origin: (id) => {
      const row = getBroadcastOrigin(db, id);
      if (row === undefined) return null;
      try {
        const content = BroadcastContentSchema.safeParse(JSON.parse(row.content));
        return content.success ? { state: row.state, draftId: row.draftId, content: content.data } : null;
      } catch {
        return null;
      }
    },
    rates,
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
        imageSha256: row.imageSha256,
        templates: [
          ...new Set(
            parseWhatsApp(row.whatsapp).numbers.flatMap((number) => (number.template === null ? [] : [number.template.name])),
          ),
        ],
        selectionCount: row.selectionCount,
        updatedAt: row.updatedAt,
      })),
    'drafts.get': ({ id }) => toDraft(existingDraft(id)),
    'drafts.save': ({ id, text, image, whatsapp, selection }) => {
      // The image must be one main stored: a draft never points at a file that is not there.
      if (image !== undefined && image !== null && images.get(image.sha256) === null) {
        throw new AppFailure('not_found', `No stored image ${image.sha256}; import it first`);
      }
      const now = clock.now();
      const patch: drafts.DraftPatch = {
        ...(text === undefined ? {} : { text }),
        ...(image === undefined ? {} : { image }),
        ...(whatsapp === undefined ? {} : { whatsapp: JSON.stringify(whatsapp) }),
        ...(selection === undefined ? {} : { selection: selection === null ? null : JSON.stringify([...new Set(selection)]) }),
      };
      let row: drafts.DraftRow;
      if (id === undefined) {
        row = {
          id: randomUUID(),
          text: patch.text ?? '',
          imageSha256: patch.image?.sha256 ?? null,
          imageName: patch.image?.name ?? null,
          whatsapp: patch.whatsapp ?? null,
          selection: patch.selection ?? null,
          createdAt: now,
          updatedAt: now,
        };
        drafts.insertDraft(db, row);
      } else {
        const updated = drafts.patchDraft(db, id, patch, now);
        if (!updated) throw new AppFailure('not_found', `No draft ${id}`);
        row = updated;
      }
      if (image !== undefined) collectSoon();
      emit('drafts.changed', { ids: [row.id] });
      return toDraftHead(row);
    },
    'drafts.delete': ({ id }) => {
      const deleted = drafts.deleteDraft(db, id);
      if (deleted) {
        emit('drafts.changed', { ids: [id] });
        collectSoon();
      }
      return { deleted };
    },
    'drafts.duplicate': ({ id }) => {
      const source = existingDraft(id);
      const now = clock.now();
      const copy: drafts.DraftRow = { ...source, id: randomUUID(), createdAt: now, updatedAt: now };
      drafts.insertDraft(db, copy);
      emit('drafts.changed', { ids: [copy.id] });
      return toDraftHead(copy);
    },
    'compose.importImage': ({ data }) => {
      if (!BASE64.test(data)) throw new AppFailure('invalid_input', 'The image data is not base64');
      return images.importImage(Buffer.from(data, 'base64'));
    },
    'compose.templates': async ({ refresh }) => {
      session.assertCanBroadcast();
      const numbers = whatsappNumbers();
      return refresh && workspaceNetwork.isOnline() ? templates.refresh(numbers) : templates.catalog(numbers);
    },
    'compose.check': ({ id }) => checkOf(existingDraft(id)),
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
        templates.clear();
      }
      sync.start();
      reporter.kick();
      return info;
    },
    'session.signOut': async () => {
      sync.stop();
      const info = await session.signOut();
      sync.wipe();
      avatars.clear();
      templates.clear();
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
    'broadcast.prepare': ({ draftId }) => planner.prepare(draftId),
    'broadcast.send': async ({ planId, fit }) => {
      const snapshot = planner.take(planId, fit);
      // The snapshot (content, recipients, LINE batches and their retry keys) is complete on disk before this answers.
      const progress = await outbox.enqueue(snapshot);
      if (snapshot.content.image !== null) collectSoon();
      return progress;
    },
    'broadcast.pause': ({ id }) => {
      session.assertCanBroadcast();
      return outbox.pause(id);
    },
    'broadcast.resume': ({ id }) => {
      session.assertCanBroadcast();
      return outbox.resume(id);
    },
    'broadcast.cancel': ({ id }) => {
      session.assertCanBroadcast();
      return outbox.cancel(id);
    },
    'broadcast.get': ({ id }) => {
      const progress = outbox.progress(id);
      if (progress === null) throw new AppFailure('not_found', `No broadcast ${id}`);
      return progress;
    },
    'broadcast.active': () => outbox.active(),
    'broadcast.problems': ({ id }) => {
      if (outbox.progress(id) === null) throw new AppFailure('not_found', `No broadcast ${id}`);
      return summarizeProblems(db, id);
    },
    'broadcast.retryFailed': ({ id }) => planner.prepareRetry(id, 'retry_failed'),
    'broadcast.resendUnknown': ({ id }) => planner.prepareRetry(id, 'resend_unknown'),
    'history.list': (query) => reports.list(query),
    'history.get': ({ id }) => reports.get(id, reporter.sync(id)),
    'history.recipients': (query) => reports.recipients(query),
    'history.export': ({ id }) => reports.exportCsv(id, readSettings().language),
    'report.get': async (query) => {
      // The platform knows every sender's reported broadcasts (a manager's store); this computer adds those it has not
      // reported yet. Offline, or when the platform does not answer, this computer's own numbers.
      const pendingReports = reporter.pendingCount();
      const platformRows = session.info().signedIn && workspaceNetwork.isOnline() ? await reporter.fetchReport(query) : null;
      if (platformRows === null) return { from: query.from, to: query.to, ...reports.report(query), source: 'local' as const, pendingReports };
      const unreported = reports.report(query, { unreportedOnly: true });
      const rows = mergeReportRows(platformRows, unreported.rows);
      return { from: query.from, to: query.to, rows, totals: sumCounters(rows), source: 'platform' as const, pendingReports };
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
    outbox,
    language: () => readSettings().language,
    image: (sha256, variant) => (SHOWN_IMAGE_VARIANTS.has(variant) ? images.read(sha256, variant === 'thumb' ? 'thumb' : 'preview') : Promise.resolve(null)),
    images,
    secretValues: () => session.secretValues(),
    close() {
      if (closing !== null) return closing;
      closed = true;
      if (collectTimer !== null) clearTimeout(collectTimer);
      sync.stop();
      closing = (async () => {
        // Requests in flight get their answers written (bounded by the engine), so fewer end up unknown.
        await Promise.all([outbox.stop(), reporter.stop()]);
        session.close();
        unsubscribeNetwork();
        listeners.clear();
        const stopping = workspace.close();
        db.close();
        await stopping;
      })();
      return closing;
    },
  };
}

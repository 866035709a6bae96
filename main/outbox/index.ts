/**
 * The durable send engine (DESIGN §4 Delivery semantics): main/app.ts creates one with createOutbox, calls start()
 * once at start-up and stop() before closing the database.
 */
export { DEFAULT_OPTIONS, createOutbox } from './engine';
export type { BroadcastContent, Outbox, OutboxDeps, OutboxOptions, OutboxSnapshot, SnapshotRecipient } from './types';
export { BroadcastContentSchema, OutboxSnapshotSchema } from './types';
export { buildRecipientMessage } from './whatsapp';
export { Lane, Pacer, Semaphore, backoffDelay, realSleep, type BackoffPolicy, type Sleep } from './timing';

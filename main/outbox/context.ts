import type { messagingApi } from '@line/bot-sdk';
import type { BroadcastProgress } from '../../preload/contract';
import type { GraphClient } from '../channels/whatsapp/client';
import type { Clock } from '../clock';
import type { ImageStore } from '../compose/images';
import type { InboxClient } from '../inbox/client';
import type { Logger } from '../log';
import type { NetworkStatus } from '../network';
import type { ChannelCredentials, LineCredentials, WhatsAppCredentials } from '../session';
import type { Database } from '../store/db';
import type { BackoffPolicy, Lane, Sleep } from './timing';

export interface ResolvedOptions {
  linePerSecond: number;
  whatsappPerSecond: number;
  requestTimeoutMs: number;
  lineConcurrency: number;
  whatsappConcurrency: number;
  backoff: BackoffPolicy;
  insecureMediaOrigin: () => string | null;
  stopTimeoutMs: number;
}

/** What every broadcast run shares: the dependencies, the options, and the per-account lanes and clients. */
export interface EngineContext {
  readonly db: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly network: NetworkStatus;
  readonly images: ImageStore;
  readonly options: ResolvedOptions;
  readonly sleep: Sleep;
  readonly random: () => number;
  credentials(): ChannelCredentials | null;
  inbox(): InboxClient | null;
  trace(point: string, detail: Record<string, unknown>): void;
  emit(progress: BroadcastProgress): void;
  lineLane(channelId: string): Lane;
  whatsappLane(phoneNumberId: string): Lane;
  lineClient(channel: LineCredentials): messagingApi.MessagingApiClient;
  graphClient(number: WhatsAppCredentials): GraphClient;
  backoff(attempt: number): number;
  /** The broadcast's answered LINE batches get their recipient rows, in the background (after it is final). */
  writeRows(broadcastId: string): void;
}

/** Lets the event loop breathe between chunks of a long sweep. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** LINE remembers a retry key for 24 h from its first attempt; an unanswered batch is retried only well inside that. */
export const LINE_KEY_SAFE_MS = 23 * 60 * 60 * 1000;

/**
 * Rows changed per transaction in sweeps (cancel, expiry, a stopped part), with a turn of the event loop between:
 * ~5 ms each on a slow laptop, so a 100,000-recipient cancel never freezes the window.
 */
export const SWEEP_CHUNK = 500;

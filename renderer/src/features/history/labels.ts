import type { TFunction } from 'i18next';
import type { BroadcastKind, BroadcastState, RecipientState } from '../../../../preload/contract';
import type { BadgeTone } from '../../components/Badge';
import type { HistoryFilters } from '../../store';
import { isSkipReason, skipReasonLabel } from '../broadcast/labels';
import { problemReasonWords, type ReasonWords } from '../broadcast/reasons';

const RECIPIENT_STATE_KEYS: Readonly<Record<RecipientState, `history.recipients.states.${RecipientState}`>> = {
  pending: 'history.recipients.states.pending',
  in_flight: 'history.recipients.states.in_flight',
  accepted: 'history.recipients.states.accepted',
  failed: 'history.recipients.states.failed',
  skipped: 'history.recipients.states.skipped',
  unknown: 'history.recipients.states.unknown',
};

export const RECIPIENT_STATES = Object.keys(RECIPIENT_STATE_KEYS) as RecipientState[];

export function recipientStateLabel(t: TFunction, state: RecipientState): string {
  return t(RECIPIENT_STATE_KEYS[state]);
}

type StateFilter = HistoryFilters['state'];

const STATE_FILTER_KEYS: Readonly<Record<StateFilter, `history.filters.states.${StateFilter}`>> = {
  all: 'history.filters.states.all',
  active: 'history.filters.states.active',
  completed: 'history.filters.states.completed',
  failures: 'history.filters.states.failures',
  cancelled: 'history.filters.states.cancelled',
  expired: 'history.filters.states.expired',
};

/** 全部 / 傳送中 / 已完成 / 部分失敗 / 已取消 / 已過期, in that order. */
export const STATE_FILTERS = Object.keys(STATE_FILTER_KEYS) as StateFilter[];

export function isStateFilter(value: string): value is StateFilter {
  return Object.hasOwn(STATE_FILTER_KEYS, value);
}

export function stateFilterLabel(t: TFunction, filter: StateFilter): string {
  return t(STATE_FILTER_KEYS[filter]);
}

export function kindLabel(t: TFunction, kind: Exclude<BroadcastKind, 'original'>): string {
  return t(kind === 'retry_failed' ? 'history.kinds.retry_failed' : 'history.kinds.resend_unknown');
}

/** How a broadcast's state looks: going (accent), waiting (warning), fine (accent), short (danger), stopped (neutral). */
const STATE_TONES: Readonly<Record<BroadcastState, BadgeTone>> = {
  queued: 'accent',
  sending: 'accent',
  paused: 'warning',
  waiting_for_network: 'warning',
  completed: 'accent',
  completed_with_failures: 'danger',
  cancelled: 'neutral',
  expired: 'neutral',
};

export function stateTone(state: BroadcastState): BadgeTone {
  return STATE_TONES[state];
}

/**
 * A recipient's reason in plain words: a skip reason (not in progress, over quota…), or a failure or unknown
 * reason (LINE's and WhatsApp's answers); null without one.
 */
export function recipientReasonWords(t: TFunction, reason: string | null): ReasonWords | null {
  if (reason === null || reason === '') return null;
  if (isSkipReason(reason)) return { text: skipReasonLabel(t, reason), known: true };
  return problemReasonWords(t, reason);
}

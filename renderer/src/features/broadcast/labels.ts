import type { TFunction } from 'i18next';
import type { BroadcastNote, BroadcastState, ErrorCode, SkipReason } from '../../../../preload/contract';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { durationWords } from './model';

/** Every skip reason of the contract, mapped to its words. Record<SkipReason,…>: a new reason fails to compile. */
const SKIP_REASON_KEYS: Readonly<Record<SkipReason, `broadcast.skipReasons.${SkipReason}`>> = {
  not_in_progress: 'broadcast.skipReasons.not_in_progress',
  not_found: 'broadcast.skipReasons.not_found',
  reassigned: 'broadcast.skipReasons.reassigned',
  duplicate: 'broadcast.skipReasons.duplicate',
  over_quota: 'broadcast.skipReasons.over_quota',
  over_allowance: 'broadcast.skipReasons.over_allowance',
  cancelled: 'broadcast.skipReasons.cancelled',
  expired: 'broadcast.skipReasons.expired',
};

const STATE_KEYS: Readonly<Record<BroadcastState, `broadcast.progress.states.${BroadcastState}`>> = {
  queued: 'broadcast.progress.states.queued',
  sending: 'broadcast.progress.states.sending',
  paused: 'broadcast.progress.states.paused',
  waiting_for_network: 'broadcast.progress.states.waiting_for_network',
  completed: 'broadcast.progress.states.completed',
  completed_with_failures: 'broadcast.progress.states.completed_with_failures',
  cancelled: 'broadcast.progress.states.cancelled',
  expired: 'broadcast.progress.states.expired',
};

const NOTE_KEYS: Readonly<Record<BroadcastNote, `broadcast.progress.notes.${BroadcastNote}`>> = {
  line_quota: 'broadcast.progress.notes.line_quota',
  waiting_for_network: 'broadcast.progress.notes.waiting_for_network',
  expired: 'broadcast.progress.notes.expired',
  cancelled: 'broadcast.progress.notes.cancelled',
  rate_limited: 'broadcast.progress.notes.rate_limited',
};

export function isSkipReason(code: string): code is SkipReason {
  return Object.hasOwn(SKIP_REASON_KEYS, code);
}

export function skipReasonLabel(t: TFunction, reason: SkipReason): string {
  return t(SKIP_REASON_KEYS[reason]);
}

export function stateLabel(t: TFunction, state: BroadcastState): string {
  return t(STATE_KEYS[state]);
}

export function noteMessage(t: TFunction, note: BroadcastNote): string {
  return t(NOTE_KEYS[note]);
}

/** "約 3 分鐘" / "about 3 minutes". */
export function durationText(t: TFunction, seconds: number): string {
  const words = durationWords(seconds);
  switch (words.unit) {
    case 'underSecond':
      return t('broadcast.duration.underSecond');
    case 'seconds':
      return t('broadcast.duration.seconds', { count: words.n, n: words.n });
    case 'minutes':
      return t('broadcast.duration.minutes', { count: words.n, n: words.n });
    case 'hours':
      return t('broadcast.duration.hours', { count: words.n, n: words.n });
    case 'hoursMinutes':
      return t('broadcast.duration.hoursMinutes', { hours: words.hours, minutes: words.minutes });
  }
}

/** Why the confirmation could not be made: the Inbox API out of reach means the recipients cannot be re-checked. */
export function prepareErrorMessage(t: TFunction, code: ErrorCode): string {
  return code === 'unreachable' ? t('broadcast.confirm.unreachable') : t(ERROR_MESSAGE_KEYS[code]);
}

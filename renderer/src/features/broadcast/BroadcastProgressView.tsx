import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BroadcastProgress, BroadcastState, RecipientCounts } from '../../../../preload/contract';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Icon, type IconName } from '../../components/Icon';
import { formatDateTime, formatNumber } from '../../i18n/format';
import type { BroadcastAction, BroadcastProblemsState } from '../../store';
import { durationText, noteMessage, stateLabel } from './labels';
import { doneCount, isFinalState, percentDone, remainingCount } from './model';
import { SendProblems } from './SendProblems';

type Tone = 'active' | 'waiting' | 'good' | 'bad' | 'stopped';

const TONES: Readonly<Record<BroadcastState, { tone: Tone; icon: IconName }>> = {
  queued: { tone: 'active', icon: 'send' },
  sending: { tone: 'active', icon: 'send' },
  paused: { tone: 'waiting', icon: 'info' },
  waiting_for_network: { tone: 'waiting', icon: 'wifiOff' },
  completed: { tone: 'good', icon: 'check' },
  completed_with_failures: { tone: 'bad', icon: 'alert' },
  cancelled: { tone: 'stopped', icon: 'close' },
  expired: { tone: 'stopped', icon: 'alert' },
};

function channelTotal(counts: RecipientCounts): number {
  return counts.pending + counts.inFlight + counts.accepted + counts.failed + counts.skipped + counts.unknown;
}

export interface BroadcastProgressViewProps {
  progress: BroadcastProgress;
  busy: BroadcastAction | null;
  /** Already translated: why the last pause, resume or cancel was refused. */
  errorMessage: string | null;
  /** Why recipients failed or are unknown, for the end notice (null: not asked for). */
  problems: BroadcastProblemsState | null;
  onRetryProblems: () => void;
  onPause: () => void;
  onResume: () => void;
  /** Called once the user confirmed (this view asks first). */
  onCancel: () => void;
  onDismiss: () => void;
}

/**
 * One broadcast while main sends it: the state, a bar of accepted / failed / skipped / unknown, the counts, rate and
 * ETA, why it waits or stopped short, 暫停 / 繼續 / 取消發送; at the end, the outcome in words.
 */
export function BroadcastProgressView({
  progress,
  busy,
  errorMessage,
  problems,
  onRetryProblems,
  onPause,
  onResume,
  onCancel,
  onDismiss,
}: BroadcastProgressViewProps) {
  const { t, i18n } = useTranslation();
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const n = (value: number) => formatNumber(value, i18n.language);
  const { counts, state, total } = progress;
  const final = isFinalState(state);
  const done = doneCount(counts);
  const remaining = remainingCount(counts);
  const percent = percentDone(progress);
  const { tone, icon } = TONES[state];
  const share = (value: number) => (total === 0 ? 0 : (value * 100) / total);
  const canPause = state === 'sending' || state === 'queued' || state === 'waiting_for_network';
  // The final notice says how it ended; a note is repeated there only when it explains something more.
  const note = progress.note !== null && (!final || progress.note === 'line_quota') ? progress.note : null;

  const countRows = [
    { key: 'accepted', label: t('broadcast.progress.counts.accepted'), value: counts.accepted },
    { key: 'failed', label: t('broadcast.progress.counts.failed'), value: counts.failed },
    { key: 'skipped', label: t('broadcast.progress.counts.skipped'), value: counts.skipped },
    { key: 'unknown', label: t('broadcast.progress.counts.unknown'), value: counts.unknown },
    { key: 'remaining', label: t('broadcast.progress.counts.remaining'), value: remaining },
  ] as const;

  return (
    <section
      className={`card send-progress send-progress--${tone}`}
      data-testid="send-progress"
      data-state={state}
      data-broadcast-id={progress.id}
      aria-label={t('broadcast.progress.title')}
    >
      <div className="send-progress__head">
        <span className={`send-progress__state send-progress__state--${tone}`} data-testid="progress-state" aria-live="polite">
          <Icon name={icon} size={16} />
          {stateLabel(t, state)}
        </span>
        <span className="send-progress__figure">
          {t('broadcast.progress.barText', { done: n(done), total: n(total) })}
        </span>
      </div>

      <div
        className="progress"
        role="progressbar"
        data-testid="progress-bar"
        aria-label={t('broadcast.progress.barLabel')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}%・${t('broadcast.progress.barText', { done: n(done), total: n(total) })}`}
      >
        <span className="progress__part progress__part--accepted" style={{ width: `${share(counts.accepted)}%` }} />
        <span className="progress__part progress__part--failed" style={{ width: `${share(counts.failed)}%` }} />
        <span className="progress__part progress__part--unknown" style={{ width: `${share(counts.unknown)}%` }} />
        <span className="progress__part progress__part--skipped" style={{ width: `${share(counts.skipped)}%` }} />
      </div>

      <dl
        className="send-progress__counts"
        data-testid="progress-counts"
        data-accepted={counts.accepted}
        data-failed={counts.failed}
        data-skipped={counts.skipped}
        data-unknown={counts.unknown}
        data-pending={remaining}
      >
        {countRows.map((row) => (
          <div key={row.key} className={`send-progress__count send-progress__count--${row.key}`}>
            <dt>{row.label}</dt>
            <dd>{n(row.value)}</dd>
          </div>
        ))}
      </dl>

      <p className="send-progress__channels" data-testid="progress-channels">
        {channelTotal(progress.line) > 0 ? (
          <span>{t('broadcast.progress.channelLine', { accepted: n(progress.line.accepted), total: n(channelTotal(progress.line)) })}</span>
        ) : null}
        {channelTotal(progress.whatsapp) > 0 ? (
          <span>
            {t('broadcast.progress.channelWhatsApp', {
              accepted: n(progress.whatsapp.accepted),
              total: n(channelTotal(progress.whatsapp)),
            })}
          </span>
        ) : null}
      </p>

      {!final && state === 'sending' && progress.ratePerSecond > 0 ? (
        <p className="send-progress__rate" data-testid="progress-rate">
          <span>{t('broadcast.progress.rate', { rate: n(Math.round(progress.ratePerSecond * 10) / 10) })}</span>
          {progress.etaSeconds !== null ? (
            <span>{t('broadcast.progress.eta', { duration: durationText(t, progress.etaSeconds) })}</span>
          ) : null}
        </p>
      ) : null}

      {note ? (
        <p className={`send-progress__note send-progress__note--${note}`} data-testid="progress-note" data-note={note}>
          <Icon name={note === 'waiting_for_network' ? 'wifiOff' : 'info'} size={16} />
          {noteMessage(t, note)}
        </p>
      ) : null}

      {!final ? (
        <p className="send-progress__expiry">{t('broadcast.progress.expiresAt', { time: formatDateTime(progress.expiresAt, i18n.language) })}</p>
      ) : null}

      {errorMessage ? <Alert testId="progress-error" message={errorMessage} /> : null}

      {!final ? (
        <div className="send-progress__actions">
          {state === 'paused' ? (
            <Button size="sm" variant="primary" onClick={onResume} disabled={busy !== null} data-testid="progress-resume">
              {t('broadcast.progress.resume')}
            </Button>
          ) : (
            <Button size="sm" onClick={onPause} disabled={busy !== null || !canPause} data-testid="progress-pause">
              {t('broadcast.progress.pause')}
            </Button>
          )}
          <Button
            size="sm"
            variant="ghost"
            icon="close"
            onClick={() => setConfirmingCancel(true)}
            disabled={busy !== null}
            data-testid="progress-cancel"
          >
            {t('broadcast.progress.cancel')}
          </Button>
          {busy !== null ? <span className="mini-spinner" role="status" aria-label={t(`broadcast.progress.${busy}`)} /> : null}
        </div>
      ) : (
        <DoneNotice progress={progress} problems={problems} onRetryProblems={onRetryProblems} onDismiss={onDismiss} />
      )}

      {confirmingCancel && !final ? (
        <ConfirmDialog
          title={t('broadcast.progress.cancelTitle')}
          body={t('broadcast.progress.cancelBody')}
          confirmLabel={t('broadcast.progress.cancelConfirm')}
          cancelLabel={t('broadcast.progress.cancelKeep')}
          confirmIcon="close"
          confirmTestId="progress-cancel-confirm"
          onCancel={() => setConfirmingCancel(false)}
          onConfirm={() => {
            setConfirmingCancel(false);
            onCancel();
          }}
        />
      ) : null}
    </section>
  );
}

interface DoneNoticeProps {
  progress: BroadcastProgress;
  problems: BroadcastProblemsState | null;
  onRetryProblems: () => void;
  onDismiss: () => void;
}

function DoneNotice({ progress, problems, onRetryProblems, onDismiss }: DoneNoticeProps) {
  const { t, i18n } = useTranslation();
  const n = (value: number) => formatNumber(value, i18n.language);
  const { counts, state } = progress;
  const rest = progress.total - counts.accepted - counts.failed - counts.unknown;
  let outcome: string;
  switch (state) {
    case 'completed_with_failures':
      outcome = t('broadcast.done.completed_with_failures', { failed: n(counts.failed), accepted: n(counts.accepted) });
      break;
    case 'cancelled':
      outcome = t('broadcast.done.cancelled', { accepted: n(counts.accepted), rest: n(rest) });
      break;
    case 'expired':
      outcome = t('broadcast.done.expired', { accepted: n(counts.accepted), rest: n(rest) });
      break;
    default:
      outcome = t('broadcast.done.completed', { count: counts.accepted, accepted: n(counts.accepted) });
  }
  const good = state === 'completed' && counts.unknown === 0;
  return (
    <div
      className={`notice ${good ? 'notice--success' : 'notice--warning'} send-progress__done`}
      role="status"
      data-testid="send-done"
      data-outcome={state}
    >
      <Icon name={good ? 'check' : 'info'} size={18} className="notice__icon" />
      <div className="notice__text">
        <strong>{outcome}</strong>
        {counts.unknown > 0 ? <span data-testid="done-unknown">{t('broadcast.done.unknown', { n: n(counts.unknown) })}</span> : null}
        {problems && counts.failed + counts.unknown > 0 ? <SendProblems problems={problems} onRetry={onRetryProblems} /> : null}
      </div>
      <button type="button" className="icon-btn" aria-label={t('broadcast.done.dismiss')} onClick={onDismiss} data-testid="send-done-dismiss">
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}

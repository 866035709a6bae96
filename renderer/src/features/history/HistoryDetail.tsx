import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { BroadcastDetail, HistoryItem, RecipientCounts, ReportSync } from '../../../../preload/contract';
import { Alert } from '../../components/Alert';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Icon } from '../../components/Icon';
import { Spinner } from '../../components/Spinner';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { formatDateTime, formatNumber } from '../../i18n/format';
import type { HistoryDetailState, RecipientFilters } from '../../store';
import { noteMessage, stateLabel } from '../broadcast/labels';
import { isFinalState } from '../broadcast/model';
import { SendProblems } from '../broadcast/SendProblems';
import { ChannelBadge } from '../events/ChannelBadge';
import { BroadcastTitle, CountsBar, CountsLine, KindTag } from './HistoryList';
import { stateTone } from './labels';
import { RecipientsTable } from './RecipientsTable';
import { SentContent } from './SentContent';

function channelTotal(counts: RecipientCounts): number {
  return counts.pending + counts.inFlight + counts.accepted + counts.failed + counts.skipped + counts.unknown;
}

/**
 * Per channel with customers (a column each): accepted, failed, skipped, unknown, still to go, and everyone. Outcomes
 * are rows, so the table stays narrow beside the content.
 */
function ChannelCounts({ byChannel }: { byChannel: BroadcastDetail['byChannel'] }) {
  const { t, i18n } = useTranslation();
  const n = (value: number) => formatNumber(value, i18n.language);
  const channels = (['line', 'whatsapp'] as const).filter((channel) => channelTotal(byChannel[channel]) > 0);
  if (channels.length === 0) return null;
  const going = channels.some((channel) => byChannel[channel].pending + byChannel[channel].inFlight > 0);
  const rows: Array<{ key: string; label: string; value: (counts: RecipientCounts) => number; tone?: string }> = [
    { key: 'accepted', label: t('history.counts.accepted'), value: (counts) => counts.accepted },
    { key: 'failed', label: t('history.counts.failed'), value: (counts) => counts.failed, tone: 'num--failed' },
    { key: 'skipped', label: t('history.counts.skipped'), value: (counts) => counts.skipped },
    { key: 'unknown', label: t('history.counts.unknown'), value: (counts) => counts.unknown, tone: 'num--unknown' },
    ...(going ? [{ key: 'remaining', label: t('history.counts.remaining'), value: (counts: RecipientCounts) => counts.pending + counts.inFlight }] : []),
  ];
  return (
    <div className="table-wrap">
      <table className="table channel-counts" data-testid="history-channel-counts">
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">{t('history.detail.channel')}</span>
            </th>
            {channels.map((channel) => {
              const counts = byChannel[channel];
              return (
                <th
                  key={channel}
                  scope="col"
                  className="num"
                  data-testid="history-channel-col"
                  data-channel={channel}
                  data-accepted={counts.accepted}
                  data-failed={counts.failed}
                  data-skipped={counts.skipped}
                  data-unknown={counts.unknown}
                >
                  <ChannelBadge channel={channel} />
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.label}</th>
              {channels.map((channel) => {
                const value = row.value(byChannel[channel]);
                return (
                  <td key={channel} className={value > 0 && row.tone ? `num ${row.tone}` : 'num'}>
                    {n(value)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('history.counts.total')}</th>
            {channels.map((channel) => (
              <td key={channel} className="num num--total">
                {n(channelTotal(byChannel[channel]))}
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** How the platform's report of this broadcast stands: reported, queued (offline), or not due before the end. */
function ReportStatus({ report }: { report: ReportSync }) {
  const { t, i18n } = useTranslation();
  let text: string;
  if (report.state === 'reported') {
    text = report.reportedAt === null ? t('history.detail.report.reported') : t('history.detail.report.reportedAt', { time: formatDateTime(report.reportedAt, i18n.language) });
  } else if (report.state === 'pending') {
    text = t('history.detail.report.pending');
  } else {
    text = t('history.detail.report.not_due');
  }
  const icon = report.state === 'reported' ? 'check' : report.state === 'pending' ? 'wifiOff' : 'info';
  return (
    <div className={`report-sync report-sync--${report.state}`} data-testid="history-report-sync" data-state={report.state}>
      <Icon name={icon} size={16} />
      <div className="report-sync__text">
        <span>{text}</span>
        {report.state === 'pending' && report.attempts > 0 ? (
          <small>
            {t('history.detail.report.attempts', { n: formatNumber(report.attempts, i18n.language) })}
            {report.lastError ? (
              <>
                {' · '}
                <span data-user-content>{t('history.detail.report.lastError', { error: report.lastError })}</span>
              </>
            ) : null}
          </small>
        ) : null}
      </div>
    </div>
  );
}

function RetryList({ retries, onOpen }: { retries: readonly HistoryItem[]; onOpen: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="retry-list">
      {retries.map((retry) => (
        <li key={retry.id}>
          <button
            type="button"
            className="retry-list__item"
            data-testid="history-retry-link"
            data-broadcast-id={retry.id}
            data-state={retry.state}
            onClick={() => onOpen(retry.id)}
          >
            <span className="retry-list__head">
              <Badge tone="warning">{t(retry.kind === 'resend_unknown' ? 'history.kinds.resend_unknown' : 'history.kinds.retry_failed')}</Badge>
              <time dateTime={new Date(retry.createdAt).toISOString()}>{formatDateTime(retry.createdAt, i18n.language)}</time>
              <Badge tone={stateTone(retry.state)}>{stateLabel(t, retry.state)}</Badge>
            </span>
            <CountsLine counts={retry.counts} />
            <Icon name="chevronRight" size={16} className="retry-list__chevron" />
          </button>
        </li>
      ))}
    </ul>
  );
}

export interface HistoryDetailViewProps {
  view: HistoryDetailState;
  /** The signed-in user may broadcast (the seed's rule): retries are sends. */
  canBroadcast: boolean;
  /** A retry of this broadcast is being confirmed or sent. */
  retrying: boolean;
  previewUrl: (sha256: string) => string;
  /** The live progress of this broadcast and of the retries sent from here. */
  progress: ReactNode;
  /** The retry's confirmation dialog, while there is one. */
  confirm: ReactNode;
  onBack: () => void;
  onOpen: (id: string) => void;
  onReload: () => void;
  onRetryFailed: () => void;
  /** Called once the user has read and accepted the warning (this view asks first). */
  onResendUnknown: () => void;
  onExport: () => void;
  onRecipientFilter: (patch: Partial<RecipientFilters>) => void;
  onRecipientPage: (offset: number) => void;
}

/** One broadcast of 發送紀錄: what was sent, to whom and how it went, and what can be done about the rest. */
export function HistoryDetailView(props: HistoryDetailViewProps) {
  const { view, onBack } = props;
  const { t } = useTranslation();
  const { detail } = view;
  return (
    <div className="history-detail" data-testid="history-detail" data-broadcast-id={view.id} data-state={detail?.item.state} aria-busy={view.state === 'loading'}>
      <div>
        <Button size="sm" variant="secondary" icon="chevronLeft" onClick={onBack} data-testid="history-back">
          {t('history.detail.back')}
        </Button>
      </div>
      {detail === null ? (
        view.state === 'failed' ? (
          <div className="history-detail__failed">
            <Alert
              testId="history-detail-error"
              title={t('history.detail.loadFailed')}
              message={view.error ? t(ERROR_MESSAGE_KEYS[view.error]) : t('errors.internal')}
            />
            <div>
              <Button size="sm" icon="refresh" onClick={props.onReload} data-testid="history-detail-retry">
                {t('history.detail.retry')}
              </Button>
            </div>
          </div>
        ) : (
          <Spinner label={t('history.detail.loading')} />
        )
      ) : (
        <DetailBody {...props} detail={detail} />
      )}
    </div>
  );
}

function DetailBody({
  view,
  detail,
  canBroadcast,
  retrying,
  previewUrl,
  progress,
  confirm,
  onOpen,
  onRetryFailed,
  onResendUnknown,
  onExport,
  onRecipientFilter,
  onRecipientPage,
}: HistoryDetailViewProps & { detail: BroadcastDetail }) {
  const { t, i18n } = useTranslation();
  const n = (value: number) => formatNumber(value, i18n.language);
  const [warningUnknown, setWarningUnknown] = useState(false);
  const [warningRepeat, setWarningRepeat] = useState(false);
  const { item, content } = detail;
  const final = isFinalState(item.state);
  // The state says how it ended; a note is added only when it explains more (LINE's monthly quota ran out).
  const note = item.note !== null && (!final || item.note === 'line_quota') ? item.note : null;
  const lineRecipients = channelTotal(detail.byChannel.line);
  const showLine = lineRecipients > 0 || (content.whatsapp.length === 0 && (content.lineText !== null || item.imageSha256 !== null));
  const notRetryable = Math.max(0, item.counts.failed - detail.retryableFailed);
  // Main sends a retry to every failed (or unknown) customer of this broadcast, each time: once retried, doing it
  // again reaches those the last retry reached too. The user is told before that happens.
  const retriedBefore = detail.retries.some((retry) => retry.kind === 'retry_failed');
  const resentBefore = detail.retries.some((retry) => retry.kind === 'resend_unknown');
  // Why 重試 cannot be pressed, in words (the button alone would not say).
  const retryBlock = !canBroadcast ? t('history.detail.cannotBroadcast') : !final ? t('history.detail.stillSending') : null;

  return (
    <>
      <section className="card history-head" aria-labelledby="history-detail-title">
        <div className="history-head__top">
          <div className="history-head__thumb">
            {item.imageSha256 ? <img src={previewUrl(item.imageSha256)} alt="" /> : <Icon name="message" size={26} />}
          </div>
          <div className="history-head__text">
            <h2 id="history-detail-title" className="history-head__title">
              <BroadcastTitle item={item} />
            </h2>
            <div className="history-head__tags">
              <Badge tone={stateTone(item.state)} data-testid="history-detail-state">
                {stateLabel(t, item.state)}
              </Badge>
              <KindTag item={item} onOpenOrigin={onOpen} />
              {item.channels.map((channel) => (
                <ChannelBadge key={channel} channel={channel} />
              ))}
            </div>
          </div>
        </div>
        <dl className="facts history-head__facts">
          <dt>{t('history.detail.sentAt')}</dt>
          <dd>{formatDateTime(item.createdAt, i18n.language)}</dd>
          <dt>{t('history.detail.finishedAt')}</dt>
          <dd>{item.finishedAt === null ? t('history.detail.notFinished') : formatDateTime(item.finishedAt, i18n.language)}</dd>
          <dt>{t('history.detail.sender')}</dt>
          <dd data-user-content>{item.senderName}</dd>
          <dt>{t('history.detail.recipients')}</dt>
          <dd>{t('history.item.recipients', { count: item.total, n: n(item.total) })}</dd>
        </dl>
        <div
          className="history-head__outcome"
          data-testid="history-detail-counts"
          data-accepted={item.counts.accepted}
          data-failed={item.counts.failed}
          data-skipped={item.counts.skipped}
          data-unknown={item.counts.unknown}
        >
          <CountsBar counts={item.counts} total={item.total} />
          <CountsLine counts={item.counts} />
        </div>
        {note !== null ? (
          <p className="history-head__note" data-testid="history-detail-note" data-note={note}>
            <Icon name="info" size={15} />
            {noteMessage(t, note)}
          </p>
        ) : null}
      </section>

      {progress}

      <div className="history-columns">
        <section className="card" aria-labelledby="history-content-title">
          <h3 id="history-content-title" className="card__title">
            {t('history.detail.contentTitle')}
          </h3>
          <SentContent content={content} showLine={showLine} imageUrl={item.imageSha256 ? previewUrl(item.imageSha256) : null} />
        </section>

        <div className="history-side">
          <section className="card" aria-labelledby="history-actions-title">
            <h3 id="history-actions-title" className="card__title">
              {t('history.detail.actionsTitle')}
            </h3>
            <div className="history-actions">
              <div className="history-action">
                <Button
                  variant="primary"
                  icon="refresh"
                  disabled={detail.retryableFailed === 0 || retryBlock !== null || retrying}
                  onClick={() => (retriedBefore ? setWarningRepeat(true) : onRetryFailed())}
                  data-testid="history-retry-failed"
                  data-count={detail.retryableFailed}
                >
                  {t('history.detail.retryFailed', { n: n(detail.retryableFailed) })}
                </Button>
                <p className="history-action__hint">
                  {retryBlock ?? (detail.retryableFailed === 0 ? t('history.detail.noRetryable') : t('history.detail.retryFailedHint'))}
                </p>
                {notRetryable > 0 ? (
                  <p className="history-action__hint" data-testid="history-not-retryable">
                    {t('history.detail.notRetryable', { n: n(notRetryable) })}
                  </p>
                ) : null}
              </div>
              {detail.unknown > 0 ? (
                <div className="history-action">
                  <Button
                    icon="send"
                    disabled={retryBlock !== null || retrying}
                    onClick={() => setWarningUnknown(true)}
                    data-testid="history-resend-unknown"
                    data-count={detail.unknown}
                  >
                    {t('history.detail.resendUnknown', { n: n(detail.unknown) })}
                  </Button>
                  <p className="history-action__hint">{t('history.detail.resendUnknownHint')}</p>
                </div>
              ) : null}
              <div className="history-action">
                <Button icon="download" onClick={onExport} disabled={view.exporting} data-testid="history-export">
                  {view.exporting ? t('history.detail.exporting') : t('history.detail.export')}
                </Button>
                {view.exported ? (
                  <p className="history-action__done" role="status" data-testid="history-export-done">
                    <Icon name="check" size={14} />
                    <span>
                      {t('history.detail.exported', { count: view.exported.rows, n: n(view.exported.rows), file: view.exported.fileName })}
                    </span>
                  </p>
                ) : null}
                {view.exportError ? <Alert testId="history-export-error" message={t(ERROR_MESSAGE_KEYS[view.exportError])} /> : null}
              </div>
            </div>
          </section>

          <section className="card" aria-labelledby="history-channels-title">
            <h3 id="history-channels-title" className="card__title">
              {t('history.detail.countsTitle')}
            </h3>
            <ChannelCounts byChannel={detail.byChannel} />
            <div className="card__section">
              <h4 className="card__subtitle">{t('history.detail.reportTitle')}</h4>
              <ReportStatus report={detail.report} />
            </div>
          </section>

          {detail.problems.length > 0 ? (
            <section className="card" aria-labelledby="history-problems-title" data-testid="history-problems">
              <h3 id="history-problems-title" className="card__title">
                {t('history.detail.problemsTitle')}
              </h3>
              <SendProblems problems={{ state: 'ready', list: detail.problems, error: null }} onRetry={() => undefined} />
            </section>
          ) : null}

          {detail.retries.length > 0 ? (
            <section className="card" aria-labelledby="history-retries-title" data-testid="history-retries">
              <h3 id="history-retries-title" className="card__title">
                {t('history.detail.retriesTitle')}
              </h3>
              <p className="card__text history-side__hint">{t('history.detail.retriesHint')}</p>
              <RetryList retries={detail.retries} onOpen={onOpen} />
            </section>
          ) : null}
        </div>
      </div>

      <RecipientsTable recipients={view.recipients} onFilter={onRecipientFilter} onPage={onRecipientPage} />

      {confirm}

      {warningRepeat ? (
        <ConfirmDialog
          title={t('history.detail.repeatTitle')}
          body={t('history.detail.repeatBody')}
          confirmLabel={t('history.detail.repeatConfirm')}
          cancelLabel={t('history.detail.resendCancel')}
          confirmIcon="refresh"
          confirmTestId="history-retry-repeat-confirm"
          onCancel={() => setWarningRepeat(false)}
          onConfirm={() => {
            setWarningRepeat(false);
            onRetryFailed();
          }}
        />
      ) : null}

      {warningUnknown ? (
        <ConfirmDialog
          title={t('history.detail.resendTitle')}
          body={resentBefore ? `${t('history.detail.resendBody')} ${t('history.detail.resendRepeat')}` : t('history.detail.resendBody')}
          confirmLabel={t('history.detail.resendConfirm')}
          cancelLabel={t('history.detail.resendCancel')}
          confirmIcon="send"
          confirmTestId="history-resend-unknown-confirm"
          onCancel={() => setWarningUnknown(false)}
          onConfirm={() => {
            setWarningUnknown(false);
            onResendUnknown();
          }}
        />
      ) : null}
    </>
  );
}

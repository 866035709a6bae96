import { useTranslation } from 'react-i18next';
import type { Channel, RecipientEntry, RecipientState } from '../../../../preload/contract';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Spinner } from '../../components/Spinner';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { formatDateTime, formatNumber } from '../../i18n/format';
import type { RecipientFilters, RecipientsState } from '../../store';
import { RECIPIENTS_PAGE } from '../../store/historySlice';
import { ChannelBadge } from '../events/ChannelBadge';
import { DebouncedSearch } from './HistoryFilters';
import { RECIPIENT_STATES, recipientReasonWords, recipientStateLabel } from './labels';

function isRecipientState(value: string): value is RecipientState {
  return (RECIPIENT_STATES as readonly string[]).includes(value);
}

function isChannelFilter(value: string): value is 'all' | Channel {
  return value === 'all' || value === 'line' || value === 'whatsapp';
}

function RecipientRow({ row }: { row: RecipientEntry }) {
  const { t, i18n } = useTranslation();
  const reason = recipientReasonWords(t, row.reason);
  const id = row.requestId ?? row.messageId;
  const idLabel = row.requestId !== null ? t('history.recipients.requestId') : t('history.recipients.messageId');
  return (
    <tr data-testid="recipient-row" data-event-id={row.eventId} data-state={row.state} data-channel={row.channel} data-reason={row.reason ?? undefined}>
      <td className="history-recipients__customer" data-user-content>
        {row.customerName}
      </td>
      <td>
        <ChannelBadge channel={row.channel} />
      </td>
      <td>
        <span className={`recipient-state recipient-state--${row.state}`} data-testid="recipient-state">
          <span className="recipient-state__dot" aria-hidden="true" />
          {recipientStateLabel(t, row.state)}
        </span>
      </td>
      <td className="history-recipients__time">
        <time dateTime={new Date(row.at).toISOString()}>{formatDateTime(row.at, i18n.language)}</time>
      </td>
      <td>
        {id !== null ? (
          <span className="table__code history-recipients__id" title={idLabel} aria-label={`${idLabel} ${id}`} data-testid="recipient-id" data-user-content>
            {id}
          </span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="history-recipients__reason">
        {reason ? (
          <span data-testid="recipient-reason">
            {reason.text}
            {/* A code this version has no words for: shown as is, so support can tell what it was. */}
            {reason.known ? null : <small className="send-problems__code">{row.reason}</small>}
          </span>
        ) : (
          <span className="muted">—</span>
        )}
        {row.detail ? (
          // The service's own words (LINE's message), as it said them.
          <small className="history-recipients__detail" data-testid="recipient-detail" data-user-content>
            {row.detail}
          </small>
        ) : null}
      </td>
    </tr>
  );
}

export interface RecipientsTableProps {
  recipients: RecipientsState;
  onFilter: (patch: Partial<RecipientFilters>) => void;
  onPage: (offset: number) => void;
}

/** Every customer of a broadcast, a page of 100 at a time: state, time, LINE request id or WhatsApp message id, reason. */
export function RecipientsTable({ recipients, onFilter, onPage }: RecipientsTableProps) {
  const { t, i18n } = useTranslation();
  const n = (value: number) => formatNumber(value, i18n.language);
  const { filters, page, offset, state, error } = recipients;
  const total = page?.total ?? 0;
  const rows = page?.rows ?? [];
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(total, offset + rows.length);
  return (
    <section className="card history-recipients" data-testid="history-recipients" aria-labelledby="history-recipients-title" aria-busy={state === 'loading'}>
      <div className="history-recipients__head">
        <h3 id="history-recipients-title" className="card__title history-recipients__title">
          {t('history.recipients.title')}
        </h3>
        <div className="filters" role="search" aria-label={t('history.recipients.filtersLabel')}>
          <DebouncedSearch
            value={filters.search}
            onSearch={(search) => onFilter({ search })}
            label={t('history.recipients.search')}
            placeholder={t('history.recipients.search')}
            testId="recipients-search"
          />
          <select
            className={filters.state === 'all' ? 'select select--compact' : 'select select--compact select--active'}
            aria-label={t('history.recipients.state')}
            data-testid="recipients-state"
            value={filters.state}
            onChange={(event) => {
              const value = event.currentTarget.value;
              onFilter({ state: value === 'all' || !isRecipientState(value) ? 'all' : value });
            }}
          >
            <option value="all">{t('history.recipients.stateAll')}</option>
            {RECIPIENT_STATES.map((value) => (
              <option key={value} value={value}>
                {recipientStateLabel(t, value)}
              </option>
            ))}
          </select>
          <select
            className={filters.channel === 'all' ? 'select select--compact' : 'select select--compact select--active'}
            aria-label={t('history.recipients.channel')}
            data-testid="recipients-channel"
            value={filters.channel}
            onChange={(event) => {
              const value = event.currentTarget.value;
              if (isChannelFilter(value)) onFilter({ channel: value });
            }}
          >
            <option value="all">{t('history.recipients.channelAll')}</option>
            <option value="line">{t('events.channels.line')}</option>
            <option value="whatsapp">{t('events.channels.whatsapp')}</option>
          </select>
        </div>
      </div>

      {error ? (
        <div className="history-recipients__error">
          <Alert testId="recipients-error" message={`${t('history.recipients.loadFailed')} ${t(ERROR_MESSAGE_KEYS[error])}`} />
          <div>
            <Button size="sm" icon="refresh" onClick={() => onPage(offset)} data-testid="recipients-retry">
              {t('history.recipients.retry')}
            </Button>
          </div>
        </div>
      ) : null}

      {page === null && state !== 'failed' ? (
        <Spinner label={t('history.recipients.loading')} />
      ) : page !== null ? (
        <>
          <div className="table-wrap">
            <table className="table history-recipients__table" data-testid="recipients-table" data-total={total} data-offset={offset}>
              <thead>
                <tr>
                  <th scope="col">{t('history.recipients.columns.customer')}</th>
                  <th scope="col">{t('history.recipients.columns.channel')}</th>
                  <th scope="col">{t('history.recipients.columns.state')}</th>
                  <th scope="col">{t('history.recipients.columns.time')}</th>
                  <th scope="col">{t('history.recipients.columns.id')}</th>
                  <th scope="col">{t('history.recipients.columns.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <RecipientRow key={`${row.eventId}:${row.channel}`} row={row} />
                ))}
              </tbody>
            </table>
            {rows.length === 0 ? (
              <p className="history-recipients__empty" data-testid="recipients-empty">
                {t('history.recipients.empty')}
              </p>
            ) : null}
          </div>
          <div className="pager">
            <span className="pager__range" data-testid="recipients-range">
              {total > 0 ? t('history.recipients.range', { start: n(first), end: n(last), total: n(total) }) : null}
            </span>
            <div className="pager__buttons">
              <Button
                size="sm"
                icon="chevronLeft"
                disabled={offset === 0 || state === 'loading'}
                onClick={() => onPage(Math.max(0, offset - RECIPIENTS_PAGE))}
                data-testid="recipients-prev"
              >
                {t('history.recipients.prev')}
              </Button>
              <Button
                size="sm"
                disabled={offset + RECIPIENTS_PAGE >= total || state === 'loading'}
                onClick={() => onPage(offset + RECIPIENTS_PAGE)}
                data-testid="recipients-next"
              >
                {t('history.recipients.next')}
              </Button>
            </div>
          </div>
        </>
      ) : null}
    </section>
  );
}

import { useCallback, useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { imageUrl } from '../../bridge';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { Spinner } from '../../components/Spinner';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { formatNumber } from '../../i18n/format';
import { useAppStore, type HistoryFilters } from '../../store';
import { NO_HISTORY_FILTERS } from '../../store/historySlice';
import { BroadcastsById, RetryConfirmContainer } from '../broadcast/containers';
import { downloadCsv } from './download';
import { HistoryDetailView } from './HistoryDetail';
import { HistoryFilterBar } from './HistoryFilters';
import { HistoryList } from './HistoryList';

const thumbUrl = (sha256: string) => imageUrl(sha256, 'thumb');
const previewUrl = (sha256: string) => imageUrl(sha256, 'preview');

function filtersActive(filters: HistoryFilters): boolean {
  return (Object.keys(NO_HISTORY_FILTERS) as Array<keyof HistoryFilters>).some((key) => filters[key] !== NO_HISTORY_FILTERS[key]);
}

/** The list: filters, the broadcasts a page at a time, or why there are none. */
function HistoryListContainer() {
  const { t, i18n } = useTranslation();
  const history = useAppStore((state) => state.history);
  const actions = useAppStore(
    useShallow((state) => ({
      setFilters: state.setHistoryFilters,
      clearFilters: state.clearHistoryFilters,
      loadHistory: state.loadHistory,
      loadMore: state.loadMoreHistory,
      open: state.openHistoryDetail,
    })),
  );
  const { setFilters } = actions;
  const onSearch = useCallback((search: string) => setFilters({ search }), [setFilters]);
  const { items, state, error, filters, nextCursor, loadingMore } = history;
  const active = filtersActive(filters);

  let body;
  if (items.length === 0 && (state === 'loading' || state === 'idle')) {
    body = <Spinner label={t('history.loading')} />;
  } else if (items.length === 0 && state === 'failed') {
    body = (
      <div className="history-failed">
        <Alert testId="history-error" title={t('history.loadFailed')} message={t(ERROR_MESSAGE_KEYS[error ?? 'internal'])} />
        <div>
          <Button size="sm" icon="refresh" onClick={() => void actions.loadHistory()} data-testid="history-retry">
            {t('history.retry')}
          </Button>
        </div>
      </div>
    );
  } else if (items.length === 0) {
    body = active ? (
      <div className="history-empty" data-testid="history-no-match">
        <EmptyState
          compact
          icon="search"
          title={t('history.noMatchTitle')}
          body={t('history.noMatchBody')}
          action={
            <Button size="sm" onClick={actions.clearFilters} data-testid="history-clear-filters">
              {t('history.clearFilters')}
            </Button>
          }
        />
      </div>
    ) : (
      <div className="history-empty" data-testid="history-empty">
        <EmptyState icon="inbox" title={t('history.emptyTitle')} body={t('history.emptyBody')} />
      </div>
    );
  } else {
    body = (
      <>
        <HistoryList items={items} thumbUrl={thumbUrl} onOpen={(id) => void actions.open(id)} />
        {error && state !== 'failed' ? <Alert testId="history-error" message={t(ERROR_MESSAGE_KEYS[error])} /> : null}
        <div className="history-more">
          {nextCursor !== null ? (
            <Button onClick={() => void actions.loadMore()} disabled={loadingMore} data-testid="history-load-more">
              {loadingMore ? t('history.loadingMore') : t('history.loadMore')}
            </Button>
          ) : (
            <span className="history-more__end" data-testid="history-all-shown">
              {t('history.allShown', { count: items.length, n: formatNumber(items.length, i18n.language) })}
            </span>
          )}
        </div>
      </>
    );
  }

  return (
    <div className="section__body history" aria-busy={state === 'loading' || loadingMore} data-testid="history-list" data-state={state}>
      <HistoryFilterBar filters={filters} onChange={setFilters} onSearch={onSearch} />
      {body}
    </div>
  );
}

/** One broadcast: the detail view, with the retry confirmation and the progress of what is sent from it. */
function HistoryDetailContainer() {
  const view = useAppStore((state) => state.historyDetail);
  const canBroadcast = useAppStore((state) => state.session?.canBroadcast === true);
  const retrying = useAppStore((state) => state.sendFlow !== null && state.sendFlow.retry?.originId === state.historyDetail?.id);
  const actions = useAppStore(
    useShallow((state) => ({
      close: state.closeHistoryDetail,
      open: state.openHistoryDetail,
      reload: state.reloadHistoryDetail,
      startRetry: state.startRetry,
      exportHistory: state.exportHistory,
      setRecipientFilters: state.setRecipientFilters,
      loadRecipients: state.loadRecipients,
    })),
  );
  const retryIds = view?.detail?.retries;
  const sentRetries = view?.sentRetries;
  const id = view?.id ?? null;
  const ids = useMemo(
    () => (id === null ? [] : [id, ...(sentRetries ?? []), ...(retryIds ?? []).map((retry) => retry.id)]),
    [id, sentRetries, retryIds],
  );
  if (!view) return null;
  return (
    <div className="section__body">
      <HistoryDetailView
        view={view}
        canBroadcast={canBroadcast}
        retrying={retrying}
        previewUrl={previewUrl}
        progress={<BroadcastsById ids={ids} />}
        confirm={<RetryConfirmContainer originId={view.id} />}
        onBack={actions.close}
        onOpen={(next) => void actions.open(next)}
        onReload={() => void actions.reload()}
        onRetryFailed={() => void actions.startRetry(view.id, 'retry_failed')}
        onResendUnknown={() => void actions.startRetry(view.id, 'resend_unknown')}
        onExport={() =>
          void actions.exportHistory().then((exported) => {
            if (exported) downloadCsv(exported.fileName, exported.csv);
          })
        }
        onRecipientFilter={actions.setRecipientFilters}
        onRecipientPage={(offset) => void actions.loadRecipients(offset)}
      />
    </div>
  );
}

/** 發送紀錄: every broadcast, newest first, filtered; or one broadcast in detail. Works offline (main's database). */
export function HistorySection() {
  const { t } = useTranslation();
  const detailOpen = useAppStore((state) => state.historyDetail !== null);
  const loadHistory = useAppStore((state) => state.loadHistory);
  const reloadHistoryDetail = useAppStore((state) => state.reloadHistoryDetail);

  // Each visit asks again: broadcasts sent since (from 對話 or another window) appear, and a broadcast left open
  // shows how it stands now.
  useEffect(() => {
    void loadHistory();
    void reloadHistoryDetail();
  }, [loadHistory, reloadHistoryDetail]);

  return (
    <section className="section" data-testid="section-history" aria-labelledby="section-history-title">
      <PageHeader titleId="section-history-title" title={t('history.title')} subtitle={t('history.subtitle')} />
      {detailOpen ? <HistoryDetailContainer /> : <HistoryListContainer />}
    </section>
  );
}

import { useTranslation } from 'react-i18next';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { errorMessageKey } from '../../i18n';
import { formatNumber, formatRelativeTime, formatTimeUntil, useNow } from '../../i18n/format';
import { useAppStore } from '../../store';

/** 上次同步…, a spinner with the fetched count while syncing, 離線, backoff and errors, skipped items; the refresh. */
export function SyncStatusBar() {
  const { t, i18n } = useTranslation();
  const status = useAppStore((state) => state.syncStatus);
  const listSyncedAt = useAppStore((state) => state.eventList?.lastSyncedAt ?? null);
  const networkOnline = useAppStore((state) => state.status?.online ?? true);
  const requestError = useAppStore((state) => state.syncRequestError);
  const syncNow = useAppStore((state) => state.syncNow);
  const signedIn = useAppStore((state) => state.session?.signedIn ?? false);
  const now = useNow(15_000);
  const language = i18n.language;
  const state = status?.state ?? 'idle';
  const offline = !networkOnline || state === 'offline';
  const syncing = state === 'syncing';
  const lastSyncedAt = status?.lastSyncedAt ?? listSyncedAt;

  const reason = (code: string | null | undefined) => {
    const key = errorMessageKey(code);
    return key ? t(key) : t('events.sync.serverTrouble');
  };

  let text: string;
  let tone = '';
  if (syncing) {
    text = t('events.sync.syncing', { count: status?.fetched ?? 0, fetched: formatNumber(status?.fetched ?? 0, language) });
  } else if (state === 'backoff') {
    tone = 'sync__text--warn';
    text = status?.nextAttemptAt
      ? t('events.sync.backoff', { time: formatTimeUntil(status.nextAttemptAt, now, language) })
      : t('events.sync.backoffSoon');
  } else if (state === 'error' || requestError) {
    tone = 'sync__text--warn';
    text = t('events.sync.failed', { reason: reason(requestError ?? status?.error) });
  } else if (lastSyncedAt === null) {
    text = t('events.sync.never');
  } else {
    text = t('events.sync.lastSynced', { time: formatRelativeTime(lastSyncedAt, now, language) ?? t('events.justNow') });
  }

  return (
    <div className="sync" aria-label={t('events.sync.label')} role="group">
      <div className="sync__status" data-testid="sync-status" data-state={state} aria-live="polite">
        {offline ? (
          <span className="badge badge--neutral offline-badge" data-testid="offline-badge" title={t('events.sync.offlineHint')}>
            <Icon name="wifiOff" size={13} />
            {t('events.sync.offline')}
          </span>
        ) : null}
        {syncing ? <span className="mini-spinner" aria-hidden="true" /> : null}
        <span className={`sync__text ${tone}`} title={state === 'backoff' ? reason(status?.error) : undefined}>
          {text}
        </span>
        {status && status.skipped > 0 ? (
          <span className="sync__skipped" data-testid="sync-skipped">
            {t('events.sync.skipped', { count: status.skipped, skipped: formatNumber(status.skipped, language) })}
          </span>
        ) : null}
      </div>
      <Button
        size="sm"
        variant="secondary"
        icon="refresh"
        className={syncing ? 'btn--spinning' : undefined}
        disabled={syncing || !signedIn}
        data-testid="sync-refresh"
        onClick={() => void syncNow()}
      >
        {t('events.sync.refresh')}
      </Button>
    </div>
  );
}

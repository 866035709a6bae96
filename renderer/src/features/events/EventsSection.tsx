import { useTranslation } from 'react-i18next';
import type { SessionInfo } from '../../../../preload/contract';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { Spinner } from '../../components/Spinner';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { BroadcastsPanel } from '../broadcast/containers';
import { Composer } from '../composer/Composer';
import { formatNumber } from '../../i18n/format';
import { useAppStore } from '../../store';
import { BatchBar } from './BatchBar';
import { EventFilters } from './EventFilters';
import { EventGrid } from './EventGrid';
import { SyncStatusBar } from './SyncStatusBar';
import { NO_FILTERS, filtersActive } from './model';

/** The seed's access rule, in words: why this account sees the events read-only. */
function BroadcastBlocked({ session }: { session: SessionInfo }) {
  const { t } = useTranslation();
  const plan = session.broadcastBlock === 'plan';
  return (
    <div className="notice notice--info" data-testid="broadcast-blocked" data-reason={session.broadcastBlock ?? 'role'} role="note">
      <Icon name="lock" size={18} className="notice__icon" />
      <div className="notice__text">
        <strong>{t(plan ? 'events.blocked.plan' : 'events.blocked.role')}</strong>
        <span>
          {plan
            ? t('events.blocked.planDetail', { plan: t(`workspace.plans.${session.workspace?.plan ?? 'standard'}`) })
            : t('events.blocked.roleDetail', { role: session.user ? t(`workspace.roles.${session.user.role}`) : '' })}
        </span>
      </div>
    </div>
  );
}

function DroppedNotice() {
  const { t, i18n } = useTranslation();
  const dropped = useAppStore((state) => state.droppedNotice);
  const dismiss = useAppStore((state) => state.dismissDroppedNotice);
  if (dropped === 0) return null;
  return (
    <div className="notice notice--warning" role="status" data-testid="selection-dropped-notice" data-count={dropped}>
      <Icon name="info" size={18} className="notice__icon" />
      <div className="notice__text">
        <span>{t('events.dropped', { count: dropped, dropped: formatNumber(dropped, i18n.language) })}</span>
      </div>
      <button type="button" className="icon-btn" aria-label={t('events.dismiss')} onClick={dismiss}>
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}

function ExpiredBanner() {
  const { t } = useTranslation();
  const setSection = useAppStore((state) => state.setSection);
  return (
    <div className="notice notice--warning" role="alert" data-testid="events-expired">
      <Icon name="alert" size={18} className="notice__icon" />
      <div className="notice__text">
        <strong>{t('events.expiredTitle')}</strong>
        <span>{t('events.expiredBody')}</span>
      </div>
      <Button size="sm" variant="primary" icon="login" onClick={() => setSection('settings')} data-testid="events-signin-again">
        {t('events.signInAgain')}
      </Button>
    </div>
  );
}

/** 批量動作 → 發送訊息: the composer for the selection (or why it could not open, with a retry). */
function EventsComposer() {
  const { t } = useTranslation();
  const isOpen = useAppStore((state) => state.composer?.origin === 'events');
  const opening = useAppStore((state) => state.composerOpening !== null);
  const openComposer = useAppStore((state) => state.openComposer);
  const backToGrid = useAppStore((state) => state.backToGrid);

  if (isOpen) return <Composer onBack={() => void backToGrid()} />;
  if (opening) return <Spinner label={t('composer.opening')} />;
  return (
    <div className="composer composer--failed" data-testid="composer-failed">
      <Alert message={t('composer.openFailed')} />
      <div className="composer__failed-actions">
        <Button icon="chevronLeft" size="sm" variant="secondary" onClick={() => void backToGrid()} data-testid="composer-back">
          {t('composer.backToEvents')}
        </Button>
        <Button size="sm" variant="primary" onClick={() => void openComposer()}>
          {t('composer.retry')}
        </Button>
      </div>
    </div>
  );
}

/** The grid, or the state that stands in for it (loading, failed, no events, no match). */
function GridArea() {
  const { t } = useTranslation();
  const index = useAppStore((state) => state.eventIndex);
  const rows = useAppStore((state) => state.filteredRows);
  const load = useAppStore((state) => state.eventsLoad);
  const error = useAppStore((state) => state.eventsError);
  const filters = useAppStore((state) => state.filters);
  const loadEvents = useAppStore((state) => state.loadEvents);
  const setFilters = useAppStore((state) => state.setFilters);

  if (!index) {
    if (load === 'failed' && error === 'not_signed_in') {
      return (
        <div className="grid-state grid-state--center">
          <EmptyState icon="users" title={t('events.signedOutTitle')} body={t('events.signedOutBody')} />
        </div>
      );
    }
    if (load === 'failed') {
      return (
        <div className="grid-state">
          <Alert title={t('events.loadFailed')} message={t(ERROR_MESSAGE_KEYS[error ?? 'internal'])} />
          <div>
            <Button onClick={() => void loadEvents()}>{t('events.retry')}</Button>
          </div>
        </div>
      );
    }
    return (
      <div className="grid-state grid-state--center">
        <Spinner label={t('events.loading')} />
      </div>
    );
  }
  if (index.table.count === 0) {
    return (
      <div className="grid-state grid-state--center" data-testid="events-empty">
        <EmptyState icon="inbox" title={t('events.noEventsTitle')} body={t('events.noEventsBody')} />
      </div>
    );
  }
  if (rows.length === 0 && filtersActive(filters)) {
    return (
      <div className="grid-state grid-state--center" data-testid="events-no-match">
        <EmptyState
          icon="search"
          title={t('events.noMatchTitle')}
          body={t('events.noMatchBody')}
          action={
            <Button data-testid="clear-filters" onClick={() => setFilters({ ...NO_FILTERS, sort: filters.sort })}>
              {t('events.clearFilters')}
            </Button>
          }
        />
      </div>
    );
  }
  return <EventGrid index={index} rows={rows} />;
}

/**
 * 對話 › 處理中事件: the seed's steps 1–4. Signed in, the grid of in-progress events with filters and the sync status;
 * 批量管理事件 (top right) enters batch mode, 快速全選 (top left) selects the filtered rows, 批量動作 → 發送訊息 opens
 * the composer view. Accounts the access rule blocks see the list read-only, with the reason.
 */
export function EventsSection() {
  const { t } = useTranslation();
  const session = useAppStore((state) => state.session);
  const batchMode = useAppStore((state) => state.batchMode);
  const view = useAppStore((state) => state.eventsView);
  const hasEvents = useAppStore((state) => (state.eventIndex?.table.count ?? 0) > 0);
  const setBatchMode = useAppStore((state) => state.setBatchMode);
  const setSection = useAppStore((state) => state.setSection);
  const demo = useAppStore((state) => state.status?.mode === 'demo');
  const signedIn = session?.signedIn ?? false;
  const expired = !signedIn && (session?.expired ?? false);
  const hasAccess = signedIn || expired;
  const canBroadcast = session?.canBroadcast ?? false;

  let actions = null;
  if (!hasAccess) {
    actions = (
      <Button icon="layers" disabled title={t('events.signedOutTitle')} data-testid="batch-manage">
        {t('events.batchManage')}
      </Button>
    );
  } else if (canBroadcast && view === 'grid') {
    actions = (
      <Button
        icon={batchMode ? 'close' : 'layers'}
        variant={batchMode ? 'secondary' : 'primary'}
        aria-pressed={batchMode}
        disabled={!hasEvents && !batchMode}
        title={t('events.batchManageHint')}
        data-testid="batch-manage"
        onClick={() => setBatchMode(!batchMode)}
      >
        {batchMode ? t('events.batchManageExit') : t('events.batchManage')}
      </Button>
    );
  }

  let body;
  if (!hasAccess) {
    body = (
      <div className="section__body section__body--center">
        <EmptyState
          icon="users"
          title={t('events.signedOutTitle')}
          body={t('events.signedOutBody')}
          action={
            <Button variant="primary" icon="login" onClick={() => setSection('settings')} data-testid="events-signin">
              {t('events.goSignIn')}
            </Button>
          }
        />
      </div>
    );
  } else if (view === 'composer') {
    body = (
      <div className="section__body section__body--composer">
        <EventsComposer />
      </div>
    );
  } else {
    body = (
      <div className="events">
        <div className="events__top">
          {expired ? <ExpiredBanner /> : null}
          {signedIn && !canBroadcast && session ? <BroadcastBlocked session={session} /> : null}
          <DroppedNotice />
          <div className="events__toolbar">
            <EventFilters />
            <SyncStatusBar />
          </div>
          {batchMode ? <BatchBar /> : null}
        </div>
        <GridArea />
      </div>
    );
  }

  return (
    <section
      className="section section--fill"
      data-testid="section-events"
      data-demo={demo || undefined}
      aria-labelledby="section-events-title"
    >
      <PageHeader
        titleId="section-events-title"
        breadcrumb={t('events.breadcrumb')}
        title={t('events.title')}
        subtitle={t('events.subtitle')}
        actions={actions}
      />
      <div className="tabs" role="tablist" aria-label={t('events.viewsLabel')}>
        <button
          type="button"
          role="tab"
          id="events-tab-in-progress"
          aria-selected="true"
          aria-controls="events-panel-in-progress"
          className="tabs__tab tabs__tab--active"
        >
          {t('events.title')}
        </button>
      </div>
      <div className="section__panel" role="tabpanel" id="events-panel-in-progress" aria-labelledby="events-tab-in-progress">
        <BroadcastsPanel />
        {body}
      </div>
    </section>
  );
}

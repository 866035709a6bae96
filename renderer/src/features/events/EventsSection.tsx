import { useTranslation } from 'react-i18next';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { useAppStore } from '../../store';

/**
 * 對話 › 處理中事件. Sign-in and event sync arrive in a later issue, so this says honestly that nothing is connected:
 * no sample rows. 批量管理事件 is present, in the seed's place, but disabled until there are events. In the demo the
 * workspace is running but nobody is signed in yet, and the empty state says exactly that.
 */
export function EventsSection() {
  const { t } = useTranslation();
  const demo = useAppStore((state) => state.status?.mode === 'demo');
  return (
    <section className="section" data-testid="section-events" aria-labelledby="section-events-title">
      <PageHeader
        titleId="section-events-title"
        breadcrumb={t('events.breadcrumb')}
        title={t('events.title')}
        subtitle={t('events.subtitle')}
        actions={
          <Button icon="layers" disabled title={t(demo ? 'events.batchManageUnavailableDemo' : 'events.batchManageUnavailable')} data-testid="events-batch-manage">
            {t('events.batchManage')}
          </Button>
        }
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
      <div
        className="section__body section__body--center"
        role="tabpanel"
        id="events-panel-in-progress"
        aria-labelledby="events-tab-in-progress"
      >
        <EmptyState
          icon="users"
          title={t('events.emptyTitle')}
          body={t(demo ? 'events.emptyBodyDemo' : 'events.emptyBody')}
        />
      </div>
    </section>
  );
}

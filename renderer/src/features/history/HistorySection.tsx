import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

/** 發送紀錄: nothing can have been sent yet, so it explains what will appear here. */
export function HistorySection() {
  const { t } = useTranslation();
  return (
    <section className="section" data-testid="section-history" aria-labelledby="section-history-title">
      <PageHeader titleId="section-history-title" title={t('history.title')} subtitle={t('history.subtitle')} />
      <div className="section__body section__body--center">
        <EmptyState icon="inbox" title={t('history.emptyTitle')} body={t('history.emptyBody')} />
      </div>
    </section>
  );
}

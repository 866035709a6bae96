import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../components/EmptyState';
import { Icon, type IconName } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';

function Counter({ icon, label, hint, empty }: { icon: IconName; label: string; hint: string; empty: string }) {
  return (
    <div className="counter">
      <div className="counter__head">
        <span className="counter__icon">
          <Icon name={icon} size={18} />
        </span>
        <span className="counter__label">{label}</span>
      </div>
      {/* No figure until there is one: an em dash, never a made-up zero. */}
      <div className="counter__value" aria-label={empty}>
        —
      </div>
      <div className="counter__hint">{hint}</div>
    </div>
  );
}

/** 報表 › 導購連結報表: the two counters the platform expects, honestly empty until the first broadcast. */
export function ReportSection() {
  const { t } = useTranslation();
  return (
    <section className="section" data-testid="section-report" aria-labelledby="section-report-title">
      <PageHeader titleId="section-report-title" title={t('report.title')} subtitle={t('report.subtitle')} />
      <div className="section__body">
        <div className="counters">
          <Counter
            icon="message"
            label={t('report.totalMessages')}
            hint={t('report.totalMessagesHint')}
            empty={t('report.noData')}
          />
          <Counter
            icon="link"
            label={t('report.referralLinks')}
            hint={t('report.referralLinksHint')}
            empty={t('report.noData')}
          />
        </div>
        <div className="panel">
          <EmptyState compact icon="report" title={t('report.emptyTitle')} body={t('report.emptyBody')} />
        </div>
      </div>
    </section>
  );
}

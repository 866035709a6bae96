import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { ReferralReport } from '../../../../preload/contract';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Icon, type IconName } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { dayKey } from '../../i18n/dates';
import { formatCalendarKey, formatNumber } from '../../i18n/format';
import { useAppStore, type ReportPreset, type ReportRange } from '../../store';
import { ChannelBadge } from '../events/ChannelBadge';
import { bySender, chartBuckets, linksOf, PRESETS, rangeProblem, type RangeProblem } from './model';
import { ChartLegend, ReportChart } from './ReportChart';

const PRESET_KEYS: Readonly<Record<ReportPreset, `report.range.presets.${ReportPreset}`>> = {
  today: 'report.range.presets.today',
  last7: 'report.range.presets.last7',
  last30: 'report.range.presets.last30',
  month: 'report.range.presets.month',
  year: 'report.range.presets.year',
  custom: 'report.range.presets.custom',
};

const PROBLEM_KEYS: Readonly<Record<RangeProblem, `report.range.${RangeProblem}`>> = {
  invalid: 'report.range.invalid',
  backwards: 'report.range.backwards',
  tooLong: 'report.range.tooLong',
};

function Counter({
  icon,
  label,
  hint,
  value,
  testId,
  tone,
}: {
  icon: IconName;
  label: string;
  hint: string;
  /** null: not known (loading, or the report could not be read): an em dash, never a made-up zero. */
  value: number | null;
  testId: string;
  tone: 'messages' | 'links' | 'official' | 'other';
}) {
  const { t, i18n } = useTranslation();
  return (
    <div className={`counter counter--${tone}`} data-testid={testId} data-value={value ?? undefined}>
      <div className="counter__head">
        <span className="counter__icon">
          <Icon name={icon} size={18} />
        </span>
        <span className="counter__label">{label}</span>
      </div>
      {value === null ? (
        <div className="counter__value" aria-label={t('report.noData')}>
          —
        </div>
      ) : (
        <div className="counter__value counter__value--known">{formatNumber(value, i18n.language)}</div>
      )}
      <div className="counter__hint">{hint}</div>
    </div>
  );
}

function RangeBar({ range, onPreset, onDates }: { range: ReportRange; onPreset: (preset: ReportPreset) => void; onDates: (from: string, to: string) => void }) {
  const { t } = useTranslation();
  const problem = range.from === '' && range.to === '' ? null : rangeProblem(range.from, range.to);
  return (
    <div className="report-range">
      <div className="segmented" role="group" aria-label={t('report.range.label')}>
        {[...PRESETS, 'custom' as const].map((preset) => (
          <button
            key={preset}
            type="button"
            className={range.preset === preset ? 'segmented__item segmented__item--on' : 'segmented__item'}
            aria-pressed={range.preset === preset}
            data-testid="report-preset"
            data-preset={preset}
            onClick={() => onPreset(preset)}
          >
            {t(PRESET_KEYS[preset])}
          </button>
        ))}
      </div>
      <div className={range.preset === 'custom' ? 'date-range date-range--active' : 'date-range'}>
        <input
          type="date"
          className="input date-range__input"
          aria-label={t('report.range.from')}
          title={t('report.range.from')}
          data-testid="report-from"
          value={range.from}
          max={range.to || undefined}
          onChange={(event) => onDates(event.currentTarget.value, range.to)}
        />
        <span className="date-range__sep">{t('report.range.separator')}</span>
        <input
          type="date"
          className="input date-range__input"
          aria-label={t('report.range.to')}
          title={t('report.range.to')}
          data-testid="report-to"
          value={range.to}
          min={range.from || undefined}
          onChange={(event) => onDates(range.from, event.currentTarget.value)}
        />
      </div>
      {problem ? (
        <p className="report-range__problem" role="alert" data-testid="report-range-problem" data-problem={problem}>
          <Icon name="alert" size={14} />
          {t(PROBLEM_KEYS[problem])}
        </p>
      ) : null}
    </div>
  );
}

function SenderTable({ report }: { report: ReferralReport }) {
  const { t, i18n } = useTranslation();
  const n = (value: number) => formatNumber(value, i18n.language);
  const rows = useMemo(() => bySender(report.rows), [report.rows]);
  if (rows.length === 0) {
    return (
      <p className="report__none" data-testid="report-no-senders">
        {t('report.noSenders')}
      </p>
    );
  }
  const { totals } = report;
  return (
    <div className="table-wrap">
      <table className="table report-table" data-testid="report-senders">
        <thead>
          <tr>
            <th scope="col">{t('report.columns.sender')}</th>
            <th scope="col">{t('report.columns.channel')}</th>
            <th scope="col" className="num">{t('report.columns.messages')}</th>
            <th scope="col" className="num">{t('report.columns.links')}</th>
            <th scope="col" className="num">{t('report.columns.official')}</th>
            <th scope="col" className="num">{t('report.columns.other')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={`${row.senderId}:${row.channel}`}
              data-testid="report-sender-row"
              data-sender-id={row.senderId}
              data-channel={row.channel}
              data-messages={row.messages}
              data-official={row.officialLinks}
              data-other={row.otherLinks}
            >
              <td data-user-content>{row.senderName}</td>
              <td>
                <ChannelBadge channel={row.channel} />
              </td>
              <td className="num">{n(row.messages)}</td>
              <td className="num">{n(linksOf(row))}</td>
              <td className="num">{n(row.officialLinks)}</td>
              <td className="num">{n(row.otherLinks)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr className="report-table__total">
            <th scope="row" colSpan={2}>
              {t('report.total')}
            </th>
            <td className="num">{n(totals.messages)}</td>
            <td className="num">{n(linksOf(totals))}</td>
            <td className="num">{n(totals.officialLinks)}</td>
            <td className="num">{n(totals.otherLinks)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** 報表 › 導購連結報表: 總訊息數目 and 導購連結數量 (官網連結 / 非官網連結) over a range, by day, channel and sender. */
export function ReportSection() {
  const { t, i18n } = useTranslation();
  const n = (value: number) => formatNumber(value, i18n.language);
  const { range, report, state, error } = useAppStore(
    useShallow((store) => ({ range: store.reportRange, report: store.report, state: store.reportState, error: store.reportError })),
  );
  const actions = useAppStore(
    useShallow((store) => ({ setPreset: store.setReportPreset, setDates: store.setReportDates, load: store.loadReport })),
  );
  const { load } = actions;

  // Each visit asks again (a preset's days end today; broadcasts may have ended since).
  useEffect(() => {
    void load();
  }, [load]);

  const totals = report?.totals ?? null;
  // The bars are for the days the report answered, not for dates being edited.
  const shownFrom = report ? dayKey(new Date(report.from)) : range.from;
  const shownTo = report ? dayKey(new Date(report.to - 1)) : range.to;
  const buckets = useMemo(() => (report ? chartBuckets(report.rows, shownFrom, shownTo) : []), [report, shownFrom, shownTo]);
  const summary = totals
    ? t('report.chartLabel', {
        from: formatCalendarKey(shownFrom, 'long', i18n.language),
        to: formatCalendarKey(shownTo, 'long', i18n.language),
        messages: n(totals.messages),
        links: n(linksOf(totals)),
        official: n(totals.officialLinks),
        other: n(totals.otherLinks),
      })
    : '';
  const monthly = buckets[0]?.unit === 'month';

  return (
    <section className="section" data-testid="section-report" aria-labelledby="section-report-title">
      <PageHeader titleId="section-report-title" breadcrumb={t('report.breadcrumb')} title={t('report.title')} subtitle={t('report.subtitle')} />
      <div className="section__body report" data-testid="report" data-state={state} aria-busy={state === 'loading'}>
        <RangeBar range={range} onPreset={actions.setPreset} onDates={actions.setDates} />

        {error ? (
          <div className="report__error">
            <Alert testId="report-error" title={t('report.loadFailed')} message={t(ERROR_MESSAGE_KEYS[error])} />
            <div>
              <Button size="sm" icon="refresh" onClick={() => void load()} data-testid="report-retry">
                {t('report.retry')}
              </Button>
            </div>
          </div>
        ) : null}

        <div className="counters counters--report">
          <Counter icon="message" tone="messages" label={t('report.totalMessages')} hint={t('report.totalMessagesHint')} value={totals?.messages ?? null} testId="report-messages" />
          <Counter icon="link" tone="links" label={t('report.referralLinks')} hint={t('report.referralLinksHint')} value={totals ? linksOf(totals) : null} testId="report-links" />
          <Counter icon="globe" tone="official" label={t('report.official')} hint={t('report.officialHint')} value={totals?.officialLinks ?? null} testId="report-official" />
          <Counter icon="link" tone="other" label={t('report.other')} hint={t('report.otherHint')} value={totals?.otherLinks ?? null} testId="report-other" />
        </div>

        {report ? (
          <p className="report__source" data-testid="report-source" data-source={report.source}>
            <Icon name={report.source === 'platform' ? 'globe' : 'layers'} size={15} />
            <span>{t(report.source === 'platform' ? 'report.source.platform' : 'report.source.local')}</span>
            {report.pendingReports > 0 ? (
              <span className="report__pending" data-testid="report-pending" data-count={report.pendingReports}>
                <Icon name="wifiOff" size={14} />
                {t('report.pending', { count: report.pendingReports, n: n(report.pendingReports) })}
              </span>
            ) : null}
          </p>
        ) : null}

        <section className="card report__chart" aria-labelledby="report-chart-title">
          <div className="report__chart-head">
            <h2 id="report-chart-title" className="card__title">
              {t(monthly ? 'report.chartMonthly' : 'report.chartDaily')}
            </h2>
            <ChartLegend />
          </div>
          {report ? <ReportChart buckets={buckets} summary={summary} /> : <div className="chart chart--placeholder" aria-hidden="true" />}
          <div className="report__definitions" data-testid="report-definitions">
            <h3 className="report__definitions-title">{t('report.definitionsTitle')}</h3>
            <ul>
              <li>{t('report.definitionMessage')}</li>
              <li>{t('report.definitionLink')}</li>
            </ul>
          </div>
        </section>

        <section className="card" aria-labelledby="report-senders-title">
          <h2 id="report-senders-title" className="card__title">
            {t('report.bySender')}
          </h2>
          {report ? <SenderTable report={report} /> : <p className="report__none">{t('report.loading')}</p>}
        </section>
      </div>
    </section>
  );
}

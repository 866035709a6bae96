import { useTranslation } from 'react-i18next';
import { formatCalendarKey, formatNumber } from '../../i18n/format';
import { linksOf, niceScale, type ChartBucket } from './model';

const WIDTH = 720;
const HEIGHT = 240;
const MARGIN = { top: 14, right: 8, bottom: 30, left: 44 };
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;
/** At most this many labels along the axis; the others are left out (every bar keeps its tooltip). */
const MAX_LABELS = 12;

export interface ReportChartProps {
  buckets: readonly ChartBucket[];
  /** Already translated: what the whole chart says, for screen readers. */
  summary: string;
}

/**
 * Total messages against referral links, per day (or month): two bars side by side, the links' bar stacked
 * 官網連結 under 非官網連結. Hand-drawn SVG; one accessible summary, a tooltip per bar.
 */
export function ReportChart({ buckets, summary }: ReportChartProps) {
  const { t, i18n } = useTranslation();
  const n = (value: number) => formatNumber(value, i18n.language);
  const max = Math.max(0, ...buckets.map((bucket) => Math.max(bucket.messages, linksOf(bucket))));
  const { top, step } = niceScale(max);
  const y = (value: number) => MARGIN.top + PLOT_HEIGHT - (value / top) * PLOT_HEIGHT;
  const slot = buckets.length === 0 ? PLOT_WIDTH : PLOT_WIDTH / buckets.length;
  const barWidth = Math.max(2, Math.min(18, slot * 0.34));
  const gap = Math.min(3, slot * 0.06);
  const labelEvery = Math.max(1, Math.ceil(buckets.length / MAX_LABELS));
  const ticks: number[] = [];
  for (let value = 0; value <= top; value += step) ticks.push(value);
  const empty = max === 0;

  return (
    <svg
      className="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={summary}
      data-testid="report-chart"
      data-bars={buckets.length}
      data-unit={buckets[0]?.unit ?? 'day'}
    >
      <g className="chart__grid" aria-hidden="true">
        {ticks.map((value) => (
          <g key={value}>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(value)} y2={y(value)} className={value === 0 ? 'chart__axis' : 'chart__gridline'} />
            <text x={MARGIN.left - 8} y={y(value)} className="chart__tick" textAnchor="end" dominantBaseline="middle">
              {n(value)}
            </text>
          </g>
        ))}
      </g>
      {buckets.map((bucket, index) => {
        const center = MARGIN.left + slot * index + slot / 2;
        const period = formatCalendarKey(bucket.key, 'long', i18n.language);
        const base = y(0);
        const officialTop = y(bucket.officialLinks);
        const linksTop = y(linksOf(bucket));
        return (
          <g
            key={bucket.key}
            className="chart__group"
            data-testid="report-bar"
            data-period={bucket.key}
            data-messages={bucket.messages}
            data-official={bucket.officialLinks}
            data-other={bucket.otherLinks}
          >
            <title>
              {t('report.barTitle', {
                period,
                messages: n(bucket.messages),
                official: n(bucket.officialLinks),
                other: n(bucket.otherLinks),
              })}
            </title>
            {/* The slot is the tooltip's target, so a day at zero still has one. */}
            <rect className="chart__slot" x={center - slot / 2} y={MARGIN.top} width={slot} height={PLOT_HEIGHT} />
            {bucket.messages > 0 ? (
              <rect className="chart__bar chart__bar--messages" x={center - barWidth - gap / 2} y={y(bucket.messages)} width={barWidth} height={base - y(bucket.messages)} rx={Math.min(3, barWidth / 3)} />
            ) : null}
            {bucket.officialLinks > 0 ? (
              <rect className="chart__bar chart__bar--official" x={center + gap / 2} y={officialTop} width={barWidth} height={base - officialTop} />
            ) : null}
            {bucket.otherLinks > 0 ? (
              <rect className="chart__bar chart__bar--other" x={center + gap / 2} y={linksTop} width={barWidth} height={officialTop - linksTop} />
            ) : null}
            {index % labelEvery === 0 ? (
              <text x={center} y={HEIGHT - MARGIN.bottom + 18} className="chart__label" textAnchor="middle" aria-hidden="true">
                {formatCalendarKey(bucket.key, 'short', i18n.language)}
              </text>
            ) : null}
          </g>
        );
      })}
      {empty ? (
        <text x={MARGIN.left + PLOT_WIDTH / 2} y={MARGIN.top + PLOT_HEIGHT / 2} className="chart__empty" textAnchor="middle" data-testid="report-chart-empty">
          {t('report.chartEmpty')}
        </text>
      ) : null}
    </svg>
  );
}

/** The chart's key: what each colour counts. */
export function ChartLegend() {
  const { t } = useTranslation();
  return (
    <ul className="chart-legend">
      <li>
        <span className="chart-legend__swatch chart-legend__swatch--messages" aria-hidden="true" />
        {t('report.legend.messages')}
      </li>
      <li>
        <span className="chart-legend__swatch chart-legend__swatch--official" aria-hidden="true" />
        {t('report.legend.official')}
      </li>
      <li>
        <span className="chart-legend__swatch chart-legend__swatch--other" aria-hidden="true" />
        {t('report.legend.other')}
      </li>
    </ul>
  );
}

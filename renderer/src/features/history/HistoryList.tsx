import { useTranslation } from 'react-i18next';
import type { HistoryItem, RecipientCounts } from '../../../../preload/contract';
import { Badge } from '../../components/Badge';
import { Icon } from '../../components/Icon';
import { formatDateTime, formatNumber } from '../../i18n/format';
import { stateLabel } from '../broadcast/labels';
import { ChannelBadge } from '../events/ChannelBadge';
import { kindLabel, stateTone } from './labels';

/** A bar of accepted / failed / unknown / skipped out of everyone, as the progress view draws it, in small. */
export function CountsBar({ counts, total }: { counts: RecipientCounts; total: number }) {
  const share = (value: number) => (total === 0 ? 0 : (value * 100) / total);
  return (
    <span className="progress progress--thin" aria-hidden="true">
      <span className="progress__part progress__part--accepted" style={{ width: `${share(counts.accepted)}%` }} />
      <span className="progress__part progress__part--failed" style={{ width: `${share(counts.failed)}%` }} />
      <span className="progress__part progress__part--unknown" style={{ width: `${share(counts.unknown)}%` }} />
      <span className="progress__part progress__part--skipped" style={{ width: `${share(counts.skipped)}%` }} />
    </span>
  );
}

/** 已送出 N · 失敗 N · 略過 N · 狀態不明 N: the four outcomes, the ones at zero quieter. */
export function CountsLine({ counts }: { counts: RecipientCounts }) {
  const { t, i18n } = useTranslation();
  const rows = [
    { key: 'accepted', label: t('history.counts.accepted'), value: counts.accepted },
    { key: 'failed', label: t('history.counts.failed'), value: counts.failed },
    { key: 'skipped', label: t('history.counts.skipped'), value: counts.skipped },
    { key: 'unknown', label: t('history.counts.unknown'), value: counts.unknown },
  ] as const;
  return (
    <span className="count-line">
      {rows.map((row) => (
        <span key={row.key} className={`count-line__item count-line__item--${row.key}${row.value === 0 ? ' count-line__item--zero' : ''}`}>
          <span className="count-line__dot" aria-hidden="true" />
          {row.label}
          <strong>{formatNumber(row.value, i18n.language)}</strong>
        </span>
      ))}
    </span>
  );
}

/** The title of a broadcast, or what it was without text. */
export function BroadcastTitle({ item }: { item: Pick<HistoryItem, 'title' | 'imageSha256'> }) {
  const { t } = useTranslation();
  if (item.title) return <span data-user-content>{item.title}</span>;
  return <span className="history-card__untitled">{item.imageSha256 ? t('history.item.imageOnly') : t('history.item.untitled')}</span>;
}

/** 重試 / 重送, as a link to the broadcast it retried. */
export function KindTag({ item, onOpenOrigin }: { item: HistoryItem; onOpenOrigin: (id: string) => void }) {
  const { t } = useTranslation();
  if (item.kind === 'original') return null;
  const label = kindLabel(t, item.kind);
  if (item.originId === null) {
    return (
      <Badge tone="warning" data-testid="history-item-kind" data-kind={item.kind}>
        {label}
      </Badge>
    );
  }
  const originId = item.originId;
  return (
    <button
      type="button"
      className="badge badge--warning kind-tag"
      data-testid="history-item-origin"
      data-kind={item.kind}
      data-origin-id={originId}
      title={t('history.item.origin')}
      aria-label={`${label}: ${t('history.item.origin')}`}
      onClick={(event) => {
        event.stopPropagation();
        onOpenOrigin(originId);
      }}
    >
      <Icon name="refresh" size={12} />
      {label}
    </button>
  );
}

export interface HistoryListProps {
  items: readonly HistoryItem[];
  thumbUrl: (sha256: string) => string;
  onOpen: (id: string) => void;
}

/** 發送紀錄: each broadcast, newest first, with its thumbnail, first line, sender, channels, outcome and state. */
export function HistoryList({ items, thumbUrl, onOpen }: HistoryListProps) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="history-cards" aria-label={t('history.listLabel')}>
      {items.map((item) => {
        const thumb = item.imageSha256 ? thumbUrl(item.imageSha256) : '';
        return (
          // The whole card opens the broadcast; its title is the button keyboards reach.
          <li
            key={item.id}
            className={`history-card history-card--${stateTone(item.state)}`}
            data-testid="history-item"
            data-broadcast-id={item.id}
            data-state={item.state}
            data-kind={item.kind}
            data-accepted={item.counts.accepted}
            data-failed={item.counts.failed}
            data-skipped={item.counts.skipped}
            data-unknown={item.counts.unknown}
            onClick={() => onOpen(item.id)}
          >
            <div className="history-card__thumb">
              {thumb ? <img src={thumb} alt="" data-testid="history-thumb" loading="lazy" /> : <Icon name="message" size={22} />}
            </div>
            <div className="history-card__body">
              <span className="history-card__head">
                <button type="button" className="history-card__title" data-testid="history-item-open" onClick={(event) => {
                  event.stopPropagation();
                  onOpen(item.id);
                }}>
                  <BroadcastTitle item={item} />
                </button>
                <KindTag item={item} onOpenOrigin={onOpen} />
              </span>
              <span className="history-card__meta">
                <time dateTime={new Date(item.createdAt).toISOString()}>{formatDateTime(item.createdAt, i18n.language)}</time>
                <span aria-hidden="true">·</span>
                <span className="history-card__sender" data-testid="history-item-sender">
                  <Icon name="users" size={13} />
                  <span className="visually-hidden">{t('history.detail.sender')}</span>
                  <span data-user-content>{item.senderName}</span>
                </span>
                <span aria-hidden="true">·</span>
                <span className="history-card__channels">
                  {item.channels.map((channel) => (
                    <ChannelBadge key={channel} channel={channel} />
                  ))}
                </span>
                <span aria-hidden="true">·</span>
                <span>{t('history.item.recipients', { count: item.total, n: formatNumber(item.total, i18n.language) })}</span>
              </span>
              <span className="history-card__outcome">
                <CountsBar counts={item.counts} total={item.total} />
                <CountsLine counts={item.counts} />
              </span>
            </div>
            <div className="history-card__side">
              <Badge tone={stateTone(item.state)} data-testid="history-item-state">
                {stateLabel(t, item.state)}
              </Badge>
              <Icon name="chevronRight" size={18} className="history-card__chevron" />
            </div>
          </li>
        );
      })}
    </ul>
  );
}

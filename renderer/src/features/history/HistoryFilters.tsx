import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel } from '../../../../preload/contract';
import { Icon } from '../../components/Icon';
import type { HistoryFilters } from '../../store';
import { isStateFilter, STATE_FILTERS, stateFilterLabel } from './labels';

/** How long typing pauses before the search runs (each search is a query of main's database). */
export const SEARCH_DEBOUNCE_MS = 300;

function isChannelFilter(value: string): value is 'all' | Channel {
  return value === 'all' || value === 'line' || value === 'whatsapp';
}

/**
 * A search box whose value reaches `onSearch` once typing pauses; Escape clears it at once. `value` is the search
 * in force (a "clear filters" elsewhere empties the box too).
 */
export function DebouncedSearch({
  value,
  onSearch,
  label,
  placeholder,
  testId,
}: {
  value: string;
  onSearch: (value: string) => void;
  label: string;
  placeholder: string;
  testId: string;
}) {
  const [text, setText] = useState(value);
  const [applied, setApplied] = useState(value);
  // The search in force changed from outside (cleared): the box follows it.
  if (value !== applied) {
    setApplied(value);
    setText(value);
  }
  useEffect(() => {
    if (text === value) return undefined;
    const timer = window.setTimeout(() => onSearch(text), SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [text, value, onSearch]);
  return (
    <div className="search">
      <Icon name="search" size={16} className="search__icon" />
      <input
        type="search"
        className="input search__input"
        placeholder={placeholder}
        aria-label={label}
        data-testid={testId}
        value={text}
        spellCheck={false}
        onChange={(event) => setText(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && text) {
            event.preventDefault();
            setText('');
            onSearch('');
          }
        }}
      />
    </div>
  );
}

export interface HistoryFilterBarProps {
  filters: HistoryFilters;
  onChange: (patch: Partial<HistoryFilters>) => void;
  onSearch: (search: string) => void;
}

/** 發送紀錄's filters: a search of the text and the sender, a date range, the channel and the state. */
export function HistoryFilterBar({ filters, onChange, onSearch }: HistoryFilterBarProps) {
  const { t } = useTranslation();
  const backwards = filters.from !== '' && filters.to !== '' && filters.from > filters.to;
  return (
    <div className="history-filters">
      <div className="filters" role="search" aria-label={t('history.filters.label')}>
        <DebouncedSearch
          value={filters.search}
          onSearch={onSearch}
          label={t('history.filters.search')}
          placeholder={t('history.filters.searchPlaceholder')}
          testId="history-search"
        />
        <div className={filters.from || filters.to ? 'date-range date-range--active' : 'date-range'}>
          <input
            type="date"
            className="input date-range__input"
            aria-label={t('history.filters.from')}
            title={t('history.filters.from')}
            data-testid="history-from"
            value={filters.from}
            max={filters.to || undefined}
            onChange={(event) => onChange({ from: event.currentTarget.value })}
          />
          <span className="date-range__sep">{t('history.filters.dateSeparator')}</span>
          <input
            type="date"
            className="input date-range__input"
            aria-label={t('history.filters.to')}
            title={t('history.filters.to')}
            data-testid="history-to"
            value={filters.to}
            min={filters.from || undefined}
            onChange={(event) => onChange({ to: event.currentTarget.value })}
          />
        </div>
        <select
          className={filters.channel === 'all' ? 'select select--compact' : 'select select--compact select--active'}
          aria-label={t('history.filters.channel')}
          data-testid="history-channel"
          value={filters.channel}
          onChange={(event) => {
            const value = event.currentTarget.value;
            if (isChannelFilter(value)) onChange({ channel: value });
          }}
        >
          <option value="all">{t('history.filters.channelAll')}</option>
          <option value="line">{t('events.channels.line')}</option>
          <option value="whatsapp">{t('events.channels.whatsapp')}</option>
        </select>
        <select
          className={filters.state === 'all' ? 'select select--compact' : 'select select--compact select--active'}
          aria-label={t('history.filters.state')}
          data-testid="history-state"
          value={filters.state}
          onChange={(event) => {
            const value = event.currentTarget.value;
            if (isStateFilter(value)) onChange({ state: value });
          }}
        >
          {STATE_FILTERS.map((filter) => (
            <option key={filter} value={filter}>
              {stateFilterLabel(t, filter)}
            </option>
          ))}
        </select>
      </div>
      {backwards ? (
        <p className="history-filters__hint" role="status" data-testid="history-dates-backwards">
          <Icon name="info" size={14} />
          {t('history.filters.backwards')}
        </p>
      ) : null}
    </div>
  );
}

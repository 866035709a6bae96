import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { formatNumber } from '../../i18n/format';
import { useAppStore } from '../../store';
import { Popover, usePopover } from './Menu';
import type { ChannelFilter, SortOrder } from './model';

function isChannelFilter(value: string): value is ChannelFilter {
  return value === 'all' || value === 'line' || value === 'whatsapp';
}

function TagFilter({ tags, selected, onChange }: { tags: readonly string[]; selected: readonly string[]; onChange: (tags: string[]) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  const root = usePopover(open, close);
  const label = selected.length === 0 ? t('events.filters.tagAll') : t('events.filters.tagSome', { count: selected.length });
  return (
    <div className="filter-tag" ref={root}>
      <button
        type="button"
        className={selected.length > 0 ? 'select select--button select--active' : 'select select--button'}
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={`${t('events.filters.tag')}: ${label}`}
        data-testid="filter-tag"
        data-selected={selected.join(',')}
        onClick={() => setOpen((value) => !value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setOpen(false);
        }}
      >
        <Icon name="tag" size={14} />
        <span>{label}</span>
      </button>
      {open ? (
        <Popover label={t('events.filters.tag')}>
          <div
            className="tag-options"
            onKeyDown={(event) => {
              if (event.key === 'Escape') setOpen(false);
            }}
          >
            <p className="tag-options__hint">{t('events.filters.tagHint')}</p>
            {tags.length === 0 ? <p className="muted">{t('events.filters.noTags')}</p> : null}
            <div className="tag-options__list">
              {tags.map((tag) => {
                const checked = selected.includes(tag);
                return (
                  <label key={tag} className="tag-option">
                    <input
                      type="checkbox"
                      checked={checked}
                      data-testid="filter-tag-option"
                      data-tag={tag}
                      onChange={() => onChange(checked ? selected.filter((value) => value !== tag) : [...selected, tag])}
                    />
                    <span data-user-content>{tag}</span>
                  </label>
                );
              })}
            </div>
            {selected.length > 0 ? (
              <button type="button" className="link-btn" onClick={() => onChange([])}>
                {t('events.filters.tagClear')}
              </button>
            ) : null}
          </div>
        </Popover>
      ) : null}
    </div>
  );
}

/** Channel, tags, store, a name search and the sort; the count of rows shown. */
export function EventFilters() {
  const { t, i18n } = useTranslation();
  const filters = useAppStore((state) => state.filters);
  const list = useAppStore((state) => state.eventList);
  const shown = useAppStore((state) => state.filteredRows.length);
  const setFilters = useAppStore((state) => state.setFilters);
  const total = useAppStore((state) => state.eventIndex?.table.count ?? 0);
  const n = (value: number) => formatNumber(value, i18n.language);

  return (
    <div className="filters" role="search" aria-label={t('events.filters.label')}>
      <div className="search">
        <Icon name="search" size={16} className="search__icon" />
        <input
          type="search"
          className="input search__input"
          placeholder={t('events.filters.searchPlaceholder')}
          aria-label={t('events.filters.search')}
          data-testid="search-input"
          value={filters.query}
          spellCheck={false}
          onChange={(event) => setFilters({ query: event.currentTarget.value })}
          onKeyDown={(event) => {
            if (event.key === 'Escape' && filters.query) {
              event.preventDefault();
              setFilters({ query: '' });
            }
          }}
        />
      </div>
      <select
        className={filters.channel === 'all' ? 'select select--compact' : 'select select--compact select--active'}
        aria-label={t('events.filters.channel')}
        data-testid="filter-channel"
        value={filters.channel}
        onChange={(event) => {
          const value = event.currentTarget.value;
          if (isChannelFilter(value)) setFilters({ channel: value });
        }}
      >
        <option value="all">{t('events.filters.channelAll')}</option>
        <option value="line">{t('events.channels.line')}</option>
        <option value="whatsapp">{t('events.channels.whatsapp')}</option>
      </select>
      <TagFilter tags={list?.tags ?? []} selected={filters.tags} onChange={(tags) => setFilters({ tags })} />
      <select
        className={filters.store === '' ? 'select select--compact' : 'select select--compact select--active'}
        aria-label={t('events.filters.store')}
        data-testid="filter-store"
        value={filters.store}
        onChange={(event) => setFilters({ store: event.currentTarget.value })}
      >
        <option value="">{t('events.filters.storeAll')}</option>
        {(list?.stores ?? []).map((store) => (
          <option key={store.id} value={store.id} data-user-content>
            {store.name}
          </option>
        ))}
      </select>
      <select
        className="select select--compact"
        aria-label={t('events.filters.sort')}
        data-testid="sort-order"
        value={filters.sort}
        onChange={(event) => setFilters({ sort: event.currentTarget.value as SortOrder })}
      >
        <option value="newest">{t('events.filters.newest')}</option>
        <option value="oldest">{t('events.filters.oldest')}</option>
      </select>
      <span className="filters__count" data-testid="events-shown" data-shown={shown} data-total={total}>
        {shown === total ? t('events.shown', { count: total, total: n(total) }) : t('events.shownFiltered', { count: total, shown: n(shown), total: n(total) })}
      </span>
    </div>
  );
}

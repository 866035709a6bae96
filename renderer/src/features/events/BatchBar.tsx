import { useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { formatNumber } from '../../i18n/format';
import { useAppStore } from '../../store';
import { Popover, usePopover } from './Menu';

/** Batch mode's bar: 快速全選 (top left), the count per channel, and 批量動作 → 發送訊息. */
export function BatchBar() {
  const { t, i18n } = useTranslation();
  const filtered = useAppStore((state) => state.filteredRows.length);
  const selectAllFiltered = useAppStore((state) => state.selectAllFiltered);
  const clearSelection = useAppStore((state) => state.clearSelection);
  const openComposer = useAppStore((state) => state.openComposer);
  const counts = useAppStore((state) => state.selectionCounts);
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const closeMenu = useCallback(() => setMenuOpen(false), []);
  const menuRoot = usePopover(menuOpen, closeMenu);
  const n = (value: number) => formatNumber(value, i18n.language);

  return (
    <div className="batchbar" role="toolbar" aria-label={t('events.batchManage')} data-testid="batch-bar">
      <div className="batchbar__left">
        <Button
          icon="checkSquare"
          size="sm"
          variant="primary"
          disabled={filtered === 0}
          title={t('events.selectAllHint')}
          data-testid="select-all"
          onClick={selectAllFiltered}
        >
          {t('events.selectAll')}
        </Button>
        <span
          className={counts.total > 0 ? 'batchbar__count batchbar__count--some' : 'batchbar__count'}
          data-testid="selection-count"
          data-total={counts.total}
          data-line={counts.line}
          data-whatsapp={counts.whatsapp}
          aria-live="polite"
        >
          {t('events.selectedCount', { count: counts.total, total: n(counts.total), line: n(counts.line), whatsapp: n(counts.whatsapp) })}
        </span>
        {counts.total > 0 ? (
          <button type="button" className="link-btn" data-testid="clear-selection" onClick={clearSelection}>
            {t('events.clearSelection')}
          </button>
        ) : (
          <span className="batchbar__hint">{t('events.batchHint')}</span>
        )}
      </div>
      <div className="batchbar__right" ref={menuRoot}>
        <Button
          ref={menuButton}
          size="sm"
          icon="layers"
          aria-haspopup="menu"
          aria-expanded={menuOpen}
          data-testid="batch-actions"
          onClick={() => setMenuOpen((open) => !open)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') setMenuOpen(false);
          }}
        >
          <span className="btn__with-caret">
            {t('events.batchActions')}
            <Icon name="chevronDown" size={14} />
          </span>
        </Button>
        {menuOpen ? (
          <Popover align="right" role="menu" label={t('events.batchActions')}>
            <button
              type="button"
              role="menuitem"
              className="menu-item"
              disabled={counts.total === 0}
              data-testid="batch-send"
              autoFocus
              onKeyDown={(event) => {
                if (event.key === 'Escape') {
                  setMenuOpen(false);
                  menuButton.current?.focus();
                }
              }}
              onClick={() => {
                setMenuOpen(false);
                void openComposer();
              }}
            >
              <Icon name="send" size={16} />
              <span className="menu-item__text">
                <span>{t('events.sendMessage')}</span>
                {counts.total === 0 ? <span className="menu-item__hint">{t('events.sendMessageHint')}</span> : null}
              </span>
            </button>
          </Popover>
        ) : null}
      </div>
    </div>
  );
}

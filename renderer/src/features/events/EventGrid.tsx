import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNow } from '../../i18n/format';
import { useAppStore } from '../../store';
import { EventRow } from './EventRow';
import { CHANNEL_OF_CODE, positionOf, type EventIndex } from './model';

/** Fixed row height (px): the virtualizer never measures. */
export const ROW_HEIGHT = 56;
const HEADER_HEIGHT = 40;
const PAGE_ROWS = 10;

/** 'omo:grid-painted' is marked once per page load, at the first frame that shows rows (the benchmark reads it). */
let gridPaintMarked = false;

/** For tests: mark the next first paint again. */
export function resetGridPaintMark(): void {
  gridPaintMarked = false;
}

function mark(name: string): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(name);
}

/**
 * The virtualised grid of in-progress events. One focusable element (the scroll container) holds a roving focused row
 * (aria-activedescendant); in batch mode clicks and keys select.
 */
export function EventGrid({ index, rows }: { index: EventIndex; rows: Int32Array }) {
  const { t, i18n } = useTranslation();
  const gridId = useId();
  const scrollRef = useRef<HTMLDivElement>(null);
  const selection = useAppStore((state) => state.selection);
  const batchMode = useAppStore((state) => state.batchMode);
  const showAssignee = useAppStore((state) => state.session?.user?.role === 'sales_manager');
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const now = useNow(30_000);
  const language = i18n.language;
  const { list } = index;
  const columns = list.rows;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: useCallback(() => ROW_HEIGHT, []),
    overscan: 10,
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
  });

  const focusPos = useMemo(() => {
    const position = positionOf(index, rows, focusedId);
    return position < 0 ? 0 : position;
  }, [index, rows, focusedId]);

  const idAt = useCallback(
    (position: number): string | null => {
      const row = rows[position];
      return row === undefined ? null : (columns.ids[row] ?? null);
    },
    [rows, columns],
  );

  // Performance marks for the benchmark: the first painted rows, and every painted selection change.
  const hasRows = rows.length > 0;
  useEffect(() => {
    if (gridPaintMarked || !hasRows) return;
    gridPaintMarked = true;
    requestAnimationFrame(() => mark('omo:grid-painted'));
  }, [hasRows]);
  const lastSelection = useRef(selection);
  useEffect(() => {
    if (lastSelection.current === selection) return;
    lastSelection.current = selection;
    requestAnimationFrame(() => mark('omo:selection-painted'));
  }, [selection]);

  const labels = useMemo(
    () => ({ justNow: t('events.justNow'), noStore: t('events.noStore'), unassigned: t('events.unassigned') }),
    [t],
  );

  const moveTo = (target: number, extend: boolean) => {
    if (rows.length === 0) return;
    const position = Math.max(0, Math.min(rows.length - 1, target));
    const id = idAt(position);
    if (id === null) return;
    if (extend && batchMode) {
      const store = useAppStore.getState();
      if (positionOf(index, rows, store.anchorId) < 0) store.setAnchor(idAt(focusPos));
      useAppStore.getState().selectRangeTo(id);
    }
    setFocusedId(id);
    virtualizer.scrollToIndex(position, { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const store = useAppStore.getState();
    const mod = event.ctrlKey || event.metaKey;
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        moveTo(focusPos + 1, event.shiftKey);
        break;
      case 'ArrowUp':
        moveTo(focusPos - 1, event.shiftKey);
        break;
      case 'PageDown':
        moveTo(focusPos + PAGE_ROWS, event.shiftKey);
        break;
      case 'PageUp':
        moveTo(focusPos - PAGE_ROWS, event.shiftKey);
        break;
      case 'Home':
        moveTo(0, event.shiftKey);
        break;
      case 'End':
        moveTo(rows.length - 1, event.shiftKey);
        break;
      case ' ':
      case 'Spacebar': {
        const id = idAt(focusPos);
        if (batchMode && id !== null) {
          store.toggleSelected(id);
          setFocusedId(id);
        }
        break;
      }
      case 'a':
      case 'A':
        if (mod && batchMode) store.selectAllFiltered();
        else handled = false;
        break;
      case 'Escape':
        if (!batchMode) handled = false;
        else if (store.selection.size > 0) store.clearSelection();
        else store.setBatchMode(false);
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  };

  const rowFromEvent = (event: MouseEvent): string | null => {
    const target = (event.target as Element).closest('[data-event-id]');
    return target?.getAttribute('data-event-id') ?? null;
  };

  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const id = rowFromEvent(event);
    if (id === null) return;
    setFocusedId(id);
    if (!batchMode) return;
    const store = useAppStore.getState();
    if (event.shiftKey) store.selectRangeTo(id);
    else store.toggleSelected(id);
  };

  // Shift-click selects a range, not the text between two clicks.
  const onMouseDown = (event: MouseEvent<HTMLDivElement>) => {
    if (event.shiftKey && batchMode) event.preventDefault();
  };

  const items = virtualizer.getVirtualItems();
  const focusedDomId = rows.length > 0 ? `${gridId}-row-${focusPos}` : undefined;
  let className = 'grid';
  if (batchMode) className += ' grid--batch';
  if (showAssignee) className += ' grid--assignee';

  return (
    <div
      ref={scrollRef}
      className={className}
      role="grid"
      aria-label={t('events.gridLabel')}
      aria-rowcount={rows.length + 1}
      aria-multiselectable={batchMode || undefined}
      aria-activedescendant={focusedDomId}
      tabIndex={0}
      data-testid="events-grid"
      data-rows={rows.length}
      onKeyDown={onKeyDown}
      onClick={onClick}
      onMouseDown={onMouseDown}
    >
      <div className="grid-head" role="row" aria-rowindex={1}>
        {batchMode ? (
          <div role="columnheader" className="grid-cell grid-cell--check">
            <span className="visually-hidden">{t('events.columns.select')}</span>
          </div>
        ) : null}
        <div role="columnheader" className="grid-cell">
          {t('events.columns.customer')}
        </div>
        <div role="columnheader" className="grid-cell">
          {t('events.columns.channel')}
        </div>
        <div role="columnheader" className="grid-cell">
          {t('events.columns.lastMessage')}
        </div>
        <div role="columnheader" className="grid-cell">
          {t('events.columns.tags')}
        </div>
        <div role="columnheader" className="grid-cell">
          {t('events.columns.store')}
        </div>
        {showAssignee ? (
          <div role="columnheader" className="grid-cell">
            {t('events.columns.assignee')}
          </div>
        ) : null}
      </div>
      <div className="grid-body" role="rowgroup" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const row = rows[item.index] as number;
          const id = columns.ids[row] as string;
          const storeIndex = columns.storeIndex[row] ?? -1;
          const assigneeIndex = columns.assigneeIndex[row] ?? -1;
          return (
            <EventRow
              key={id}
              domId={`${gridId}-row-${item.index}`}
              id={id}
              position={item.index}
              name={columns.names[row] as string}
              channel={CHANNEL_OF_CODE[columns.channels[row] as number] ?? 'line'}
              lastMessageAt={columns.lastMessageAt[row] as number}
              tagIndex={columns.tagIndex[row] as number[]}
              tagNames={list.tags}
              store={storeIndex >= 0 ? (list.stores[storeIndex]?.name ?? null) : null}
              assignee={assigneeIndex >= 0 ? (list.assignees[assigneeIndex]?.name ?? null) : null}
              showAssignee={showAssignee}
              hasAvatar={columns.avatar[row] === true}
              selected={selection.has(id)}
              focused={item.index === focusPos}
              batchMode={batchMode}
              start={item.start - HEADER_HEIGHT}
              now={now}
              language={language}
              labels={labels}
            />
          );
        })}
      </div>
    </div>
  );
}

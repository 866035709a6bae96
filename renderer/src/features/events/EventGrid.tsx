import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime, useNow } from '../../i18n/format';
import { useAppStore } from '../../store';
import { mark } from '../../perf/marks';
import { EventRow, type RowLabels } from './EventRow';
import { CHANNEL_OF_CODE, positionOf, type EventIndex } from './model';

/** Fixed row height (px): the virtualizer never measures. */
export const ROW_HEIGHT = 56;
const HEADER_HEIGHT = 40;
const PAGE_ROWS = 10;
/** Rows rendered beyond each edge of the viewport: enough for a wheel notch, few enough to keep a jump cheap. */
const OVERSCAN = 4;
/**
 * Row elements are keyed by slot (display position modulo this), not by event: a scroll that brings in new rows
 * reuses the elements of the rows that left (React updates their text) instead of unmounting and mounting them.
 */
const MIN_SLOTS = 64;

/** 'omo:grid-painted' is marked once per page load, at the first frame that shows rows (the benchmark reads it). */
let gridPaintMarked = false;

/** For tests: mark the next first paint again. */
export function resetGridPaintMark(): void {
  gridPaintMarked = false;
}

/** The column headers: memoised, so scrolling (which re-renders the grid) does not re-render them. */
const GridHead = memo(function GridHead({ batchMode, showAssignee }: { batchMode: boolean; showAssignee: boolean }) {
  const { t } = useTranslation();
  return (
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
  );
});

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
  const { list, table } = index;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: useCallback(() => ROW_HEIGHT, []),
    overscan: OVERSCAN,
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
      return row === undefined ? null : (table.ids[row] ?? null);
    },
    [rows, table],
  );

  // Performance marks for the benchmark: the first painted rows, and every painted selection change.
  const hasRows = rows.length > 0;
  useEffect(() => {
    if (gridPaintMarked || !hasRows) return;
    gridPaintMarked = true;
    mark('omo:grid-committed');
    requestAnimationFrame(() => mark('omo:grid-painted'));
  }, [hasRows]);
  const lastSelection = useRef(selection);
  useEffect(() => {
    if (lastSelection.current === selection) return;
    lastSelection.current = selection;
    requestAnimationFrame(() => mark('omo:selection-painted'));
  }, [selection]);

  const labels = useMemo<RowLabels>(
    () => ({
      justNow: t('events.justNow'),
      noStore: t('events.noStore'),
      unassigned: t('events.unassigned'),
      line: t('events.channels.line'),
      whatsapp: t('events.channels.whatsapp'),
    }),
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

  // The time cell's tooltip (the full date and time) is formatted when the pointer first reaches it, not for every row
  // that scrolls past.
  const onPointerOver = (event: PointerEvent<HTMLDivElement>) => {
    const cell = (event.target as Element).closest('[data-time]');
    if (cell === null) return;
    const title = formatDateTime(Number(cell.getAttribute('data-time')), language);
    if (cell.getAttribute('title') !== title) cell.setAttribute('title', title);
  };

  // Shift-click selects a range, not the text between two clicks.
  const onMouseDown = (event: MouseEvent<HTMLDivElement>) => {
    if (event.shiftKey && batchMode) event.preventDefault();
  };

  const items = virtualizer.getVirtualItems();
  // A fling (over an eighth of a screen since the last render, i.e. ≳ 7 screens a second): rows pass by before an
  // avatar could arrive and be drawn (each is an image request, a decode, and for SVG a document to lay out), so they
  // show the initial and nothing is requested; the images load as soon as the list slows down or stops.
  const offset = virtualizer.scrollOffset ?? 0;
  const lastOffset = useRef(offset);
  const viewport = virtualizer.scrollRect?.height ?? 0;
  const flinging = virtualizer.isScrolling && viewport > 0 && Math.abs(offset - lastOffset.current) > viewport / 8;
  useEffect(() => {
    lastOffset.current = offset;
  });
  // Distinct keys need at least as many slots as rendered rows (a contiguous range of display positions).
  const slots = Math.max(MIN_SLOTS, items.length);
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
      onPointerOver={onPointerOver}
    >
      <GridHead batchMode={batchMode} showAssignee={showAssignee} />
      <div className="grid-body" role="rowgroup" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const row = rows[item.index] as number;
          const id = table.ids[row] as string;
          const storeIndex = table.store[row] as number;
          const assigneeIndex = table.assignee[row] as number;
          return (
            <EventRow
              key={item.index % slots}
              domId={`${gridId}-row-${item.index}`}
              id={id}
              position={item.index}
              name={table.names[table.nameCode[row] as number] as string}
              channel={CHANNEL_OF_CODE[table.channel[row] as number] ?? 'line'}
              lastMessageAt={table.lastMessageAt[row] as number}
              tagIndex={table.tagSets[table.tagSet[row] as number] as readonly number[]}
              tagNames={list.tags}
              store={storeIndex >= 0 ? (list.stores[storeIndex]?.name ?? null) : null}
              assignee={assigneeIndex >= 0 ? (list.assignees[assigneeIndex]?.name ?? null) : null}
              showAssignee={showAssignee}
              hasAvatar={table.avatar[row] === 1}
              loadAvatar={!flinging}
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

import { memo } from 'react';
import type { Channel } from '../../../../preload/contract';
import { formatRelativeTime } from '../../i18n/format';
import { Avatar } from './Avatar';

/** How many tag chips fit a row before "+N". */
const MAX_CHIPS = 3;

export interface RowLabels {
  justNow: string;
  noStore: string;
  unassigned: string;
  line: string;
  whatsapp: string;
}

export interface EventRowProps {
  domId: string;
  id: string;
  position: number;
  name: string;
  channel: Channel;
  lastMessageAt: number;
  /** Tag indices of the row (the list's own array: stable per list version). */
  tagIndex: readonly number[];
  tagNames: readonly string[];
  store: string | null;
  assignee: string | null;
  showAssignee: boolean;
  hasAvatar: boolean;
  /** False while the list flings past: the initial only, no image request. */
  loadAvatar: boolean;
  selected: boolean;
  focused: boolean;
  batchMode: boolean;
  start: number;
  now: number;
  language: string;
  labels: RowLabels;
}

const CHECK_MARK = (
  <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
    <polyline points="3.5 8.5 6.5 11.5 12.5 4.5" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
  </svg>
);

/**
 * One in-progress event. Memoised on primitive props, so a selection change re-renders only the rows whose checkbox
 * flips, and scrolling renders only the rows that come into view. Kept lean for scrolling: no hooks of its own (the
 * grid passes every label in), no per-row i18n lookups, cached Intl formatters, and `contain: strict` in the CSS so a
 * row's layout never reaches the rest of the page.
 */
export const EventRow = memo(function EventRow(props: EventRowProps) {
  const { id, name, channel, tagIndex, tagNames, selected, focused, batchMode, labels } = props;
  const time = formatRelativeTime(props.lastMessageAt, props.now, props.language) ?? labels.justNow;
  const extra = tagIndex.length - MAX_CHIPS;
  let className = 'grid-row';
  if (selected) className += ' grid-row--selected';
  if (focused) className += ' grid-row--focused';
  return (
    <div
      id={props.domId}
      role="row"
      className={className}
      aria-rowindex={props.position + 2}
      aria-selected={selected}
      data-testid="event-row"
      data-event-id={id}
      data-channel={channel}
      style={{ transform: `translateY(${props.start}px)` }}
    >
      {batchMode ? (
        <div role="gridcell" className="grid-cell grid-cell--check">
          <span className={selected ? 'check check--on' : 'check'} aria-hidden="true">
            {selected ? CHECK_MARK : null}
          </span>
        </div>
      ) : null}
      <div role="gridcell" className="grid-cell grid-cell--customer">
        <Avatar id={id} name={name} hasImage={props.hasAvatar} load={props.loadAvatar} />
        <span className="grid-row__name" data-user-content>
          {name}
        </span>
      </div>
      <div role="gridcell" className="grid-cell">
        <span className={`chan chan--${channel}`} data-channel={channel}>
          <span className="chan__dot" aria-hidden="true" />
          {channel === 'line' ? labels.line : labels.whatsapp}
        </span>
      </div>
      {/* The full date and time as a tooltip: the grid sets `title` when the pointer first reaches the cell. */}
      <div role="gridcell" className="grid-cell grid-cell--time" data-time={props.lastMessageAt}>
        {time}
      </div>
      <div role="gridcell" className="grid-cell grid-cell--tags" data-user-content>
        {tagIndex.slice(0, MAX_CHIPS).map((tag) => (
          <span key={tag} className="chip">
            {tagNames[tag]}
          </span>
        ))}
        {extra > 0 ? <span className="chip chip--more">+{extra}</span> : null}
      </div>
      <div role="gridcell" className="grid-cell grid-cell--muted">
        {props.store === null ? <span className="muted">{labels.noStore}</span> : <span data-user-content>{props.store}</span>}
      </div>
      {props.showAssignee ? (
        <div role="gridcell" className="grid-cell grid-cell--muted">
          {props.assignee === null ? (
            <span className="muted">{labels.unassigned}</span>
          ) : (
            <span data-user-content>{props.assignee}</span>
          )}
        </div>
      ) : null}
    </div>
  );
});

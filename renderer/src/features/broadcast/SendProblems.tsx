import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BroadcastProblem } from '../../../../preload/contract';
import { formatNumber } from '../../i18n/format';
import type { BroadcastProblemsState } from '../../store';
import { ChannelBadge } from '../events/ChannelBadge';
import { problemReasonWords } from './reasons';

/** Groups shown before 顯示全部: the notice stays a notice. */
const SHOWN = 5;

export interface SendProblemsProps {
  problems: BroadcastProblemsState;
  onRetry: () => void;
}

/** In the end notice: why customers failed or are unknown, a line per channel, state and reason. */
export function SendProblems({ problems, onRetry }: SendProblemsProps) {
  const { t } = useTranslation();
  const [expanded, setExpanded] = useState(false);
  const { list } = problems;
  if (list.length === 0) {
    if (problems.state === 'loading') {
      return (
        <span className="send-problems__status" data-testid="send-problems-loading">
          {t('broadcast.problems.loading')}
        </span>
      );
    }
    if (problems.state === 'failed') {
      return (
        <span className="send-problems__status" data-testid="send-problems-error">
          {t('broadcast.problems.loadFailed')}{' '}
          <button type="button" className="link-btn" onClick={onRetry} data-testid="send-problems-retry">
            {t('broadcast.problems.retry')}
          </button>
        </span>
      );
    }
    return null;
  }
  const shown = expanded ? list : list.slice(0, SHOWN);
  return (
    <section className="send-problems" data-testid="send-problems" aria-label={t('broadcast.problems.title')} aria-busy={problems.state === 'loading'}>
      <ul className="send-problems__list">
        {shown.map((problem) => (
          <ProblemItem key={`${problem.channel}:${problem.state}:${problem.reason}`} problem={problem} />
        ))}
      </ul>
      {list.length > SHOWN ? (
        <button
          type="button"
          className="link-btn"
          aria-expanded={expanded}
          onClick={() => setExpanded(!expanded)}
          data-testid="send-problems-toggle"
        >
          {expanded ? t('broadcast.problems.showLess') : t('broadcast.problems.showAll', { n: list.length })}
        </button>
      ) : null}
    </section>
  );
}

function ProblemItem({ problem }: { problem: BroadcastProblem }) {
  const { t, i18n } = useTranslation();
  const n = formatNumber(problem.count, i18n.language);
  const words = problemReasonWords(t, problem.reason);
  return (
    <li
      className={`send-problems__item send-problems__item--${problem.state}`}
      data-testid="send-problem"
      data-channel={problem.channel}
      data-state={problem.state}
      data-reason={problem.reason}
      data-count={problem.count}
    >
      <ChannelBadge channel={problem.channel} />
      <span className="send-problems__count">
        {problem.state === 'failed' ? t('broadcast.problems.failed', { n }) : t('broadcast.problems.unknown', { n })}
      </span>
      <span className="send-problems__reason" data-testid="send-problem-reason">
        {words.text}
        {/* A code this version has no words for: shown as is, so support can tell what it was. */}
        {words.known ? null : (
          <small className="send-problems__code" data-testid="send-problem-code">
            {problem.reason}
          </small>
        )}
      </span>
      {problem.detail ? (
        // The service's own words (LINE's message), as it said them.
        <small className="send-problems__detail" data-testid="send-problem-detail" data-user-content>
          {problem.detail}
        </small>
      ) : null}
    </li>
  );
}

import { useTranslation } from 'react-i18next';
import type { DraftSummary } from '../../../../preload/contract';
import { formatRelativeTime } from '../../i18n/format';

export interface DraftListProps {
  drafts: readonly DraftSummary[];
  selectedId: string | null;
  /** True when a new, not yet saved draft is open: it is shown at the top of the list. */
  hasUnsavedNew: boolean;
  now: number;
  onSelect: (id: string) => void;
}

export function DraftList({ drafts, selectedId, hasUnsavedNew, now, onSelect }: DraftListProps) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="draft-list" aria-label={t('drafts.listLabel')}>
      {hasUnsavedNew ? (
        <li>
          <div className="draft-row draft-row--selected draft-row--new" aria-current="true">
            <span className="draft-row__title">{t('drafts.newDraft')}</span>
            <span className="draft-row__meta">{t('drafts.unsaved')}</span>
          </div>
        </li>
      ) : null}
      {drafts.map((draft) => {
        const selected = draft.id === selectedId;
        const relative = formatRelativeTime(draft.updatedAt, now, i18n.language) ?? t('drafts.justNow');
        return (
          <li key={draft.id}>
            <button
              type="button"
              className={selected ? 'draft-row draft-row--selected' : 'draft-row'}
              aria-current={selected ? 'true' : undefined}
              data-testid="draft-item"
              data-draft-id={draft.id}
              onClick={() => onSelect(draft.id)}
            >
              {draft.title ? (
                <span className="draft-row__title" data-user-content>
                  {draft.title}
                </span>
              ) : (
                <span className="draft-row__title draft-row__title--untitled">{t('drafts.untitled')}</span>
              )}
              <span className="draft-row__meta">
                <time dateTime={new Date(draft.updatedAt).toISOString()}>{relative}</time>
                <span aria-hidden="true"> · </span>
                <span>{t('drafts.charCount', { count: draft.length })}</span>
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

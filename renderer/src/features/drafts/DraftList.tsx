import { useTranslation } from 'react-i18next';
import type { DraftSummary } from '../../../../preload/contract';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { formatDateTime, formatNumber, formatRelativeTime } from '../../i18n/format';

export interface DraftListProps {
  drafts: readonly DraftSummary[];
  now: number;
  /** A row whose duplicate or delete is running. */
  busyId: string | null;
  /** The copy just made, highlighted. */
  highlightId: string | null;
  thumbUrl: (sha256: string) => string;
  onOpen: (id: string) => void;
  onDuplicate: (id: string) => void;
  onDelete: (id: string) => void;
}

/** 草稿: each draft with its thumbnail, first line, templates, recipients and time, and open / duplicate / delete. */
export function DraftList({ drafts, now, busyId, highlightId, thumbUrl, onOpen, onDuplicate, onDelete }: DraftListProps) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="draft-cards" aria-label={t('drafts.listLabel')}>
      {drafts.map((draft) => {
        const relative = formatRelativeTime(draft.updatedAt, now, i18n.language) ?? t('drafts.justNow');
        const busy = busyId === draft.id;
        const classes = ['draft-card', draft.id === highlightId ? 'draft-card--new' : '', busy ? 'draft-card--busy' : '']
          .filter(Boolean)
          .join(' ');
        const thumb = draft.imageSha256 ? thumbUrl(draft.imageSha256) : '';
        return (
          // The whole card opens the draft (its buttons are for keyboards and for the other actions).
          <li key={draft.id} className={classes} data-testid="draft-item" data-draft-id={draft.id} onClick={() => onOpen(draft.id)}>
            <div className="draft-card__thumb">
              {thumb ? <img src={thumb} alt="" data-testid="draft-thumb" loading="lazy" /> : <Icon name="message" size={22} />}
            </div>
            <div className="draft-card__body">
              <span className="draft-card__head">
                {draft.title ? (
                  <span className="draft-card__title" data-user-content>
                    {draft.title}
                  </span>
                ) : (
                  <span className="draft-card__title draft-card__title--untitled">
                    {draft.imageSha256 ? t('drafts.imageOnly') : t('drafts.untitled')}
                  </span>
                )}
                {draft.id === highlightId ? (
                  <Badge tone="accent" data-testid="draft-duplicated">
                    {t('drafts.duplicated')}
                  </Badge>
                ) : null}
              </span>
              <span className="draft-card__meta">
                <time dateTime={new Date(draft.updatedAt).toISOString()} title={formatDateTime(draft.updatedAt, i18n.language)}>
                  {relative}
                </time>
                <span aria-hidden="true">·</span>
                <span>{t('drafts.charCount', { count: draft.length })}</span>
                <span aria-hidden="true">·</span>
                <span className={draft.selectionCount ? 'draft-card__recipients' : 'draft-card__recipients draft-card__recipients--none'} data-testid="draft-recipients">
                  <Icon name="users" size={13} />
                  {draft.selectionCount
                    ? t('drafts.recipients', { count: draft.selectionCount, n: formatNumber(draft.selectionCount, i18n.language) })
                    : t('drafts.noRecipients')}
                </span>
              </span>
              {draft.templates.length > 0 ? (
                <span className="draft-card__templates" data-testid="draft-templates">
                  <Icon name="template" size={13} />
                  {t('drafts.templates', { names: draft.templates.join(t('drafts.listSeparator')) })}
                </span>
              ) : null}
            </div>
            <div className="draft-card__actions" onClick={(event) => event.stopPropagation()}>
              <Button size="sm" variant="primary" onClick={() => onOpen(draft.id)} data-testid="draft-open">
                {t('drafts.open')}
              </Button>
              <Button size="sm" icon="copy" onClick={() => onDuplicate(draft.id)} disabled={busyId !== null} data-testid="draft-duplicate">
                {t('drafts.duplicate')}
              </Button>
              <Button
                size="sm"
                variant="ghost"
                icon="trash"
                onClick={() => onDelete(draft.id)}
                disabled={busyId !== null}
                aria-label={t('drafts.delete')}
                title={t('drafts.delete')}
                data-testid="draft-delete"
              />
            </div>
          </li>
        );
      })}
    </ul>
  );
}

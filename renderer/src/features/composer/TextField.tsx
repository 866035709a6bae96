import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { TextLink } from '../../../../preload/contract';
import { Badge } from '../../components/Badge';
import { Icon } from '../../components/Icon';
import { formatNumber } from '../../i18n/format';
import { TEXT_LIMIT, TEXT_WARNING_AT } from './limits';
import { segmentText } from './model';

export interface TextFieldProps {
  text: string;
  /** The check's links, moved onto the text as typed: highlighted behind the textarea. */
  links: readonly TextLink[];
  /** main's length once official links carry their UTM tags (null: no check yet). */
  taggedLength: number | null;
  autoFocus?: boolean;
  onChange: (text: string) => void;
  onSave: () => void;
}

/**
 * The text, with a live counter in UTF-16 units (as LINE counts: 😀 is 2) and the links highlighted by a mirror
 * that sits behind the transparent textarea and scrolls with it.
 */
export function TextField({ text, links, taggedLength, autoFocus = false, onChange, onSave }: TextFieldProps) {
  const { t, i18n } = useTranslation();
  const mirror = useRef<HTMLDivElement>(null);
  const length = text.length;
  const over = length > TEXT_LIMIT;
  const counterClass = over
    ? 'text-counter text-counter--over'
    : length >= TEXT_WARNING_AT
      ? 'text-counter text-counter--warn'
      : 'text-counter';
  const taggedOver = taggedLength !== null && taggedLength > TEXT_LIMIT;
  const showTagged = taggedLength !== null && taggedLength !== length;

  return (
    <section className="card composer-card" aria-labelledby="composer-text-title">
      <div className="composer-card__head">
        <h3 className="composer-card__title" id="composer-text-title">
          <Icon name="message" size={18} />
          <label htmlFor="composer-text">{t('composer.text.title')}</label>
        </h3>
        <span className={counterClass} data-testid="text-counter" data-over={over || undefined} aria-hidden="true">
          {length} / {TEXT_LIMIT}
        </span>
        <span id="composer-counter-description" className="visually-hidden">
          {t('composer.text.counterLabel', { count: length, max: TEXT_LIMIT })}
        </span>
      </div>
      <div className="text-field">
        <div className="text-field__mirror" ref={mirror} aria-hidden="true">
          {segmentText(text, links).map((segment, index) =>
            segment.link ? (
              <mark key={index} className={`text-field__link text-field__link--${segment.link.kind}`}>
                {segment.text}
              </mark>
            ) : (
              <span key={index}>{segment.text}</span>
            ),
          )}
          {/* A trailing newline needs a character after it to take its line, as it does in the textarea. */}
          {'\u200b'}
        </div>
        <textarea
          id="composer-text"
          className="text-field__input"
          data-testid="text-input"
          value={text}
          maxLength={TEXT_LIMIT}
          autoFocus={autoFocus}
          placeholder={t('composer.text.placeholder')}
          aria-describedby="composer-counter-description"
          spellCheck={false}
          onChange={(event) => onChange(event.currentTarget.value)}
          onScroll={(event) => {
            if (mirror.current) mirror.current.scrollTop = event.currentTarget.scrollTop;
          }}
          onKeyDown={(event) => {
            if ((event.metaKey || event.ctrlKey) && event.key.toLowerCase() === 's') {
              event.preventDefault();
              onSave();
            }
          }}
        />
      </div>
      {showTagged || over ? (
        <p className={taggedOver || over ? 'text-field__note text-field__note--over' : 'text-field__note'} data-testid="text-tagged">
          {over ? t('composer.text.over', { over: formatNumber(length - TEXT_LIMIT, i18n.language) }) : null}
          {showTagged ? t('composer.text.tagged', { count: formatNumber(taggedLength, i18n.language) }) : null}
        </p>
      ) : null}
    </section>
  );
}

/** The links main found in the text: 官網連結 or 非官網連結, with the tagged form official ones are sent in. */
export function LinkList({ links, utm }: { links: readonly TextLink[]; utm: boolean }) {
  const { t } = useTranslation();
  if (links.length === 0) return null;
  return (
    <section className="card composer-card composer-card--compact" aria-labelledby="composer-links-title">
      <div className="composer-card__head">
        <h3 className="composer-card__title" id="composer-links-title">
          <Icon name="link" size={18} />
          {t('composer.links.title')}
        </h3>
      </div>
      <ul className="link-list" data-testid="link-list">
        {links.map((link) => (
          <li key={`${link.start}:${link.url}`} className="link-list__item" data-testid="link" data-kind={link.kind}>
            <Badge tone={link.kind === 'official' ? 'accent' : 'neutral'} className="link-list__badge">
              {link.kind === 'official' ? t('composer.links.official') : t('composer.links.other')}
            </Badge>
            <span className="link-list__text">
              <span className="link-list__url" data-user-content>
                {link.url}
              </span>
              {utm && link.tagged ? (
                <span className="link-list__tagged" data-testid="link-tagged">
                  {t('composer.links.taggedAs', { url: link.tagged })}
                </span>
              ) : null}
            </span>
          </li>
        ))}
      </ul>
      <p className="link-list__hint">{t('composer.links.hint')}</p>
    </section>
  );
}

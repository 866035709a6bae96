import { useTranslation } from 'react-i18next';
import type { BroadcastDetail } from '../../../../preload/contract';
import { Icon } from '../../components/Icon';
import { formatNumber } from '../../i18n/format';
import { ChannelBadge } from '../events/ChannelBadge';
import { segmentSentText, type SentLink } from './model';

function LinkTag({ kind }: { kind: SentLink['kind'] }) {
  const { t } = useTranslation();
  return <span className={`link-tag link-tag--${kind}`}>{kind === 'official' ? t('composer.links.official') : t('composer.links.other')}</span>;
}

/** A text as sent, its links highlighted and labelled 官網連結 / 非官網連結. */
export function LinkedText({ text, links, testId }: { text: string; links: readonly SentLink[]; testId: string }) {
  return (
    <p className="sent-text" data-testid={testId}>
      {segmentSentText(text, links).map((segment, index) =>
        segment.link ? (
          <span key={index} className="bubble__link-wrap">
            <span className={`bubble__link bubble__link--${segment.link.kind}`} data-testid="history-link" data-kind={segment.link.kind} data-user-content>
              {segment.text}
            </span>
            <LinkTag kind={segment.link.kind} />
          </span>
        ) : (
          <span key={index} data-user-content>
            {segment.text}
          </span>
        ),
      )}
    </p>
  );
}

/** The links of a part, one a line, with their kind: what the report counts for each customer who got it. */
function LinkList({ links }: { links: readonly SentLink[] }) {
  const { t, i18n } = useTranslation();
  if (links.length === 0) return null;
  return (
    <div className="sent-links">
      <h4 className="sent-links__title">
        <Icon name="link" size={14} />
        {t('history.detail.linksTitle', { count: links.length, n: formatNumber(links.length, i18n.language) })}
      </h4>
      <ul>
        {links.map((link, index) => (
          <li key={`${index}:${link.url}`} data-testid="history-link-item" data-kind={link.kind}>
            <LinkTag kind={link.kind} />
            <span className="sent-links__url" data-user-content>
              {link.url}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export interface SentContentProps {
  content: BroadcastDetail['content'];
  /** The LINE part went to someone (or the broadcast has no WhatsApp part to show instead). */
  showLine: boolean;
  imageUrl: string | null;
}

/** The broadcast as customers got it: LINE's image and text (UTM-tagged), each WhatsApp number's template. */
export function SentContent({ content, showLine, imageUrl }: SentContentProps) {
  const { t } = useTranslation();
  const tagged = content.lineText !== null && content.text !== null && content.lineText !== content.text;
  return (
    <div className="sent-content" data-testid="history-content">
      {showLine ? (
        <section className="sent-part" data-testid="history-content-line" aria-label={t('history.detail.lineTitle')}>
          <h3 className="sent-part__title">
            <ChannelBadge channel="line" />
            {t('history.detail.lineTitle')}
          </h3>
          {imageUrl ? <img className="sent-part__image" src={imageUrl} alt={t('history.detail.imageAlt')} data-testid="history-image" /> : null}
          {content.lineText !== null ? (
            <>
              <LinkedText text={content.lineText} links={content.links} testId="history-line-text" />
              {tagged ? <p className="sent-part__hint">{t('history.detail.lineTagged')}</p> : null}
            </>
          ) : (
            <p className="sent-part__hint">{t('history.detail.noText')}</p>
          )}
          <LinkList links={content.links} />
        </section>
      ) : null}
      {content.whatsapp.map((part) => (
        <section
          key={part.phoneNumberId}
          className="sent-part"
          data-testid="history-content-whatsapp"
          data-phone-number-id={part.phoneNumberId}
          aria-label={t('history.detail.whatsappTitle')}
        >
          <h3 className="sent-part__title">
            <ChannelBadge channel="whatsapp" />
            {t('history.detail.whatsappTitle')}
          </h3>
          <p className="sent-part__template">
            <Icon name="template" size={14} />
            <span>{t('history.detail.template', { name: part.template.name, language: part.template.language })}</span>
          </p>
          {part.body !== null ? (
            <LinkedText text={part.body} links={part.links} testId="history-whatsapp-body" />
          ) : (
            <p className="sent-part__hint">{t('history.detail.noBody')}</p>
          )}
          <LinkList links={part.links} />
        </section>
      ))}
    </div>
  );
}

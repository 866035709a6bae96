import { useTranslation } from 'react-i18next';
import type { TemplateInfo, TextLink, WhatsAppCheck } from '../../../../preload/contract';
import { Icon } from '../../components/Icon';
import { ChannelBadge } from '../events/ChannelBadge';
import { segmentText } from './model';

export interface LinePreviewProps {
  /** The official account's name, as the chat's title. */
  accountName: string | null;
  imageUrl: string | null;
  text: string;
  links: readonly TextLink[];
  utm: boolean;
}

/** The LINE chat as a customer's phone shows it: the image bubble, then the text bubble with its links. */
export function LinePreview({ accountName, imageUrl, text, links, utm }: LinePreviewProps) {
  const { t } = useTranslation();
  const empty = imageUrl === null && text.length === 0;
  return (
    <figure className="phone phone--line" data-testid="preview-line">
      <figcaption className="phone__caption">
        <ChannelBadge channel="line" />
        <span className="phone__caption-text">{t('composer.recipients.line')}</span>
      </figcaption>
      <div className="phone__frame">
        <div className="phone__bar phone__bar--line">
          <Icon name="chevronLeft" size={16} />
          <span className="phone__title" data-user-content>
            {accountName ?? 'LINE'}
          </span>
        </div>
        <div className="phone__chat phone__chat--line">
          {empty ? (
            <p className="phone__empty">{t('composer.preview.lineEmpty')}</p>
          ) : (
            <>
              {imageUrl ? (
                <div className="msg msg--line">
                  <span className="msg__avatar" aria-hidden="true" />
                  <img className="msg__image" src={imageUrl} alt={t('composer.preview.imageAlt')} data-testid="preview-line-image" />
                </div>
              ) : null}
              {text ? (
                <div className="msg msg--line">
                  <span className="msg__avatar" aria-hidden="true" />
                  <div className="bubble bubble--line" data-testid="preview-line-text">
                    {segmentText(text, links).map((segment, index) => {
                      if (!segment.link)
                        return (
                          <span key={index} data-user-content>
                            {segment.text}
                          </span>
                        );
                      const { kind, tagged } = segment.link;
                      const shown = kind === 'official' && utm && tagged ? tagged : segment.text;
                      return (
                        <span key={index} className="bubble__link-wrap">
                          <span className={`bubble__link bubble__link--${kind}`} data-testid="preview-link" data-kind={kind} data-user-content>
                            {shown}
                          </span>
                          <span className={`link-tag link-tag--${kind}`}>
                            {kind === 'official' ? t('composer.links.official') : t('composer.links.other')}
                          </span>
                        </span>
                      );
                    })}
                  </div>
                </div>
              ) : null}
              <span className="msg__time">{t('composer.preview.now')}</span>
            </>
          )}
        </div>
      </div>
    </figure>
  );
}

export interface WhatsAppPreviewProps {
  number: Pick<WhatsAppCheck, 'phoneNumberId' | 'name' | 'displayNumber'>;
  template: TemplateInfo | null;
  sample: WhatsAppCheck['sample'];
  imageUrl: string | null;
}

/** The template filled for a sample customer, as a WhatsApp chat shows it. */
export function WhatsAppPreview({ number, template, sample, imageUrl }: WhatsAppPreviewProps) {
  const { t } = useTranslation();
  return (
    <figure className="phone phone--whatsapp" data-testid="preview-whatsapp" data-phone-number-id={number.phoneNumberId}>
      <figcaption className="phone__caption">
        <ChannelBadge channel="whatsapp" />
        <span className="phone__caption-text" data-user-content>
          {number.name}
        </span>
      </figcaption>
      <div className="phone__frame">
        <div className="phone__bar phone__bar--whatsapp">
          <Icon name="chevronLeft" size={16} />
          <span className="phone__title" data-user-content>
            {number.name}
          </span>
        </div>
        <div className="phone__chat phone__chat--whatsapp">
          {template && sample ? (
            <div className="msg msg--whatsapp">
              <div className="bubble bubble--whatsapp" data-testid="preview-whatsapp-bubble" data-user-content>
                {template.header.format === 'IMAGE' ? (
                  imageUrl ? (
                    <img className="bubble__header-image" src={imageUrl} alt={t('composer.preview.imageAlt')} />
                  ) : (
                    <span className="bubble__header-placeholder">
                      <Icon name="image" size={22} />
                    </span>
                  )
                ) : sample.header ? (
                  <strong className="bubble__header">{sample.header}</strong>
                ) : null}
                <p className="bubble__body">{sample.body}</p>
                {sample.footer ? <p className="bubble__footer">{sample.footer}</p> : null}
                <span className="bubble__time">{t('composer.preview.now')}</span>
              </div>
              {template.buttons.map((button, index) => (
                <div key={index} className="bubble-button" data-user-content>
                  {button}
                </div>
              ))}
            </div>
          ) : (
            <p className="phone__empty">{t('composer.preview.chooseTemplate')}</p>
          )}
        </div>
      </div>
      {sample ? (
        <p className="phone__note">
          {t('composer.preview.sampleLabel')}
          <span data-user-content>{sample.customerName}</span>
        </p>
      ) : null}
    </figure>
  );
}

import { useTranslation } from 'react-i18next';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { formatNumber } from '../../i18n/format';
import { ChannelBadge } from '../events/ChannelBadge';

export interface RecipientCounts {
  total: number;
  line: number;
  whatsapp: number;
  dropped: number;
}

export interface RecipientsHeaderProps {
  /** null: not known yet (or the draft has no selection, see `hasSelection`). */
  recipients: RecipientCounts | null;
  /** False for a draft with no saved selection: it has no recipients until one is chosen in 處理中事件. */
  hasSelection: boolean;
  loading: boolean;
  /** Already translated. */
  errorMessage: string | null;
  onRetry?: () => void;
}

/** Who the message goes to: the total, 群發訊息 (LINE) and 群發範本訊息 (WhatsApp), and who dropped out. */
export function RecipientsHeader({ recipients, hasSelection, loading, errorMessage, onRetry }: RecipientsHeaderProps) {
  const { t, i18n } = useTranslation();
  const n = (value: number) => formatNumber(value, i18n.language);

  if (!hasSelection) {
    return (
      <div className="recipients recipients--none card" data-testid="selection-summary" data-total={0} data-line={0} data-whatsapp={0} data-dropped={0}>
        <div className="recipients__total">
          <span className="recipients__label">{t('composer.recipients.label')}</span>
          <span className="recipients__value recipients__value--none">{t('composer.recipients.none')}</span>
        </div>
        <p className="recipients__hint">{t('composer.recipients.noneHint')}</p>
      </div>
    );
  }

  if (!recipients) {
    return (
      <div className="recipients card" data-testid="selection-summary" aria-busy={loading}>
        {errorMessage ? (
          <div className="recipients__error">
            <Alert title={t('composer.recipients.failed')} message={errorMessage} />
            {onRetry ? (
              <div>
                <Button size="sm" onClick={onRetry}>
                  {t('composer.recipients.retry')}
                </Button>
              </div>
            ) : null}
          </div>
        ) : (
          <span className="inline-status">
            <span className="mini-spinner" aria-hidden="true" />
            {t('composer.recipients.loading')}
          </span>
        )}
      </div>
    );
  }

  return (
    <div
      className="recipients card"
      data-testid="selection-summary"
      data-total={recipients.total}
      data-line={recipients.line}
      data-whatsapp={recipients.whatsapp}
      data-dropped={recipients.dropped}
      aria-busy={loading}
    >
      <div className="recipients__total">
        <span className="recipients__label">{t('composer.recipients.label')}</span>
        <span className="recipients__value">{t('composer.recipients.total', { count: recipients.total, total: n(recipients.total) })}</span>
      </div>
      <ul className="recipients__channels">
        <li className="recipients__channel" data-channel="line">
          <ChannelBadge channel="line" />
          <span className="recipients__what">
            <strong>{t('composer.recipients.line')}</strong>
            <span>{t('composer.recipients.lineWhat')}</span>
          </span>
          <strong className="recipients__n">{t('composer.recipients.people', { n: n(recipients.line) })}</strong>
        </li>
        <li className="recipients__channel" data-channel="whatsapp">
          <ChannelBadge channel="whatsapp" />
          <span className="recipients__what">
            <strong>{t('composer.recipients.whatsapp')}</strong>
            <span>{t('composer.recipients.whatsappWhat')}</span>
          </span>
          <strong className="recipients__n">{t('composer.recipients.people', { n: n(recipients.whatsapp) })}</strong>
        </li>
      </ul>
      {recipients.dropped > 0 ? (
        <p className="recipients__dropped" data-testid="summary-dropped">
          <Icon name="info" size={16} />
          {t('composer.recipients.dropped', { count: recipients.dropped, dropped: n(recipients.dropped) })}
        </p>
      ) : null}
    </div>
  );
}

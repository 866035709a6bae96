import { useTranslation } from 'react-i18next';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { Spinner } from '../../components/Spinner';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { formatNumber } from '../../i18n/format';
import { useAppStore } from '../../store';
import { ChannelBadge } from './ChannelBadge';

/**
 * 批量動作 → 發送訊息: who the message would go to (broadcast.summarize), per channel and official account. Composing
 * is the next issue, and this view says so instead of showing a composer that cannot send.
 */
export function SelectionSummaryView() {
  const { t, i18n } = useTranslation();
  const composer = useAppStore((state) => state.composer);
  const closeComposer = useAppStore((state) => state.closeComposer);
  const openComposer = useAppStore((state) => state.openComposer);
  const n = (value: number) => formatNumber(value, i18n.language);
  const { summary } = composer;

  return (
    <div className="composer" data-testid="composer">
      <div className="composer__top">
        <Button icon="chevronLeft" size="sm" variant="secondary" onClick={closeComposer} data-testid="composer-back">
          {t('events.composer.back')}
        </Button>
        <h2 className="composer__title">{t('events.composer.title')}</h2>
      </div>
      {composer.state === 'loading' && !summary ? <Spinner label={t('events.composer.loading')} /> : null}
      {composer.state === 'failed' ? (
        <div className="composer__error">
          <Alert title={t('events.composer.failed')} message={t(ERROR_MESSAGE_KEYS[composer.error ?? 'internal'])} />
          <div>
            <Button onClick={() => void openComposer()}>{t('events.composer.retry')}</Button>
          </div>
        </div>
      ) : null}
      {summary ? (
        <div
          className="summary"
          data-testid="selection-summary"
          data-total={summary.total}
          data-line={summary.line}
          data-whatsapp={summary.whatsapp}
          data-dropped={summary.dropped}
          aria-busy={composer.state === 'loading'}
        >
          <div className="summary__total card">
            <span className="summary__label">{t('events.composer.recipients')}</span>
            <span className="summary__value">{t('events.composer.total', { count: summary.total, total: n(summary.total) })}</span>
            {summary.dropped > 0 ? (
              <p className="summary__dropped" data-testid="summary-dropped">
                <Icon name="info" size={16} />
                {t('events.composer.dropped', { count: summary.dropped, dropped: n(summary.dropped) })}
              </p>
            ) : null}
          </div>
          <div className="card">
            <h3 className="card__subtitle">{t('events.composer.perChannel')}</h3>
            <ul className="summary__channels">
              <li className="summary__channel" data-channel="line">
                <ChannelBadge channel="line" />
                <span className="summary__what">{t('events.composer.lineWhat')}</span>
                <strong className="summary__n">{t('events.composer.people', { count: summary.line, n: n(summary.line) })}</strong>
              </li>
              <li className="summary__channel" data-channel="whatsapp">
                <ChannelBadge channel="whatsapp" />
                <span className="summary__what">{t('events.composer.whatsappWhat')}</span>
                <strong className="summary__n">
                  {t('events.composer.people', { count: summary.whatsapp, n: n(summary.whatsapp) })}
                </strong>
              </li>
            </ul>
            {summary.accounts.length > 0 ? (
              <>
                <h3 className="card__subtitle card__gap">{t('events.composer.perAccount')}</h3>
                <ul className="summary__accounts">
                  {summary.accounts.map((account) => (
                    <li key={`${account.channel}:${account.id}`} className="summary__account">
                      <ChannelBadge channel={account.channel} />
                      <span className="summary__account-name" data-user-content>
                        {account.name}
                      </span>
                      <span className="summary__n">{t('events.composer.people', { count: account.count, n: n(account.count) })}</span>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
          <div className="card card--note" data-testid="composer-next">
            <h3 className="card__title">
              <Icon name="info" size={18} />
              {t('events.composer.nextTitle')}
            </h3>
            <p className="card__text">{t('events.composer.nextBody')}</p>
          </div>
        </div>
      ) : null}
    </div>
  );
}

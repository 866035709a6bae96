import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { BroadcastPlan } from '../../../../preload/contract';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { Spinner } from '../../components/Spinner';
import { formatDateTime, formatNumber } from '../../i18n/format';
import type { SendPhase } from '../../store';
import { ChannelBadge } from '../events/ChannelBadge';
import { durationText, skipReasonLabel } from './labels';

/** How many skipped customers are named; the rest are counted ("還有 N 位"). */
export const SKIPPED_SHOWN = 5;

export interface SendConfirmProps {
  phase: SendPhase;
  plan: BroadcastPlan | null;
  /** Already translated: why the plan could not be made, or why the send was refused. */
  errorMessage: string | null;
  /** Already translated: the plan shown was made again, and why. */
  renewedMessage: string | null;
  /** Already translated: the dialog's title when it is not a send from a draft (a retry). */
  title?: string;
  /** Already translated: a warning the user must read before confirming (a resend may reach a customer twice). */
  warning?: string | null;
  onCancel: () => void;
  onGo: () => void;
  onFit: () => void;
  onRetry: () => void;
}

/**
 * The confirmation after 發送: who gets it per channel after the re-check, who is left out and why, the LINE quota
 * and the sender's allowance (and by how much they fall short, with "send to fewer"), the estimate and the expiry.
 */
export function SendConfirm({ phase, plan, errorMessage, renewedMessage, title, warning = null, onCancel, onGo, onFit, onRetry }: SendConfirmProps) {
  const { t, i18n } = useTranslation();
  const n = (value: number) => formatNumber(value, i18n.language);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const sending = phase === 'sending';
  const shown = phase === 'ready' || phase === 'sending' ? plan : null;

  // Focus starts on Cancel, the safe choice, once there is something to confirm.
  useEffect(() => {
    cancelRef.current?.focus();
  }, [shown?.planId]);

  let body;
  if (phase === 'preparing') {
    body = (
      <div className="send-confirm__preparing" data-testid="confirm-preparing">
        <Spinner label={t('broadcast.confirm.preparing')} />
        <p className="send-confirm__hint">{t('broadcast.confirm.preparingHint')}</p>
      </div>
    );
  } else if (!shown) {
    body = (
      <div className="send-confirm__failed">
        <Alert testId="confirm-error" title={t('broadcast.confirm.failedTitle')} message={errorMessage ?? t('errors.internal')} />
        <div>
          <Button size="sm" icon="refresh" onClick={onRetry} data-testid="send-retry">
            {t('broadcast.confirm.retry')}
          </Button>
        </div>
      </div>
    );
  } else {
    body = <PlanDetails plan={shown} />;
  }

  const short = shown !== null && shown.shortBy > 0;
  return (
    <div className="dialog-backdrop" onMouseDown={sending ? undefined : onCancel}>
      <div
        className="dialog dialog--wide send-confirm"
        role="dialog"
        aria-modal="true"
        aria-labelledby="send-confirm-title"
        aria-busy={phase === 'preparing' || sending}
        data-testid="send-confirm"
        data-phase={phase}
        onMouseDown={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && !sending) onCancel();
        }}
      >
        <h2 id="send-confirm-title" className="dialog__title">
          {title ?? t('broadcast.confirm.title')}
        </h2>
        {warning ? (
          <div className="notice notice--warning" role="note" data-testid="confirm-warning">
            <Icon name="alert" size={18} className="notice__icon" />
            <div className="notice__text">
              <strong>{warning}</strong>
            </div>
          </div>
        ) : null}
        {renewedMessage && shown ? (
          <p className="send-confirm__renewed" role="status" data-testid="confirm-renewed">
            <Icon name="info" size={16} />
            {renewedMessage}
          </p>
        ) : null}
        {body}
        {shown && errorMessage ? <Alert testId="confirm-error" message={errorMessage} /> : null}
        <div className="dialog__actions">
          <Button ref={cancelRef} onClick={onCancel} disabled={sending} data-testid="send-cancel">
            {t('broadcast.confirm.cancel')}
          </Button>
          {shown && short && shown.sendable > 0 ? (
            <Button variant="primary" icon="send" onClick={onFit} disabled={sending} data-testid="send-fit">
              {t('broadcast.confirm.fit', { sendable: n(shown.sendable) })}
            </Button>
          ) : null}
          {shown ? (
            <Button
              variant={short ? 'secondary' : 'primary'}
              icon="send"
              onClick={onGo}
              // Main refuses more than the quota takes (over_limit): the choice is to send to fewer.
              disabled={sending || short}
              data-testid="send-go"
            >
              {sending ? t('broadcast.confirm.sending') : t('broadcast.confirm.go')}
            </Button>
          ) : null}
        </div>
      </div>
    </div>
  );
}

function PlanDetails({ plan }: { plan: BroadcastPlan }) {
  const { t, i18n } = useTranslation();
  const n = (value: number) => formatNumber(value, i18n.language);
  const named = plan.skipped.slice(0, SKIPPED_SHOWN);
  const more = plan.skippedCount - named.length;
  const { allowance } = plan;

  return (
    <div className="send-confirm__body">
      <section
        className="send-confirm__counts"
        data-testid="confirm-counts"
        data-total={plan.recipients.total}
        data-line={plan.recipients.line}
        data-whatsapp={plan.recipients.whatsapp}
        aria-label={t('broadcast.confirm.recipients')}
      >
        <p className="send-confirm__total">
          {t('broadcast.confirm.total', { count: plan.recipients.total, total: n(plan.recipients.total) })}
        </p>
        <ul className="send-confirm__channels">
          <li data-channel="line">
            <ChannelBadge channel="line" />
            <span>{t('broadcast.confirm.line')}</span>
            <strong>{t('broadcast.confirm.people', { n: n(plan.recipients.line) })}</strong>
          </li>
          <li data-channel="whatsapp">
            <ChannelBadge channel="whatsapp" />
            <span>{t('broadcast.confirm.whatsapp')}</span>
            <strong>{t('broadcast.confirm.people', { n: n(plan.recipients.whatsapp) })}</strong>
          </li>
        </ul>
      </section>

      {plan.skippedCount > 0 ? (
        <section className="send-confirm__skipped" data-testid="confirm-skipped" data-count={plan.skippedCount}>
          <h3 className="send-confirm__heading">
            {t('broadcast.confirm.skippedTitle', { count: plan.skippedCount, n: n(plan.skippedCount) })}
          </h3>
          <ul>
            {named.map((event) => (
              <li key={event.eventId} data-testid="confirm-skipped-item" data-event-id={event.eventId} data-reason={event.reason}>
                <ChannelBadge channel={event.channel} />
                <span className="send-confirm__name" data-user-content>
                  {event.customerName}
                </span>
                <span className="send-confirm__reason">{skipReasonLabel(t, event.reason)}</span>
              </li>
            ))}
          </ul>
          {more > 0 ? (
            <p className="send-confirm__more" data-testid="confirm-skipped-more">
              {t('broadcast.confirm.skippedMore', { n: n(more) })}
            </p>
          ) : null}
        </section>
      ) : null}

      <section className="send-confirm__quota" data-testid="confirm-quota" aria-label={t('broadcast.confirm.quotaTitle')}>
        <h3 className="send-confirm__heading">{t('broadcast.confirm.quotaTitle')}</h3>
        <ul>
          {plan.lineQuota.map((quota) => (
            <li
              key={quota.channelId}
              className="send-confirm__quota-line"
              data-testid="confirm-line-quota"
              data-channel-id={quota.channelId}
              data-remaining={quota.remaining ?? undefined}
            >
              <ChannelBadge channel="line" />
              <span className="send-confirm__name" data-user-content>
                {quota.name}
              </span>
              <span>
                {quota.remaining === null
                  ? t('broadcast.confirm.lineQuotaUnknown', { needed: n(quota.needed) })
                  : t('broadcast.confirm.lineQuota', { remaining: n(quota.remaining), needed: n(quota.needed) })}
              </span>
            </li>
          ))}
          <li data-testid="confirm-allowance">
            {allowance.monthlyLimit === null
              ? t('broadcast.confirm.allowanceUnlimited')
              : t('broadcast.confirm.allowance', {
                  remaining: n(allowance.remaining ?? Math.max(0, allowance.monthlyLimit - allowance.usedThisMonth)),
                  used: n(allowance.usedThisMonth),
                  limit: n(allowance.monthlyLimit),
                })}
          </li>
        </ul>
      </section>

      {plan.shortBy > 0 ? (
        <div className="notice notice--warning" role="alert" data-testid="confirm-short" data-short-by={plan.shortBy}>
          <Icon name="alert" size={18} className="notice__icon" />
          <div className="notice__text">
            <strong>{t('broadcast.confirm.short', { n: n(plan.shortBy) })}</strong>
            <span>
              {plan.sendable > 0
                ? t('broadcast.confirm.shortBody', { sendable: n(plan.sendable) })
                : t('broadcast.confirm.shortNone')}
            </span>
          </div>
        </div>
      ) : null}

      <p className="send-confirm__estimate" data-testid="confirm-estimate">
        {t('broadcast.confirm.estimate', { duration: durationText(t, plan.estimatedSeconds) })}
      </p>
      <p className="send-confirm__hint">{t('broadcast.confirm.expiry', { time: formatDateTime(plan.expiresAt, i18n.language) })}</p>
    </div>
  );
}

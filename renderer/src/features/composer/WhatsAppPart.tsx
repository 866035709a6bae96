import { useTranslation } from 'react-i18next';
import type { TemplateChoice, TemplateInfo, TemplateParamValue, WhatsAppNumberDraft } from '../../../../preload/contract';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { formatNumber, formatRelativeTime } from '../../i18n/format';
import { ChannelBadge } from '../events/ChannelBadge';
import { reasonMessage, templateStatusLabel } from './labels';
import { EMPTY_PARAM, findTemplate, isSelectable, paramLabel, paramText, switchSource, templateKey, withParamText } from './model';

/** One WhatsApp number of the selection, with its cached templates and the draft's part for it. */
export interface WhatsAppNumberView {
  phoneNumberId: string;
  name: string;
  displayNumber: string;
  recipients: number;
  /** null: no templates cached for this number. */
  templates: TemplateInfo[] | null;
  fetchedAt: number | null;
  /** Why the last refresh failed (an error code from main), when it did. */
  fetchError: string | null;
  draft: WhatsAppNumberDraft | null;
}

export interface WhatsAppPartProps {
  numbers: readonly WhatsAppNumberView[];
  loading: boolean;
  refreshing: boolean;
  online: boolean;
  /** Already translated: why the catalog could not be loaded or refreshed. */
  catalogError: string | null;
  hasImage: boolean;
  now: number;
  onRefresh: () => void;
  onChoose: (phoneNumberId: string, choice: TemplateChoice | null) => void;
  onParam: (phoneNumberId: string, key: string, value: TemplateParamValue) => void;
}

/** 群發範本訊息 (WhatsApp): per number of the selection, an approved template and its parameters. */
export function WhatsAppPart(props: WhatsAppPartProps) {
  const { numbers, loading, refreshing, online, catalogError, onRefresh } = props;
  const { t } = useTranslation();
  return (
    <section className="card composer-card wa-part" aria-labelledby="composer-wa-title" data-testid="wa-part">
      <div className="composer-card__head">
        <h3 className="composer-card__title" id="composer-wa-title">
          <Icon name="template" size={18} />
          {t('composer.whatsapp.title')}
        </h3>
        <Button
          size="sm"
          variant="ghost"
          icon="refresh"
          className={refreshing ? 'btn--spinning' : undefined}
          disabled={refreshing || !online}
          onClick={onRefresh}
          data-testid="wa-refresh"
        >
          {refreshing ? t('composer.whatsapp.refreshing') : t('composer.whatsapp.refresh')}
        </Button>
      </div>
      <p className="composer-card__intro">{t('composer.whatsapp.intro')}</p>
      {catalogError ? (
        <div className="composer-card__alert">
          <Alert message={catalogError} />
        </div>
      ) : null}
      {loading ? (
        <span className="inline-status">
          <span className="mini-spinner" aria-hidden="true" />
          {t('composer.whatsapp.loading')}
        </span>
      ) : (
        <div className="wa-numbers">
          {numbers.map((number) => (
            <WhatsAppNumberCard
              key={number.phoneNumberId}
              number={number}
              hasImage={props.hasImage}
              now={props.now}
              onChoose={props.onChoose}
              onParam={props.onParam}
            />
          ))}
        </div>
      )}
    </section>
  );
}

function WhatsAppNumberCard({
  number,
  hasImage,
  now,
  onChoose,
  onParam,
}: { number: WhatsAppNumberView } & Pick<WhatsAppPartProps, 'hasImage' | 'now' | 'onChoose' | 'onParam'>) {
  const { t, i18n } = useTranslation();
  const choice = number.draft?.template ?? null;
  const template = findTemplate(number.templates, choice);
  const templates = number.templates ?? [];
  const chosenKnown = choice === null || template !== null;
  const fetched = number.fetchedAt === null ? null : (formatRelativeTime(number.fetchedAt, now, i18n.language) ?? t('drafts.justNow'));

  return (
    <div className="wa-number" data-testid="wa-number" data-phone-number-id={number.phoneNumberId}>
      <div className="wa-number__head">
        <ChannelBadge channel="whatsapp" />
        <span className="wa-number__name" data-user-content>
          {number.name}
          {number.displayNumber ? <span className="wa-number__phone">{number.displayNumber}</span> : null}
        </span>
        <span className="wa-number__count">{t('composer.whatsapp.recipients', { n: formatNumber(number.recipients, i18n.language) })}</span>
      </div>
      <p className="wa-number__fetched" data-testid="wa-fetched">
        {fetched === null ? t('composer.whatsapp.neverFetched') : t('composer.whatsapp.fetchedAt', { time: fetched })}
        {number.fetchError ? (
          <span className="wa-number__fetch-error">
            {' · '}
            {t('composer.whatsapp.refreshFailed', { reason: reasonMessage(t, number.fetchError) })}
          </span>
        ) : null}
      </p>
      {number.templates === null || number.templates.length === 0 ? (
        <p className="wa-number__empty">{t('composer.whatsapp.noTemplates')}</p>
      ) : null}
      <label className="field">
        <span className="field__label">{t('composer.whatsapp.template')}</span>
        <select
          className="select select--wide"
          data-testid="wa-template"
          value={choice ? templateKey(choice) : ''}
          disabled={templates.length === 0 && choice === null}
          onChange={(event) => {
            const value = event.currentTarget.value;
            const picked = templates.find((candidate) => templateKey(candidate) === value);
            onChoose(number.phoneNumberId, picked ? { name: picked.name, language: picked.language } : null);
          }}
        >
          <option value="">{t('composer.whatsapp.choose')}</option>
          {templates.map((candidate) => {
            const selectable = isSelectable(candidate);
            const why =
              candidate.status !== 'APPROVED'
                ? t('composer.whatsapp.notSelectable', { status: templateStatusLabel(t, candidate.status) })
                : candidate.unsupported !== null
                  ? t('composer.whatsapp.unsupported', { reason: t(`composer.whatsapp.unsupportedReasons.${candidate.unsupported}`) })
                  : '';
            return (
              <option
                key={templateKey(candidate)}
                value={templateKey(candidate)}
                disabled={!selectable}
              >
                {`${candidate.name} · ${candidate.language}${why ? ` ${why}` : ''}`}
              </option>
            );
          })}
          {!chosenKnown && choice ? (
            <option value={templateKey(choice)} disabled>
              {`${choice.name} · ${choice.language}`}
            </option>
          ) : null}
        </select>
      </label>
      {template ? <TemplateParams number={number} template={template} hasImage={hasImage} onParam={onParam} /> : null}
    </div>
  );
}

function TemplateParams({
  number,
  template,
  hasImage,
  onParam,
}: {
  number: WhatsAppNumberView;
  template: TemplateInfo;
  hasImage: boolean;
  onParam: WhatsAppPartProps['onParam'];
}) {
  const { t } = useTranslation();
  return (
    <div className="wa-template">
      {template.header.format === 'IMAGE' ? (
        <p className={hasImage ? 'wa-template__note' : 'wa-template__note wa-template__note--warn'} data-testid="wa-header-image">
          <Icon name={hasImage ? 'image' : 'alert'} size={16} />
          {hasImage ? t('composer.whatsapp.headerImage') : t('composer.whatsapp.headerImageMissing')}
        </p>
      ) : null}
      <div className="wa-template__params-head">{t('composer.whatsapp.params')}</div>
      {template.params.length === 0 ? <p className="wa-template__none">{t('composer.whatsapp.noParams')}</p> : null}
      {template.params.map((param) => {
        const value = number.draft?.params[param.key] ?? EMPTY_PARAM;
        const label = paramLabel(param.key);
        return (
          <div className="wa-param" key={param.key} data-testid="wa-param" data-key={param.key}>
            <div className="wa-param__label">
              <code className="wa-param__key">{label}</code>
              {param.example ? (
                <span className="wa-param__example">
                  {t('composer.whatsapp.exampleLabel')}
                  <span data-user-content>{param.example}</span>
                </span>
              ) : null}
            </div>
            <select
              className="select select--compact wa-param__source"
              data-testid="wa-param-source"
              aria-label={`${t('composer.whatsapp.source')} ${label}`}
              value={value.source}
              onChange={(event) => {
                const source = event.currentTarget.value === 'customer_name' ? 'customer_name' : 'fixed';
                onParam(number.phoneNumberId, param.key, switchSource(value, source));
              }}
            >
              <option value="fixed">{t('composer.whatsapp.sources.fixed')}</option>
              <option value="customer_name">{t('composer.whatsapp.sources.customer_name')}</option>
            </select>
            <input
              className="input wa-param__text"
              data-testid="wa-param-text"
              aria-label={`${label} ${value.source === 'fixed' ? t('composer.whatsapp.sources.fixed') : t('composer.whatsapp.fallbackPlaceholder')}`}
              placeholder={value.source === 'fixed' ? t('composer.whatsapp.fixedPlaceholder') : t('composer.whatsapp.fallbackPlaceholder')}
              maxLength={1024}
              value={paramText(value)}
              onChange={(event) => onParam(number.phoneNumberId, param.key, withParamText(value, event.currentTarget.value))}
            />
          </div>
        );
      })}
    </div>
  );
}

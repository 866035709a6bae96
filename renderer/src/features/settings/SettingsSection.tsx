import { useTranslation } from 'react-i18next';
import type { Language } from '../../../../preload/contract';
import { Alert } from '../../components/Alert';
import { ModeBadge } from '../../components/ModeBadge';
import { PageHeader } from '../../components/PageHeader';
import { ERROR_MESSAGE_KEYS, LANGUAGES, isLanguage } from '../../i18n';
import { useAppStore } from '../../store';
import { useAppInfo, useLanguage } from '../../store/selectors';
import { WorkspaceCard } from './WorkspaceCard';

/** 設定: language, the workspace in use (with the demo's logins), and what this app is and where its data lives. */
export function SettingsSection() {
  const { t } = useTranslation();
  const language = useLanguage();
  const info = useAppInfo();
  const mode = useAppStore((state) => state.status?.mode ?? null);
  const settingsError = useAppStore((state) => state.settingsError);
  const setLanguage = useAppStore((state) => state.setLanguage);
  const dismissSettingsError = useAppStore((state) => state.dismissSettingsError);

  return (
    <section className="section" data-testid="section-settings" aria-labelledby="section-settings-title">
      <PageHeader titleId="section-settings-title" title={t('settings.title')} subtitle={t('settings.subtitle')} />
      <div className="section__body section__body--narrow">
        {settingsError ? (
          <Alert
            testId="settings-error"
            message={t(ERROR_MESSAGE_KEYS[settingsError])}
            onDismiss={dismissSettingsError}
            dismissLabel={t('errors.dismiss')}
          />
        ) : null}

        <div className="card">
          <h2 className="card__title">{t('settings.languageSection')}</h2>
          <div className="field">
            <label className="field__label" htmlFor="settings-language">
              {t('settings.languageLabel')}
            </label>
            <select
              id="settings-language"
              className="select"
              data-testid="language-select"
              value={language}
              aria-describedby="settings-language-hint"
              onChange={(event) => {
                const next = event.currentTarget.value;
                if (isLanguage(next)) void setLanguage(next);
              }}
            >
              {LANGUAGES.map((option: Language) => (
                <option key={option} value={option}>
                  {t(`languages.${option}`)}
                </option>
              ))}
            </select>
            <p id="settings-language-hint" className="field__hint">
              {t('settings.languageHint')}
            </p>
          </div>
        </div>

        <WorkspaceCard />

        <div className="card">
          <h2 className="card__title">{t('settings.aboutSection')}</h2>
          {info ? (
            <dl className="facts">
              <dt>{t('settings.version')}</dt>
              <dd data-testid="settings-version">{info.version}</dd>
              <dt>{t('settings.mode')}</dt>
              <dd>{mode ? <ModeBadge mode={mode} label={t(`status.modes.${mode}`)} /> : null}</dd>
              <dt>{t('settings.dataDir')}</dt>
              <dd>
                <code className="path" data-user-content>
                  {info.dataDir}
                </code>
              </dd>
              <dt>{t('settings.transport')}</dt>
              <dd>{t(`settings.transports.${info.transport}`)}</dd>
              <dt>{t('settings.platform')}</dt>
              <dd data-user-content>{info.platform}</dd>
            </dl>
          ) : null}
        </div>
      </div>
    </section>
  );
}

import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppMode, Language } from '../../../preload/contract';
import { Icon } from '../components/Icon';
import { ModeBadge } from '../components/ModeBadge';

export function StatusBar({
  mode,
  online,
  version,
  language,
  onToggleLanguage,
  activity,
}: {
  mode: AppMode | null;
  online: boolean | null;
  version: string | null;
  language: Language;
  onToggleLanguage: () => void;
  /** Work running in main that the user may want to reach from anywhere (a send in progress). */
  activity?: ReactNode;
}) {
  const { t } = useTranslation();
  const other: Language = language === 'zh-TW' ? 'en' : 'zh-TW';
  return (
    <footer className="statusbar" aria-label={t('status.label')}>
      <div className="statusbar__group">
        {mode ? (
          <ModeBadge mode={mode} label={t(`status.modes.${mode}`)} testId="status-mode" />
        ) : null}
        {online === null ? null : (
          <span className="statusbar__item" data-testid="status-online" data-online={online}>
            <span className={online ? 'dot dot--online' : 'dot dot--offline'} aria-hidden="true" />
            {online ? t('status.networkOnline') : t('status.networkOffline')}
          </span>
        )}
        {activity}
      </div>
      <div className="statusbar__group">
        {version ? <span className="statusbar__item statusbar__version">{t('status.version', { version })}</span> : null}
        <button
          type="button"
          className="statusbar__lang"
          data-testid="language-toggle"
          aria-label={t('status.switchLanguage')}
          title={t('status.switchLanguage')}
          onClick={onToggleLanguage}
        >
          <Icon name="globe" size={14} />
          <span>{t(`languages.${other}`)}</span>
        </button>
      </div>
    </footer>
  );
}

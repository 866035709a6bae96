import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert } from '../components/Alert';
import { Button } from '../components/Button';
import { Logo } from '../components/Icon';
import { Spinner } from '../components/Spinner';
import { StatusBroadcast } from '../features/broadcast/containers';
import { DraftsSection } from '../features/drafts/DraftsSection';
import { EventsSection } from '../features/events/EventsSection';
import { HistorySection } from '../features/history/HistorySection';
import { OnboardingScreen } from '../features/onboarding/OnboardingScreen';
import { ReportSection } from '../features/reports/ReportSection';
import { SettingsSection } from '../features/settings/SettingsSection';
import { ERROR_MESSAGE_KEYS } from '../i18n';
import { useAppStore, type Section } from '../store';
import { startApp } from '../store/actions';
import { useLanguage, useLoadState, useSection, useStatus } from '../store/selectors';
import { Layout } from './Layout';
import { NavRail } from './NavRail';
import { StatusBar } from './StatusBar';

function SectionView({ section }: { section: Section }) {
  switch (section) {
    case 'events':
      return <EventsSection />;
    case 'drafts':
      return <DraftsSection />;
    case 'history':
      return <HistorySection />;
    case 'report':
      return <ReportSection />;
    case 'settings':
      return <SettingsSection />;
  }
}

function StatusBarContainer() {
  const { mode, online, version } = useStatus();
  const language = useLanguage();
  const setLanguage = useAppStore((state) => state.setLanguage);
  return (
    <StatusBar
      mode={mode}
      online={online}
      version={version}
      language={language}
      onToggleLanguage={() => void setLanguage(language === 'zh-TW' ? 'en' : 'zh-TW')}
      activity={<StatusBroadcast />}
    />
  );
}

function StartFailed() {
  const { t } = useTranslation();
  const error = useAppStore((state) => state.bridgeError);
  return (
    <main className="fullscreen" data-testid="app-failed">
      <div className="fullscreen__card">
        <Logo size={40} />
        <h1 className="fullscreen__title">{t('app.loadFailedTitle')}</h1>
        <p className="fullscreen__body">{t('app.loadFailedBody')}</p>
        {error ? <Alert message={t(ERROR_MESSAGE_KEYS[error.code])} /> : null}
        <div>
          <Button variant="primary" onClick={() => void startApp()}>
            {t('app.retry')}
          </Button>
        </div>
      </div>
    </main>
  );
}

/** The shell once the bridge exists: loading → ready (or a start failure with a retry); on first start, the welcome. */
export function App() {
  const { t } = useTranslation();
  const loadState = useLoadState();
  const section = useSection();
  const setSection = useAppStore((state) => state.setSection);
  // First start: welcome the user until a workspace is chosen, and keep the welcome up while the demo starts (main
  // may already report 'demo' then) or after it failed, so its progress and its error stay where the user looks.
  const onboarding = useAppStore((state) => state.status?.mode === 'setup' || state.demoStart.phase !== 'idle');

  useEffect(() => {
    void startApp();
  }, []);

  if (loadState === 'failed') return <StartFailed />;
  if (loadState !== 'ready') {
    return (
      <main className="fullscreen" data-testid="app-loading">
        <Spinner size="lg" label={t('app.loading')} />
      </main>
    );
  }
  return (
    <Layout
      rail={onboarding ? undefined : <NavRail current={section} onSelect={setSection} />}
      statusBar={<StatusBarContainer />}
    >
      {onboarding ? <OnboardingScreen /> : <SectionView section={section} />}
    </Layout>
  );
}

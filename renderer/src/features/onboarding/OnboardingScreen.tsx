import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Icon, Logo } from '../../components/Icon';
import { Spinner } from '../../components/Spinner';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { useAppStore } from '../../store';
import { SignInForm } from '../session/SignInForm';

type View = 'choices' | 'connect';

/**
 * First start (mode 'setup'): welcome the user and let them choose a workspace. The demo is the primary choice and
 * has the focus; 連線到你的工作區 opens the sign-in form (Inbox URL, account, password), which lands on 對話.
 */
export function OnboardingScreen() {
  const { t } = useTranslation();
  const demoStart = useAppStore((state) => state.demoStart);
  const chooseDemoWorkspace = useAppStore((state) => state.chooseDemoWorkspace);
  const [view, setView] = useState<View>('choices');
  /** Where focus goes when the choices come back: to the card the user left from. */
  const returnFocus = useRef<'demo' | 'connect'>('demo');

  const demoCard = useRef<HTMLButtonElement>(null);
  const connectCard = useRef<HTMLButtonElement>(null);
  const progress = useRef<HTMLDivElement>(null);
  const retryButton = useRef<HTMLButtonElement>(null);
  const connectTitle = useRef<HTMLHeadingElement>(null);

  const { phase, error } = demoStart;

  // Focus follows the screen's state, so a keyboard user is never left on a button that has gone away.
  useEffect(() => {
    if (phase === 'starting') progress.current?.focus();
    else if (phase === 'failed') retryButton.current?.focus();
    else if (view === 'connect') connectTitle.current?.focus();
    else (returnFocus.current === 'connect' ? connectCard : demoCard).current?.focus();
  }, [phase, view]);

  const startDemo = () => {
    returnFocus.current = 'demo';
    setView('choices');
    void chooseDemoWorkspace();
  };

  let body;
  if (phase === 'starting') {
    body = (
      <div className="onboarding__panel" data-testid="onboarding-progress" ref={progress} tabIndex={-1}>
        <Spinner size="lg" label={t('onboarding.starting')} />
        <p className="onboarding__hint">{t('onboarding.startingHint')}</p>
      </div>
    );
  } else if (phase === 'failed') {
    body = (
      <div className="onboarding__panel onboarding__panel--left" data-testid="onboarding-error">
        <Alert title={t('onboarding.failedTitle')} message={t(ERROR_MESSAGE_KEYS[error ?? 'internal'])} />
        <div className="onboarding__actions">
          <Button variant="primary" ref={retryButton} onClick={startDemo} data-testid="onboarding-retry">
            {t('onboarding.retry')}
          </Button>
        </div>
      </div>
    );
  } else if (view === 'connect') {
    body = (
      <div
        className="onboarding__panel onboarding__panel--left"
        data-testid="onboarding-connect-panel"
        role="region"
        aria-labelledby="onboarding-connect-title"
      >
        <div className="onboarding__panel-head">
          <span className="choice__icon choice__icon--muted" aria-hidden="true">
            <Icon name="plug" size={22} />
          </span>
          <h2 id="onboarding-connect-title" className="onboarding__panel-title" ref={connectTitle} tabIndex={-1}>
            {t('onboarding.connectPanelTitle')}
          </h2>
        </div>
        <SignInForm inboxUrl intro={t('onboarding.connectPanelBody')} />
        <div className="onboarding__actions onboarding__actions--split">
          <Button
            icon="chevronLeft"
            variant="ghost"
            className="btn--plain"
            onClick={() => {
              returnFocus.current = 'connect';
              setView('choices');
            }}
            data-testid="onboarding-back"
          >
            {t('onboarding.back')}
          </Button>
          <button type="button" className="link-btn" onClick={startDemo} data-testid="onboarding-connect-demo">
            {t('onboarding.useDemoInstead')}
          </button>
        </div>
      </div>
    );
  } else {
    body = (
      <>
        <div className="choices" role="group" aria-label={t('onboarding.choicesLabel')}>
          <button
            type="button"
            ref={demoCard}
            className="choice choice--primary"
            data-testid="onboarding-demo"
            aria-labelledby="onboarding-demo-title"
            aria-describedby="onboarding-demo-body"
            onClick={startDemo}
          >
            <span className="choice__top">
              <span className="choice__icon" aria-hidden="true">
                <Icon name="layers" size={22} />
              </span>
              <span className="choice__tag">{t('onboarding.recommended')}</span>
            </span>
            <span id="onboarding-demo-title" className="choice__title">
              {t('onboarding.demoTitle')}
            </span>
            <span id="onboarding-demo-body" className="choice__body">
              {t('onboarding.demoBody')}
            </span>
            <span className="choice__cta" aria-hidden="true">
              {t('onboarding.demoAction')}
              <Icon name="chevronRight" size={16} />
            </span>
          </button>
          <button
            type="button"
            ref={connectCard}
            className="choice"
            data-testid="onboarding-connect"
            aria-labelledby="onboarding-connect-card-title"
            aria-describedby="onboarding-connect-body"
            onClick={() => setView('connect')}
          >
            <span className="choice__top">
              <span className="choice__icon choice__icon--muted" aria-hidden="true">
                <Icon name="plug" size={22} />
              </span>
            </span>
            <span id="onboarding-connect-card-title" className="choice__title">
              {t('onboarding.connectTitle')}
            </span>
            <span id="onboarding-connect-body" className="choice__body">
              {t('onboarding.connectBody')}
            </span>
            <span className="choice__cta" aria-hidden="true">
              {t('onboarding.connectAction')}
              <Icon name="chevronRight" size={16} />
            </span>
          </button>
        </div>
        <p className="onboarding__footnote">{t('onboarding.footnote')}</p>
      </>
    );
  }

  return (
    <section className="onboarding" data-testid="onboarding" aria-labelledby="onboarding-title">
      <div className="onboarding__inner">
        <header className="onboarding__header">
          <Logo size={48} />
          <h1 id="onboarding-title" className="onboarding__title">
            {t('onboarding.title')}
          </h1>
          <p className="onboarding__lede">{t('onboarding.lede')}</p>
        </header>
        <div className="onboarding__body">{body}</div>
      </div>
    </section>
  );
}

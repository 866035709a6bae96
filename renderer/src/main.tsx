import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Root } from './app/Root';
import { hasBridge } from './bridge';
import './i18n';
import { startApp } from './store/actions';
import './styles/global.css';

// Start loading (app info, settings, the session and the event list) before React's first render rather than in
// App's first effect: the requests are on their way while the shell renders. App's own call is then a no-op.
if (hasBridge()) void startApp();

const container = document.getElementById('root');
if (container) {
  createRoot(container).render(
    <StrictMode>
      <Root />
    </StrictMode>,
  );
}

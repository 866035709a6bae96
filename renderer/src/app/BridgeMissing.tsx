import { i18n } from '../i18n';
import { Icon, Logo } from '../components/Icon';

/**
 * Shown when neither the Electron preload nor the preview host installed window.omo. The language setting cannot be
 * read without the bridge, so the message is given in both languages.
 */
export function BridgeMissing() {
  const zh = i18n.getFixedT('zh-TW');
  const en = i18n.getFixedT('en');
  return (
    <main className="fullscreen" data-testid="bridge-missing">
      <div className="fullscreen__card" role="alert">
        <div className="fullscreen__mark">
          <Logo size={40} />
          <Icon name="plug" size={22} className="fullscreen__warn" />
        </div>
        <section lang="zh-TW">
          <h1 className="fullscreen__title">{zh('bridge.missingTitle')}</h1>
          <p className="fullscreen__body">{zh('bridge.missingBody')}</p>
        </section>
        <section lang="en" className="fullscreen__secondary">
          <h2 className="fullscreen__subtitle">{en('bridge.missingTitle')}</h2>
          <p className="fullscreen__body">{en('bridge.missingBody')}</p>
        </section>
      </div>
    </main>
  );
}

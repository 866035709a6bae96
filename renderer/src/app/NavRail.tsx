import { useTranslation } from 'react-i18next';
import { Icon, Logo } from '../components/Icon';
import type { Section } from '../store';
import { NAV_ITEMS } from './sections';

export function NavRail({ current, onSelect }: { current: Section; onSelect: (section: Section) => void }) {
  const { t } = useTranslation();
  const main = NAV_ITEMS.filter((item) => item.section !== 'settings');
  const footer = NAV_ITEMS.filter((item) => item.section === 'settings');
  const renderItem = (item: (typeof NAV_ITEMS)[number]) => {
    const active = item.section === current;
    return (
      <li key={item.section}>
        <button
          type="button"
          className={active ? 'nav__item nav__item--active' : 'nav__item'}
          aria-current={active ? 'page' : undefined}
          data-testid={`nav-${item.section}`}
          onClick={() => onSelect(item.section)}
        >
          <Icon name={item.icon} size={20} />
          <span className="nav__label">{t(item.labelKey)}</span>
        </button>
      </li>
    );
  };
  return (
    <nav className="rail" aria-label={t('nav.label')}>
      <div className="rail__brand">
        <Logo size={32} />
        <div className="rail__brand-text">
          <span className="rail__product">{t('app.name')}</span>
          <span className="rail__tagline">{t('app.tagline')}</span>
        </div>
      </div>
      <ul className="nav">{main.map(renderItem)}</ul>
      <ul className="nav nav--footer">{footer.map(renderItem)}</ul>
    </nav>
  );
}

import type { ReactNode } from 'react';
import { Icon } from './Icon';

export function PageHeader({
  title,
  titleId,
  subtitle,
  breadcrumb,
  actions,
}: {
  title: string;
  titleId: string;
  subtitle?: string;
  breadcrumb?: string;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div className="page-header__text">
        {breadcrumb ? (
          <div className="page-header__crumb">
            <span>{breadcrumb}</span>
            <Icon name="chevronRight" size={14} />
          </div>
        ) : null}
        <h1 id={titleId} className="page-header__title">
          {title}
        </h1>
        {subtitle ? <p className="page-header__subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-header__actions">{actions}</div> : null}
    </header>
  );
}

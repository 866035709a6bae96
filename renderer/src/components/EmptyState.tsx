import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

export function EmptyState({
  icon,
  title,
  body,
  action,
  compact = false,
}: {
  icon: IconName;
  title: string;
  body: string;
  action?: ReactNode;
  compact?: boolean;
}) {
  return (
    <div className={compact ? 'empty empty--compact' : 'empty'}>
      <div className="empty__icon">
        <Icon name={icon} size={compact ? 24 : 32} />
      </div>
      <h2 className="empty__title">{title}</h2>
      <p className="empty__body">{body}</p>
      {action ? <div className="empty__action">{action}</div> : null}
    </div>
  );
}

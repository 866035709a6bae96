import { Icon } from './Icon';

/** An inline error message with an optional dismiss button. */
export function Alert({
  title,
  message,
  onDismiss,
  dismissLabel,
  testId,
}: {
  title?: string;
  message: string;
  onDismiss?: () => void;
  dismissLabel?: string;
  testId?: string;
}) {
  return (
    <div className="alert" role="alert" data-testid={testId}>
      <Icon name="alert" size={18} className="alert__icon" />
      <div className="alert__text">
        {title ? <strong className="alert__title">{title}</strong> : null}
        <span>{message}</span>
      </div>
      {onDismiss ? (
        <button type="button" className="icon-btn alert__dismiss" onClick={onDismiss} aria-label={dismissLabel}>
          <Icon name="close" size={16} />
        </button>
      ) : null}
    </div>
  );
}

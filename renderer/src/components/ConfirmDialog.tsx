import { useEffect, useRef } from 'react';
import { Button } from './Button';
import type { IconName } from './Icon';

/**
 * A small modal confirmation. Focus starts on Cancel (the safe choice); Escape cancels.
 */
export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  cancelLabel,
  onConfirm,
  onCancel,
  confirmTestId,
  confirmIcon = 'trash',
  busy = false,
}: {
  title: string;
  body: string;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  confirmTestId?: string;
  confirmIcon?: IconName;
  /** The confirmed action is running: both buttons wait. */
  busy?: boolean;
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    cancelRef.current?.focus();
  }, []);
  return (
    <div className="dialog-backdrop" onMouseDown={onCancel}>
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-dialog-title"
        aria-describedby="confirm-dialog-body"
        onMouseDown={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onCancel();
        }}
      >
        <h2 id="confirm-dialog-title" className="dialog__title">
          {title}
        </h2>
        <p id="confirm-dialog-body" className="dialog__body">
          {body}
        </p>
        <div className="dialog__actions">
          <Button ref={cancelRef} onClick={onCancel} disabled={busy}>
            {cancelLabel}
          </Button>
          <Button variant="danger" icon={confirmIcon} onClick={onConfirm} disabled={busy} data-testid={confirmTestId}>
            {confirmLabel}
          </Button>
        </div>
      </div>
    </div>
  );
}

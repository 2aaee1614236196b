import type { ReactNode } from 'react';
import { describeError } from '../../api/errors.ts';
import { Alert } from './Alert.tsx';
import { Button } from './Button.tsx';
import { Dialog } from './Dialog.tsx';

export interface ConfirmDialogProps {
  open: boolean;
  /** Cancel, Escape, a click outside and the close button; only Cancel while not busy. */
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  confirmLabel: ReactNode;
  cancelLabel?: ReactNode;
  /** `primary` for a confirmation that destroys nothing (sending, rotating a secret). */
  tone?: 'danger' | 'primary';
  /** The request is running: the confirm button spins, nothing else can be pressed. */
  busy?: boolean;
  /** The last attempt's failure (a mutation's `error`), shown with its message. */
  error?: unknown;
  /** A heading over the error, saying what did not happen. */
  errorTitle?: ReactNode;
  /** The confirmation is not yet possible, e.g. a typed confirmation does not match. */
  confirmDisabled?: boolean;
  onConfirm: () => void;
  /** Extra body content (a warning, a choice, a typed confirmation), under the error as in forms. */
  children?: ReactNode;
}

/**
 * "Are you sure?" as an alert dialog. Cancel takes the focus first, so Enter or Space
 * never confirms by accident; while `busy`, Escape and outside clicks do nothing and both
 * buttons are disabled, so the dialog cannot close under a running request.
 */
export function ConfirmDialog({
  open,
  onClose,
  title,
  description,
  confirmLabel,
  cancelLabel = 'Cancel',
  tone = 'danger',
  busy = false,
  error = null,
  errorTitle,
  confirmDisabled = false,
  onConfirm,
  children,
}: ConfirmDialogProps) {
  const failed = error !== null && error !== undefined;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      busy={busy}
      role="alertdialog"
      size="sm"
      title={title}
      description={description}
      footer={
        <>
          <Button variant="secondary" onClick={onClose} disabled={busy} data-autofocus>
            {cancelLabel}
          </Button>
          <Button variant={tone} onClick={() => onConfirm()} loading={busy} disabled={confirmDisabled}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {(children || failed) && (
        <div className="space-y-3">
          {failed && <Alert title={errorTitle}>{describeError(error)}</Alert>}
          {children}
        </div>
      )}
    </Dialog>
  );
}

import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors.ts';
import { ConfirmDialog, type ConfirmDialogProps } from './ConfirmDialog.tsx';

function renderDialog(props: Partial<ConfirmDialogProps> = {}) {
  const onClose = vi.fn();
  const onConfirm = vi.fn();
  render(
    <ConfirmDialog
      open
      onClose={onClose}
      onConfirm={onConfirm}
      title="Delete Newsletter?"
      description="It leaves the list."
      confirmLabel="Delete template"
      {...props}
    />,
  );
  return { onClose, onConfirm };
}

describe('ConfirmDialog', () => {
  it('is an alert dialog that focuses Cancel first, so Enter does not confirm', async () => {
    const user = userEvent.setup();
    const { onClose, onConfirm } = renderDialog();
    const dialog = screen.getByRole('alertdialog', { name: 'Delete Newsletter?' });
    expect(dialog.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }));

    await user.keyboard('{Enter}');
    expect(onConfirm).not.toHaveBeenCalled();
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('calls onConfirm from the confirm button, and shows no error before a failure', async () => {
    const user = userEvent.setup();
    const { onConfirm, onClose } = renderDialog({ cancelLabel: 'Keep it' });
    expect(screen.queryByRole('alert')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Delete template' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Keep it' })).toBeDefined();
  });

  it("shows the error's message under its title, above the extra content", () => {
    renderDialog({
      error: new ApiError(409, { code: 'template_in_use', message: 'a scheduled campaign uses it', details: {} }),
      errorTitle: 'The template was not deleted',
      children: <p>Extra content</p>,
    });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe('The template was not deletedA scheduled campaign uses it.');
    const extra = screen.getByText('Extra content');
    expect(alert.compareDocumentPosition(extra) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('while busy, disables both buttons, marks confirm busy and ignores Escape', async () => {
    const user = userEvent.setup();
    const { onClose, onConfirm } = renderDialog({ busy: true });
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    const confirm = screen.getByRole('button', { name: 'Delete template' });
    expect(cancel).toHaveProperty('disabled', true);
    expect(confirm).toHaveProperty('disabled', true);
    expect(confirm.getAttribute('aria-busy')).toBe('true');

    await user.keyboard('{Escape}');
    await user.click(confirm);
    expect(onClose).not.toHaveBeenCalled();
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it('keeps confirm disabled until the caller allows it, and styles a harmless action as primary', () => {
    renderDialog({ confirmDisabled: true, tone: 'primary', confirmLabel: 'Send' });
    const confirm = screen.getByRole('button', { name: 'Send' });
    expect(confirm).toHaveProperty('disabled', true);
    expect(confirm.className).toContain('bg-indigo-600');
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveProperty('disabled', false);
  });
});

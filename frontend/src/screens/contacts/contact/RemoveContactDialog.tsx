import { useState } from 'react';
import { useLocation } from 'wouter';
import { useRemoveContact, type Contact } from '../../../api/contacts.ts';
import { ConfirmDialog, Input, useToast } from '../../../components/ui/index.ts';
import { cn } from '../../../lib/cn.ts';

type Mode = 'delete' | 'erase';

/**
 * Deleting hides a contact (it leaves every group; a later import can bring the address
 * back). Erasing removes every trace of the address (a data subject's request) and needs
 * the address typed again, since it cannot be undone.
 */
export function RemoveContactDialog({ contact, onClose }: { contact: Contact | null; onClose: () => void }) {
  const [mode, setMode] = useState<Mode>('delete');
  const [typed, setTyped] = useState('');
  const remove = useRemoveContact();
  const toast = useToast();
  const [, navigate] = useLocation();

  const close = () => {
    setMode('delete');
    setTyped('');
    remove.reset();
    onClose();
  };

  const confirmed = mode === 'delete' || typed.trim().toLowerCase() === contact?.email.toLowerCase();

  const confirm = () => {
    if (!contact || !confirmed) return;
    remove.mutate(
      { id: contact.id, erase: mode === 'erase' },
      {
        onSuccess: () => {
          toast.success(mode === 'erase' ? 'Contact erased' : 'Contact deleted', contact.email);
          close();
          navigate('');
          remove.forget(contact.id);
        },
      },
    );
  };

  const options: { value: Mode; title: string; hint: string }[] = [
    { value: 'delete', title: 'Delete', hint: 'Removes the contact from your lists and every group. Its history stays in reports.' },
    {
      value: 'erase',
      title: 'Erase all personal data',
      hint: 'For a data protection request: removes the address everywhere, including its suppression entry and import reports. Cannot be undone.',
    },
  ];

  return (
    <ConfirmDialog
      open={contact !== null}
      onClose={close}
      busy={remove.isPending}
      error={remove.error}
      title={contact ? `Remove ${contact.email}?` : 'Remove contact?'}
      confirmLabel={mode === 'erase' ? 'Erase for good' : 'Delete contact'}
      confirmDisabled={!confirmed}
      onConfirm={confirm}
    >
      <fieldset className="space-y-2">
        <legend className="sr-only">How to remove the contact</legend>
        {options.map((option) => (
          <label
            key={option.value}
            className={cn(
              'flex cursor-pointer gap-3 rounded-lg border px-3.5 py-3 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600',
              mode === option.value
                ? option.value === 'erase'
                  ? 'border-rose-300 bg-rose-50/60'
                  : 'border-indigo-300 bg-indigo-50/60'
                : 'border-slate-200',
            )}
          >
            <input
              type="radio"
              name="remove-mode"
              value={option.value}
              checked={mode === option.value}
              onChange={() => setMode(option.value)}
              className="mt-0.5 size-4 accent-indigo-600"
            />
            <span>
              <span className="block font-medium text-slate-900">{option.title}</span>
              <span className="block text-slate-500">{option.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {mode === 'erase' && contact && (
        <Input
          label={
            <span>
              Type <span className="font-mono">{contact.email}</span> to confirm
            </span>
          }
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
      )}
    </ConfirmDialog>
  );
}

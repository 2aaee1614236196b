import { useState, type FormEvent } from 'react';
import { ApiError, describeError } from '../../../api/errors.ts';
import { MAX_TEST_RECIPIENTS, useSendTest, type Recipient } from '../../../api/templates.ts';
import { Alert, Button, Dialog, useToast } from '../../../components/ui/index.ts';
import { controlClass } from '../../../components/ui/Field.tsx';
import { parseAddresses } from '../../../lib/addresses.ts';
import { cn } from '../../../lib/cn.ts';

/** What is wrong with the typed addresses before asking the server, or null. */
export function addressProblem(addresses: readonly string[]): string | null {
  if (addresses.length === 0) return 'Enter at least one address.';
  if (addresses.length > MAX_TEST_RECIPIENTS)
    return `A test goes to at most ${MAX_TEST_RECIPIENTS} addresses; ${addresses.length} are listed.`;
  const bad = addresses.find((address) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address));
  return bad ? `“${bad}” is not an email address.` : null;
}

const SENDER_CODES = new Set(['no_sender', 'sender_domain_unverified']);

/**
 * Sends the saved template, marked as a test, to up to five people. A test sends what is
 * saved: with unsaved changes, the dialog offers to save first.
 */
export function TestSendDialog({
  open,
  onClose,
  templateId,
  recipient,
  recipientLabel,
  dirty,
  onSave,
  defaultAddress,
}: {
  open: boolean;
  onClose: () => void;
  templateId: number;
  recipient: Recipient;
  recipientLabel: string;
  dirty: boolean;
  /** Saves the draft; resolves to whether it was saved. */
  onSave: () => Promise<boolean>;
  defaultAddress: string;
}) {
  const [text, setText] = useState(defaultAddress);
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const send = useSendTest(templateId);
  const toast = useToast();
  const addresses = parseAddresses(text);
  const problem = addressProblem(addresses);

  const close = () => {
    send.reset();
    setTouched(false);
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (problem) return;
    if (dirty) {
      setSaving(true);
      const saved = await onSave();
      setSaving(false);
      if (!saved) return;
    }
    send.mutate(
      { emails: addresses, ...recipient },
      {
        onSuccess: (result) => {
          toast.success('Test sent', `“${result.subject}” to ${result.recipients.join(', ')}`);
          close();
        },
      },
    );
  };

  const senderError = send.error instanceof ApiError && SENDER_CODES.has(send.error.code);
  return (
    <Dialog
      open={open}
      onClose={close}
      busy={send.isPending || saving}
      title="Send a test"
      description={`The saved version, personalised for ${recipientLabel}, with “[Test]” before the subject. Links are not tracked.`}
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={send.isPending || saving}>
            Cancel
          </Button>
          <Button type="submit" form="test-send" loading={send.isPending || saving}>
            {dirty ? 'Save and send test' : 'Send test'}
          </Button>
        </>
      }
    >
      <form id="test-send" onSubmit={(event) => void submit(event)} noValidate className="space-y-4">
        {send.isError && (
          <Alert title={senderError ? 'No sender this test can come from' : 'The test was not sent'}>
            {describeError(send.error)}
            {senderError && ' Set the From address under “Sender and settings”, at a domain verified under Domains.'}
          </Alert>
        )}
        {dirty && <Alert tone="info">You have unsaved changes: they are saved as a new version before the test is sent.</Alert>}
        <div>
          <label htmlFor="test-addresses" className="text-sm font-medium text-slate-800">
            Send to
          </label>
          <textarea
            id="test-addresses"
            rows={3}
            value={text}
            onChange={(event) => setText(event.target.value)}
            onBlur={() => setTouched(true)}
            aria-invalid={(touched && problem !== null) || undefined}
            aria-describedby="test-addresses-help"
            className={cn(controlClass(touched && problem !== null), 'mt-1.5 py-2')}
            placeholder="you@example.com"
            spellCheck={false}
            data-autofocus
          />
          <p id="test-addresses-help" className={cn('mt-1.5 text-sm', touched && problem ? 'text-rose-600' : 'text-slate-500')}>
            {touched && problem
              ? problem
              : `Up to ${MAX_TEST_RECIPIENTS} addresses, one per line or separated by commas. ${addresses.length} listed.`}
          </p>
        </div>
      </form>
    </Dialog>
  );
}

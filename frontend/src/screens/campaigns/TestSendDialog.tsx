import { useState, type FormEvent } from 'react';
import { MAX_TEST_ADDRESSES, useSendCampaignTest, type Campaign } from '../../api/campaigns.ts';
import { describeError } from '../../api/errors.ts';
import { Alert, Button, Dialog, useToast } from '../../components/ui/index.ts';
import { controlClass } from '../../components/ui/Field.tsx';
import { looksLikeEmail, parseAddresses } from '../../lib/addresses.ts';
import { cn } from '../../lib/cn.ts';

/** What is wrong with the typed addresses before asking the server, or null. */
export function testAddressProblem(addresses: readonly string[]): string | null {
  if (addresses.length === 0) return 'Enter at least one address.';
  if (addresses.length > MAX_TEST_ADDRESSES) return `A test goes to at most ${MAX_TEST_ADDRESSES} addresses; ${addresses.length} are listed.`;
  const bad = addresses.find((address) => !looksLikeEmail(address));
  return bad ? `“${bad}” is not an email address.` : null;
}

/** Sends the campaign as it is saved now, marked as a test, to up to ten addresses. */
export function TestSendDialog({ open, onClose, campaign }: { open: boolean; onClose: () => void; campaign: Campaign }) {
  const [text, setText] = useState(() => campaign.seed_emails.slice(0, MAX_TEST_ADDRESSES).join('\n'));
  const [touched, setTouched] = useState(false);
  const send = useSendCampaignTest(campaign.id);
  const toast = useToast();
  const addresses = parseAddresses(text);
  const problem = testAddressProblem(addresses);

  const close = () => {
    send.reset();
    setTouched(false);
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (problem) return;
    send.mutate(
      { emails: addresses },
      {
        onSuccess: (result) => {
          toast.success('Test sent', `“${result.subject}” to ${result.recipients.join(', ')}`);
          close();
        },
      },
    );
  };

  const invalid = touched && problem !== null;
  return (
    <Dialog
      open={open}
      onClose={close}
      busy={send.isPending}
      title="Send a test"
      description="The campaign as it is saved now, with sample personal data and “[Test]” before the subject. Tests do not count in the report."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={send.isPending}>
            Cancel
          </Button>
          <Button type="submit" form="campaign-test" loading={send.isPending}>
            Send test
          </Button>
        </>
      }
    >
      <form id="campaign-test" onSubmit={submit} noValidate className="space-y-4">
        {send.isError && <Alert title="The test was not sent">{describeError(send.error)}</Alert>}
        <div>
          <label htmlFor="campaign-test-addresses" className="text-sm font-medium text-slate-800">
            Send to
          </label>
          <textarea
            id="campaign-test-addresses"
            rows={3}
            value={text}
            onChange={(event) => setText(event.target.value)}
            onBlur={() => setTouched(true)}
            aria-invalid={invalid || undefined}
            aria-describedby="campaign-test-help"
            className={cn(controlClass(invalid), 'mt-1.5 py-2')}
            placeholder="you@example.com"
            spellCheck={false}
            data-autofocus
          />
          <p id="campaign-test-help" className={cn('mt-1.5 text-sm', invalid ? 'text-rose-600' : 'text-slate-500')}>
            {invalid ? problem : `Up to ${MAX_TEST_ADDRESSES} addresses, one per line or separated by commas. ${addresses.length} listed.`}
          </p>
        </div>
      </form>
    </Dialog>
  );
}

import { useId, useState } from 'react';
import { Alert, Button, CopyButton } from '../../../components/ui/index.ts';

/** The text file people download: the codes, and what they are for. */
export function recoveryCodesFile(codes: readonly string[], email: string | undefined): string {
  return [
    'EngageX recovery codes',
    email ? `Account: ${email}` : null,
    `Created: ${new Date().toISOString().slice(0, 10)}`,
    '',
    'Each code signs you in once when you cannot use your authenticator app.',
    'Keep them somewhere safe, like a password manager.',
    '',
    ...codes,
    '',
  ]
    .filter((line) => line !== null)
    .join('\n');
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

/**
 * Recovery codes, shown once: copy or download them, and say they are saved before
 * leaving (they are never shown again).
 */
export function RecoveryCodes({
  codes,
  email,
  onDone,
  doneLabel = 'Done',
}: {
  codes: readonly string[];
  email: string | undefined;
  onDone: () => void;
  doneLabel?: string;
}) {
  const [saved, setSaved] = useState(false);
  const checkId = useId();
  return (
    <div className="space-y-4">
      <Alert tone="warning" title="Save these codes now">
        They are shown only this once. Each one signs you in a single time if you lose your phone.
      </Alert>
      <ul
        aria-label="Recovery codes"
        className="grid grid-cols-1 gap-x-6 gap-y-1.5 rounded-lg bg-slate-50 p-4 font-mono text-sm text-slate-900 ring-1 ring-slate-200 sm:grid-cols-2"
        data-testid="recovery-codes"
      >
        {codes.map((code) => (
          <li key={code} className="tracking-wide">
            {code}
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap gap-2">
        <CopyButton text={codes.join('\n')} label="Copy codes" size="sm" />
        <Button
          variant="secondary"
          size="sm"
          onClick={() => download('engagex-recovery-codes.txt', recoveryCodesFile(codes, email))}
        >
          Download
        </Button>
      </div>
      <div className="flex items-start gap-2.5 border-t border-slate-200 pt-4">
        <input
          id={checkId}
          type="checkbox"
          checked={saved}
          onChange={(event) => setSaved(event.target.checked)}
          className="mt-0.5 size-4 rounded border-slate-300 text-indigo-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        />
        <label htmlFor={checkId} className="text-sm text-slate-700">
          I have saved my recovery codes somewhere safe
        </label>
      </div>
      <div className="flex justify-end">
        <Button onClick={onDone} disabled={!saved}>
          {doneLabel}
        </Button>
      </div>
    </div>
  );
}

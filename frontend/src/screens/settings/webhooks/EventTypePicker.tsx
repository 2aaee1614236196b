import { useId } from 'react';
import type { WebhookEventType } from '../../../api/webhooks.ts';

const GROUP_LABELS: Record<string, string> = {
  email: 'Emails',
  contact: 'Contacts',
  campaign: 'Campaigns',
  analytics: 'Deliverability',
};

/** Event types by their prefix ("email.opened" -> Emails), in the server's order. */
export function groupEventTypes(types: readonly WebhookEventType[]): { label: string; types: WebhookEventType[] }[] {
  const groups = new Map<string, WebhookEventType[]>();
  for (const type of types) {
    const prefix = type.type.split('.')[0] ?? type.type;
    const group = groups.get(prefix) ?? [];
    group.push(type);
    groups.set(prefix, group);
  }
  return [...groups].map(([prefix, items]) => ({ label: GROUP_LABELS[prefix] ?? prefix, types: items }));
}

const RADIO = 'size-4 accent-indigo-600';

/** "All events" (`*`, also those added later) or a chosen few, with what each one means. */
export function EventTypePicker({
  types,
  all,
  chosen,
  onAllChange,
  onChosenChange,
  error,
}: {
  types: readonly WebhookEventType[];
  all: boolean;
  chosen: readonly string[];
  onAllChange: (all: boolean) => void;
  onChosenChange: (chosen: string[]) => void;
  error?: string | string[] | undefined;
}) {
  const id = useId();
  const message = Array.isArray(error) ? error[0] : error;
  // On the controls themselves, so that a refused submit can focus the first of them.
  const invalid = message ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};
  const toggle = (type: string) =>
    onChosenChange(chosen.includes(type) ? chosen.filter((item) => item !== type) : [...chosen, type]);

  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-800">Events to send</legend>
      <div className="mt-2 grid gap-2 sm:grid-cols-2">
        <label className="flex items-start gap-3 rounded-lg border border-slate-200 px-3 py-2.5 text-sm has-[:checked]:border-indigo-300 has-[:checked]:bg-indigo-50/50">
          <input type="radio" name={`${id}-scope`} className={`${RADIO} mt-0.5`} checked={all} onChange={() => onAllChange(true)} />
          <span>
            <span className="font-medium text-slate-900">All events</span>
            <span className="block text-slate-500">Also those added later.</span>
          </span>
        </label>
        <label className="flex items-start gap-3 rounded-lg border border-slate-200 px-3 py-2.5 text-sm has-[:checked]:border-indigo-300 has-[:checked]:bg-indigo-50/50">
          <input type="radio" name={`${id}-scope`} className={`${RADIO} mt-0.5`} checked={!all} onChange={() => onAllChange(false)} {...invalid} />
          <span>
            <span className="font-medium text-slate-900">Only the events I choose</span>
            <span className="block text-slate-500">Fewer requests to your system.</span>
          </span>
        </label>
      </div>
      {!all && (
        <div className="mt-3 max-h-56 space-y-4 overflow-y-auto rounded-lg border border-slate-200 p-3">
          {groupEventTypes(types).map((group) => (
            <fieldset key={group.label}>
              <legend className="text-xs font-medium tracking-wide text-slate-500 uppercase">{group.label}</legend>
              <ul className="mt-1.5 space-y-1">
                {group.types.map((type) => (
                  <li key={type.type}>
                    <label className="flex cursor-pointer items-start gap-3 rounded-md px-1.5 py-1 text-sm hover:bg-slate-50">
                      <input
                        type="checkbox"
                        className="mt-0.5 size-4 rounded accent-indigo-600"
                        checked={chosen.includes(type.type)}
                        onChange={() => toggle(type.type)}
                        {...invalid}
                      />
                      <span className="min-w-0">
                        <code className="font-mono text-xs font-medium text-slate-900">{type.type}</code>
                        <span className="block text-slate-500">{type.description.replace(/`/g, '')}</span>
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            </fieldset>
          ))}
        </div>
      )}
      {message && (
        <p id={`${id}-error`} className="mt-1.5 text-sm text-rose-600">
          {message}
        </p>
      )}
    </fieldset>
  );
}

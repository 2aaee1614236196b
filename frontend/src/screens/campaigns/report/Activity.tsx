import { useId, useRef, useState, type KeyboardEvent } from 'react';
import type { EventType } from '../../../api/analytics.ts';
import { Card, CardHeader } from '../../../components/ui/index.ts';
import { cn } from '../../../lib/cn.ts';
import { EventsTable, RecipientsTable } from './ActivityTables.tsx';

const TABS: { id: 'recipients' | EventType; label: string }[] = [
  { id: 'recipients', label: 'Recipients' },
  { id: 'bounce', label: 'Bounces' },
  { id: 'spamreport', label: 'Complaints' },
  { id: 'unsubscribe', label: 'Unsubscribes' },
];

/** Who the campaign went to, and who bounced, complained or unsubscribed (WAI-ARIA tabs). */
export function Activity({ campaignId }: { campaignId: number }) {
  const [current, setCurrent] = useState(0);
  const id = useId();
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  const select = (index: number) => {
    const next = (index + TABS.length) % TABS.length;
    setCurrent(next);
    buttons.current[next]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const moves: Record<string, number> = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: TABS.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      select(moves[event.key]!);
    }
  };

  const tab = TABS[current]!;
  return (
    <Card aria-labelledby={`${id}-title`}>
      <CardHeader titleId={`${id}-title`} title="Recipients and responses" />
      <div role="tablist" aria-label="Recipients and responses" className="flex gap-1 overflow-x-auto border-b border-slate-200 px-3 sm:px-4" onKeyDown={onKeyDown}>
        {TABS.map((item, index) => (
          <button
            key={item.id}
            ref={(element) => {
              buttons.current[index] = element;
            }}
            type="button"
            role="tab"
            id={`${id}-tab-${item.id}`}
            aria-selected={index === current}
            aria-controls={`${id}-panel`}
            tabIndex={index === current ? 0 : -1}
            onClick={() => setCurrent(index)}
            className={cn(
              '-mb-px border-b-2 px-3 py-2.5 text-sm font-medium whitespace-nowrap transition-colors',
              'focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-indigo-600',
              index === current ? 'border-indigo-600 text-indigo-700' : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900',
            )}
          >
            {item.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${tab.id}`}>
        {tab.id === 'recipients' ? (
          <RecipientsTable campaignId={campaignId} />
        ) : (
          <EventsTable key={tab.id} campaignId={campaignId} type={tab.id} label={tab.label} />
        )}
      </div>
    </Card>
  );
}

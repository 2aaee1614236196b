import type { ReactNode } from 'react';
import { Button, Spinner } from '../../../components/ui/index.ts';
import { cn } from '../../../lib/cn.ts';
import { STEPS, stepIndex, type Step } from './steps.ts';

/**
 * The wizard's steps. They are buttons, not links: going to another step first saves
 * what was changed on this one.
 */
export function StepList({ current, onGo, busy }: { current: Step; onGo: (step: Step) => void; busy: boolean }) {
  const index = stepIndex(current);
  return (
    <nav aria-label="Campaign steps" className="mb-6 overflow-x-auto">
      <ol className="flex min-w-max items-center gap-2 text-sm">
        {STEPS.map((step, position) => {
          const active = position === index;
          const done = position < index;
          return (
            <li key={step.id} className="flex items-center gap-2">
              <button
                type="button"
                onClick={() => onGo(step.id)}
                disabled={busy && !active}
                aria-current={active ? 'step' : undefined}
                className={cn(
                  'flex items-center gap-2 rounded-lg px-2 py-1.5 font-medium transition-colors',
                  'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed',
                  active ? 'text-slate-900' : 'text-slate-500 hover:bg-slate-100 hover:text-slate-900',
                )}
              >
                <span
                  className={cn(
                    'flex size-6 items-center justify-center rounded-full text-xs font-semibold',
                    active ? 'bg-indigo-600 text-white' : done ? 'bg-indigo-100 text-indigo-700' : 'bg-slate-200 text-slate-600',
                  )}
                  aria-hidden="true"
                >
                  {position + 1}
                </span>
                {step.label}
              </button>
              {position < STEPS.length - 1 && <span className="h-px w-4 bg-slate-300 sm:w-8" aria-hidden="true" />}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

/** Back and Next under a step, with whether the draft is saved. */
export function StepFooter({
  step,
  onGo,
  saving,
  canWrite,
  children,
}: {
  step: Step;
  onGo: (step: Step) => void;
  saving: boolean;
  canWrite: boolean;
  /** Replaces Next (the review step's send actions). */
  children?: ReactNode;
}) {
  const index = stepIndex(step);
  const previous = STEPS[index - 1];
  const next = STEPS[index + 1];
  return (
    <div className="mt-6 flex flex-col-reverse gap-3 sm:flex-row sm:items-center sm:justify-between">
      <div className="flex items-center gap-3">
        {previous && (
          <Button variant="secondary" onClick={() => onGo(previous.id)} disabled={saving}>
            Back
          </Button>
        )}
        {canWrite && (
          <p className="flex items-center gap-2 text-sm text-slate-500" role="status">
            {saving ? (
              <>
                <Spinner className="size-4" />
                Saving…
              </>
            ) : (
              'Your draft is saved at each step.'
            )}
          </p>
        )}
      </div>
      <div className="flex flex-col gap-2 sm:flex-row">
        {children ??
          (next && (
            <Button onClick={() => onGo(next.id)} loading={saving}>
              Next
            </Button>
          ))}
      </div>
    </div>
  );
}

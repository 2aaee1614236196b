import { useId } from 'react';
import { useCan } from '../../auth/viewer.tsx';
import { Icon } from '../../components/Icon.tsx';
import { Card, CardHeader } from '../../components/ui/index.ts';
import { cn } from '../../lib/cn.ts';
import { ButtonLink } from './ButtonLink.tsx';
import { whoCan, type ChecklistStep } from './checklist.ts';

/**
 * The first-run checklist: what is done, what is left, and a link to the screen that
 * does each step. The next step to do gets the primary button.
 */
export function GetStarted({ steps }: { steps: readonly ChecklistStep[] }) {
  const can = useCan();
  const progressId = useId();
  const shown = steps.filter((step) => step.state !== 'unknown');
  const done = shown.filter((step) => step.state === 'done').length;
  const next = shown.find((step) => step.state === 'todo');

  return (
    <Card aria-labelledby="get-started-title" className="overflow-hidden">
      <CardHeader
        titleId="get-started-title"
        title="Get started"
        description="Everything your first campaign needs, in order. Each step takes a few minutes."
      />
      <div className="px-5 pt-4 sm:px-6">
        <p id={progressId} className="text-sm font-medium text-slate-700">
          {done} of {shown.length} done
        </p>
        <div
          role="progressbar"
          aria-labelledby={progressId}
          aria-valuemin={0}
          aria-valuemax={shown.length}
          aria-valuenow={done}
          className="mt-2 h-2 overflow-hidden rounded-full bg-slate-100"
        >
          <div className="h-full rounded-full bg-indigo-600 transition-[width]" style={{ width: `${shown.length ? (done * 100) / shown.length : 0}%` }} />
        </div>
      </div>
      <ol className="divide-y divide-slate-100 px-5 py-2 sm:px-6" aria-label="Steps">
        {shown.map((step, index) => {
          const isDone = step.state === 'done';
          const allowed = can(step.action.permission);
          return (
            <li key={step.id} data-testid={`step-${step.id}`} data-state={step.state} className="flex flex-col gap-3 py-4 sm:flex-row sm:items-center">
              <div className="flex min-w-0 flex-1 gap-3">
                <span
                  aria-hidden="true"
                  className={cn(
                    'flex size-7 shrink-0 items-center justify-center rounded-full text-sm font-semibold',
                    isDone ? 'bg-emerald-100 text-emerald-700' : step === next ? 'bg-indigo-600 text-white' : 'bg-slate-100 text-slate-600',
                  )}
                >
                  {isDone ? <Icon name="check" className="size-4" /> : index + 1}
                </span>
                <div className="min-w-0">
                  <h3 className={cn('text-sm font-semibold', isDone ? 'text-slate-500' : 'text-slate-900')}>
                    {step.title}
                    <span className="sr-only">{isDone ? ' (done)' : ' (to do)'}</span>
                  </h3>
                  <p className="mt-0.5 text-sm text-slate-500">{step.description}</p>
                  {!isDone && !allowed && <p className="mt-1 text-xs text-slate-500">{whoCan(step.action.permission)}</p>}
                </div>
              </div>
              {isDone ? (
                <span aria-hidden="true" className="self-start text-sm font-medium text-emerald-700 sm:self-center">
                  Done
                </span>
              ) : (
                allowed && (
                  <ButtonLink href={step.action.href} variant={step === next ? 'primary' : 'secondary'} className="ml-10 self-start sm:ml-0 sm:self-center">
                    {step.action.label}
                  </ButtonLink>
                )
              )}
            </li>
          );
        })}
      </ol>
    </Card>
  );
}

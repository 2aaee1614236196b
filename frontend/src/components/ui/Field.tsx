import { useId, type ReactNode } from 'react';
import { cn } from '../../lib/cn.ts';

/** Shared by form controls: the look of the control in its normal and invalid states. */
export function controlClass(invalid: boolean): string {
  return cn(
    'block w-full rounded-lg border bg-white px-3 text-sm text-slate-900 shadow-xs transition-colors',
    'placeholder:text-slate-400 focus:outline-none focus:ring-3',
    'disabled:cursor-not-allowed disabled:bg-slate-50 disabled:text-slate-500',
    invalid
      ? 'border-rose-400 focus:border-rose-500 focus:ring-rose-500/20'
      : 'border-slate-300 focus:border-indigo-500 focus:ring-indigo-500/20',
  );
}

export interface FieldProps {
  label: ReactNode;
  /** Help under the control; replaced by the error when there is one. */
  hint?: ReactNode;
  /** Messages from validation; the first is shown. */
  error?: string | string[] | undefined;
  /** Shown after the label for optional fields. */
  optional?: boolean;
  className?: string;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

/** Label, control, hint and error, wired together for assistive technology. */
export function Field({ label, hint, error, optional, className, children }: FieldProps) {
  const id = useId();
  const message = Array.isArray(error) ? error[0] : error;
  const describedBy = message ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="flex items-baseline justify-between text-sm font-medium text-slate-800">
        <span>{label}</span>
        {optional && <span className="text-xs font-normal text-slate-500">Optional</span>}
      </label>
      <div className="mt-1.5">{children({ id, describedBy, invalid: Boolean(message) })}</div>
      {message ? (
        <p id={`${id}-error`} className="mt-1.5 flex gap-1 text-sm text-rose-600">
          {message}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="mt-1.5 text-sm text-slate-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

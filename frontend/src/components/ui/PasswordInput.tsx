import { forwardRef, useState, type ReactNode } from 'react';
import { cn } from '../../lib/cn.ts';
import { Field, controlClass } from './Field.tsx';
import type { InputProps } from './Input.tsx';

/**
 * A password field with a Show/Hide toggle (people mistype passwords they cannot see).
 * `labelAction` sits at the right of the label, e.g. a "Forgot password?" link.
 */
export const PasswordInput = forwardRef<
  HTMLInputElement,
  Omit<InputProps, 'type'> & { labelAction?: ReactNode }
>(function PasswordInput({ label, hint, error, optional, containerClassName, className, labelAction, ...rest }, ref) {
  const [visible, setVisible] = useState(false);
  return (
    <div className={cn('relative', containerClassName)}>
      {labelAction && <div className="absolute top-0 right-0 text-sm">{labelAction}</div>}
      <Field label={label} hint={hint} error={error} optional={optional ?? false}>
        {({ id, describedBy, invalid }) => (
          <div className="relative">
            <input
              ref={ref}
              id={id}
              type={visible ? 'text' : 'password'}
              aria-invalid={invalid || undefined}
              aria-describedby={describedBy}
              spellCheck={false}
              autoCapitalize="off"
              className={cn(controlClass(invalid), 'h-10 pr-16', className)}
              {...rest}
            />
            <button
              type="button"
              onClick={() => setVisible((value) => !value)}
              aria-pressed={visible}
              aria-controls={id}
              className="absolute inset-y-1 right-1 rounded-md px-2.5 text-xs font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              {visible ? 'Hide' : 'Show'}
              <span className="sr-only"> password</span>
            </button>
          </div>
        )}
      </Field>
    </div>
  );
});

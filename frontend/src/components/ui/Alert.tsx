import type { ReactNode } from 'react';
import { cn } from '../../lib/cn.ts';

export function Alert({
  tone = 'danger',
  title,
  children,
  actions,
  className,
}: {
  tone?: 'danger' | 'warning' | 'info' | 'success';
  /** Buttons under the text, e.g. a call to action ("Update payment method"). */
  actions?: ReactNode;
  title?: ReactNode;
  children?: ReactNode;
  className?: string;
}) {
  const styles = {
    danger: 'border-rose-200 bg-rose-50 text-rose-800',
    warning: 'border-amber-200 bg-amber-50 text-amber-900',
    info: 'border-indigo-200 bg-indigo-50 text-indigo-900',
    success: 'border-emerald-200 bg-emerald-50 text-emerald-900',
  }[tone];
  return (
    <div role={tone === 'danger' ? 'alert' : 'note'} className={cn('rounded-lg border px-4 py-3 text-sm', styles, className)}>
      {title && <p className="font-semibold">{title}</p>}
      {children && <div className={title ? 'mt-1' : undefined}>{children}</div>}
      {actions && <div className="mt-3 flex flex-wrap gap-2">{actions}</div>}
    </div>
  );
}

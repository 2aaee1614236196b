import { cn } from '../../lib/cn.ts';
import { initials } from '../../lib/format.ts';

/**
 * A person's or an organization's initials in a badge. They are decoration, drawn by CSS
 * (`::before`) rather than as text: a control showing them would otherwise have visible
 * text its accessible name lacks (WCAG 2.5.3, label in name).
 */
export function Initials({ of, className }: { of: string; className: string }) {
  return (
    <span
      aria-hidden="true"
      data-initials={initials(of)}
      className={cn(
        'flex shrink-0 items-center justify-center text-xs font-semibold before:content-[attr(data-initials)]',
        className,
      )}
    />
  );
}

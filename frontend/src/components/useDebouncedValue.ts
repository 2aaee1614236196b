import { useEffect, useState } from 'react';

/**
 * `value`, once it has stopped changing for `delayMs`: for work that should follow typing
 * without running on every keystroke (searches, live counts, previews). Values that are
 * equal by `Object.is` do not restart the wait.
 */
export function useDebouncedValue<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (Object.is(value, settled)) return;
    const timer = window.setTimeout(() => setSettled(value), delayMs);
    return () => window.clearTimeout(timer);
  }, [value, delayMs, settled]);
  return settled;
}

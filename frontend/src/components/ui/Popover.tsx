import { useEffect, useRef, type RefObject } from 'react';

/**
 * Closing behaviour shared by menus and popovers: Escape closes and gives focus back to
 * the trigger; a click outside the trigger and the panel closes (focus stays where the
 * click put it).
 */
export function useDismiss(
  open: boolean,
  onClose: () => void,
  trigger: RefObject<HTMLElement | null>,
  panel: RefObject<HTMLElement | null>,
): void {
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation();
      closeRef.current();
      trigger.current?.focus();
    };
    const onPointerDown = (event: PointerEvent | MouseEvent) => {
      const target = event.target as Node | null;
      if (!target || trigger.current?.contains(target) || panel.current?.contains(target)) return;
      closeRef.current();
    };
    document.addEventListener('keydown', onKeyDown);
    document.addEventListener('mousedown', onPointerDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      document.removeEventListener('mousedown', onPointerDown);
    };
  }, [open, trigger, panel]);
}

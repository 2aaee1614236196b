import { useEffect, useRef, useState } from 'react';
import { cn } from '../../../lib/cn.ts';

export type PreviewWidth = 'desktop' | 'mobile';

/** The width a mail client shows a message at: a desktop reading pane, a phone. */
export const PREVIEW_WIDTHS: Record<PreviewWidth, number> = { desktop: 680, mobile: 375 };

/** How much to shrink a page `width` wide to fit `available` pixels (never enlarged). */
export function fitScale(available: number, width: number): number {
  if (available <= 0) return 1;
  return Math.min(1, available / width);
}

/**
 * The message in a sandboxed iframe: `sandbox=""` (no scripts, no same-origin access, no
 * forms or navigation out) with the document as `srcdoc`. The page is laid out at the
 * width of a real client and scaled down to the space available, so the desktop layout
 * is the one people will see, only smaller.
 */
export function PreviewFrame({
  document,
  width,
  height = 640,
  title,
}: {
  document: string;
  width: PreviewWidth;
  height?: number;
  title: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [available, setAvailable] = useState(0);

  useEffect(() => {
    const node = box.current;
    if (!node) return;
    const measure = () => setAvailable(node.clientWidth);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  const pageWidth = PREVIEW_WIDTHS[width];
  const scale = fitScale(available - (width === 'mobile' ? 24 : 0), pageWidth);
  return (
    <div
      ref={box}
      className={cn('w-full overflow-hidden', width === 'mobile' && 'flex justify-center bg-slate-100 py-3')}
      style={{ height: width === 'mobile' ? height + 24 : height }}
    >
      <div
        className={cn('origin-top-left overflow-hidden bg-white', width === 'mobile' && 'rounded-[1.75rem] ring-8 ring-slate-800')}
        style={{ width: pageWidth * scale, height }}
      >
        <iframe
          title={title}
          sandbox=""
          referrerPolicy="no-referrer"
          srcDoc={document}
          data-width={width}
          className="block border-0 bg-white"
          style={{ width: pageWidth, height: height / scale, transform: `scale(${scale})`, transformOrigin: '0 0' }}
        />
      </div>
    </div>
  );
}

import { LoadingRegion, Skeleton } from './ui/index.ts';

/** What a screen looks like while its code or first data loads. */
export function PageSkeleton() {
  return (
    <LoadingRegion>
      <Skeleton className="h-7 w-48" />
      <Skeleton className="mt-3 h-4 w-80 max-w-full" />
      <div className="mt-8 space-y-3 rounded-xl border border-slate-200 bg-white p-6">
        <Skeleton className="h-4 w-1/3" />
        <Skeleton className="h-4 w-2/3" />
        <Skeleton className="h-4 w-1/2" />
      </div>
    </LoadingRegion>
  );
}

import { useEffect, type ReactNode } from 'react';

/** Sets the tab title: "Team · EngageX". */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · EngageX` : 'EngageX';
  }, [title]);
}

export function PageHeader({
  title,
  description,
  actions,
  documentTitle,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  /** The tab title when it should say more than `title` ("API keys settings"). */
  documentTitle?: string;
}) {
  useDocumentTitle(documentTitle ?? title);
  return (
    <div className="mb-6 flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {description && <p className="mt-1 max-w-2xl text-sm text-slate-500">{description}</p>}
      </div>
      {actions && <div className="flex shrink-0 gap-2">{actions}</div>}
    </div>
  );
}

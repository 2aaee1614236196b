import type { ReactNode } from 'react';
import type { Starter } from '../../api/templates.ts';
import { Skeleton } from '../../components/ui/index.ts';

/** A way to begin a template: a server starter, or a blank HTML or MJML page. */
export interface StartChoice {
  key: string;
  name: string;
  description: string;
  /** Set for server starters; blank pages are created from content. */
  starter?: string;
  blank?: 'html' | 'mjml';
}

export const BLANK_CHOICES: StartChoice[] = [
  { key: 'blank-html', name: 'Blank HTML', description: 'A simple responsive frame to write your own HTML in.', blank: 'html' },
  { key: 'blank-mjml', name: 'Blank MJML', description: 'MJML components compiled to email-safe HTML when you save.', blank: 'mjml' },
];

export function startChoices(starters: readonly Starter[]): StartChoice[] {
  return [
    ...starters.map((starter) => ({ key: starter.key, name: starter.name, description: starter.description, starter: starter.key })),
    ...BLANK_CHOICES,
  ];
}

const bar = (x: number, y: number, w: number, h: number, fill: string, r = 2) => (
  <rect x={x} y={y} width={w} height={h} rx={r} fill={fill} />
);

/** A wireframe of each design (the starters have no image of their own). */
function Thumbnail({ choice }: { choice: StartChoice }) {
  const ink = '#cbd5e1';
  const accent = '#818cf8';
  let body: ReactNode;
  switch (choice.starter ?? choice.blank) {
    case 'newsletter':
      body = (
        <>
          {bar(20, 14, 40, 6, accent)}
          {bar(20, 28, 120, 44, '#e0e7ff', 3)}
          {bar(20, 80, 100, 6, '#64748b')}
          {bar(20, 92, 120, 4, ink)}
          {bar(20, 100, 110, 4, ink)}
          {bar(20, 110, 34, 10, accent, 5)}
          {bar(20, 130, 56, 30, '#eef2ff', 3)}
          {bar(84, 130, 56, 30, '#eef2ff', 3)}
          {bar(20, 166, 56, 4, ink)}
          {bar(84, 166, 56, 4, ink)}
        </>
      );
      break;
    case 'announcement':
      body = (
        <>
          {bar(12, 12, 136, 52, accent, 3)}
          {bar(34, 28, 92, 8, '#ffffff')}
          {bar(50, 42, 60, 5, '#e0e7ff')}
          {bar(24, 76, 112, 4, ink)}
          {bar(24, 84, 100, 4, ink)}
          {bar(24, 98, 112, 32, '#f1f5f9', 3)}
          {bar(30, 106, 44, 4, '#94a3b8')}
          {bar(30, 116, 60, 4, '#94a3b8')}
          {bar(55, 142, 50, 12, accent, 6)}
        </>
      );
      break;
    case 'letter':
      body = (
        <>
          {bar(24, 20, 50, 5, '#64748b')}
          {[34, 42, 50, 58, 70, 78, 86, 94, 106, 114].map((y, index) => (
            <rect key={y} x={24} y={y} width={index % 3 === 2 ? 80 : 112} height={4} rx={2} fill={ink} />
          ))}
          <path d="M26 138c6-8 10 4 16-2s8-6 12 0 8 2 12-3" stroke="#64748b" strokeWidth="2" fill="none" strokeLinecap="round" />
          {bar(24, 148, 40, 4, ink)}
        </>
      );
      break;
    case 'mjml':
      body = (
        <>
          {bar(16, 16, 128, 60, '#ffffff', 3)}
          <text x="80" y="52" textAnchor="middle" fontFamily="ui-monospace, monospace" fontSize="13" fill={accent}>
            {'<mj-…>'}
          </text>
          {bar(24, 92, 112, 4, ink)}
          {bar(24, 100, 96, 4, ink)}
          {bar(55, 114, 50, 10, accent, 5)}
        </>
      );
      break;
    default:
      body = (
        <>
          {bar(16, 16, 128, 60, '#ffffff', 3)}
          <text x="80" y="52" textAnchor="middle" fontFamily="ui-monospace, monospace" fontSize="13" fill="#94a3b8">
            {'</>'}
          </text>
          {bar(24, 92, 112, 4, ink)}
          {bar(24, 100, 96, 4, ink)}
        </>
      );
  }
  return (
    <svg viewBox="0 0 160 180" className="h-full w-full" aria-hidden="true">
      <rect x="0" y="0" width="160" height="180" fill={choice.blank ? '#f1f5f9' : '#ffffff'} />
      {body}
    </svg>
  );
}

/** The designs a new template can start from, as cards to pick. */
export function StarterGallery({
  starters,
  loading,
  onChoose,
}: {
  starters: readonly Starter[];
  loading: boolean;
  onChoose: (choice: StartChoice) => void;
}) {
  if (loading) {
    return (
      <div className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5">
        {Array.from({ length: 5 }, (_, index) => (
          <Skeleton key={index} className="aspect-[4/5] w-full rounded-xl" />
        ))}
      </div>
    );
  }
  return (
    <ul className="grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-5" aria-label="Start from">
      {startChoices(starters).map((choice) => (
        <li key={choice.key}>
          <button
            type="button"
            onClick={() => onChoose(choice)}
            className="group flex h-full w-full flex-col overflow-hidden rounded-xl border border-slate-200 bg-white text-left shadow-xs transition hover:-translate-y-0.5 hover:border-indigo-300 hover:shadow-md focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            <span className="block aspect-[8/7] border-b border-slate-100 bg-slate-50 p-3">
              <span className="block h-full overflow-hidden rounded-md shadow-sm ring-1 ring-slate-200">
                <Thumbnail choice={choice} />
              </span>
            </span>
            <span className="block px-3 py-2.5">
              <span className="block text-sm font-semibold text-slate-900 group-hover:text-indigo-700">{choice.name}</span>
              <span className="mt-0.5 line-clamp-2 block text-xs text-slate-500">{choice.description}</span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

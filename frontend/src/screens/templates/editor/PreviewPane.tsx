import { useQuery } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import { api, type Page } from '../../../api/client.ts';
import type { Contact } from '../../../api/contacts.ts';
import type { RenderedPreview } from '../../../api/templates.ts';
import { MoreIcon, type MoreIconName } from '../../../components/MoreIcons.tsx';
import { Skeleton, Spinner } from '../../../components/ui/index.ts';
import { controlClass } from '../../../components/ui/Field.tsx';
import { useDebouncedValue } from '../../../components/useDebouncedValue.ts';
import { cn } from '../../../lib/cn.ts';
import { PreviewFrame, type PreviewWidth } from './PreviewFrame.tsx';
import { previewDocument, textDocument } from './sandbox.ts';

export type PreviewPart = 'html' | 'text';

/** Whom the preview is for: the sample person, or a contact chosen by address. */
export type PreviewAs = { kind: 'sample' } | { kind: 'contact'; id: number; email: string };

function Segmented<T extends string>({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: T;
  onChange: (value: T) => void;
  options: { value: T; label: string; icon?: MoreIconName }[];
}) {
  const name = useId();
  return (
    <fieldset className="inline-flex rounded-lg bg-slate-100 p-0.5">
      <legend className="sr-only">{label}</legend>
      {options.map((option) => (
        <label
          key={option.value}
          className={cn(
            'flex cursor-pointer items-center gap-1.5 rounded-md px-2.5 py-1 text-sm font-medium transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600',
            value === option.value ? 'bg-white text-slate-900 shadow-xs' : 'text-slate-600 hover:text-slate-900',
          )}
        >
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
            className="sr-only"
          />
          {option.icon && <MoreIcon name={option.icon} className="size-4" />}
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}

function ContactPicker({ value, onChange }: { value: PreviewAs; onChange: (value: PreviewAs) => void }) {
  const [text, setText] = useState(value.kind === 'contact' ? value.email : '');
  const listId = useId();
  const inputId = useId();
  const q = useDebouncedValue(text.trim(), 250);
  const matches = useQuery({
    queryKey: ['contacts', 'picker', q],
    queryFn: ({ signal }) => api.get<Page<Contact>>('/contacts', { query: { q: q || undefined, limit: 8 }, signal }),
    staleTime: 30_000,
  });
  const choose = (typed: string) => {
    setText(typed);
    const found = matches.data?.items.find((contact) => contact.email === typed.trim().toLowerCase());
    if (found) onChange({ kind: 'contact', id: found.id, email: found.email });
  };
  return (
    <div className="flex flex-wrap items-center gap-2">
      <label htmlFor={`${inputId}-as`} className="text-sm text-slate-600">
        Preview as
      </label>
      <div className="w-56">
        <select
          id={`${inputId}-as`}
          value={value.kind}
          onChange={(event) => (event.target.value === 'sample' ? onChange({ kind: 'sample' }) : choose(text))}
          className={cn(controlClass(false), 'h-8 pr-8')}
        >
          <option value="sample">Sample person (Jane Doe)</option>
          <option value="contact">A contact…</option>
        </select>
      </div>
      {(value.kind === 'contact' || text) && (
        <>
          <input
            id={inputId}
            list={listId}
            value={text}
            onChange={(event) => choose(event.target.value)}
            placeholder="Type an address"
            aria-label="Contact to preview as"
            className={cn(controlClass(false), 'h-8 w-56')}
            autoComplete="off"
            spellCheck={false}
          />
          <datalist id={listId}>
            {matches.data?.items.map((contact) => (
              <option key={contact.id} value={contact.email}>
                {[contact.first_name, contact.last_name].filter(Boolean).join(' ')}
              </option>
            ))}
          </datalist>
        </>
      )}
    </div>
  );
}

/**
 * The rendered message as an inbox shows it: sender, subject and preheader line, then
 * the body in the sandboxed frame at desktop or phone width, or the plain-text part.
 */
export function PreviewPane({
  preview,
  loading,
  stale,
  fromLine,
  preheader,
  width,
  onWidth,
  part,
  onPart,
  previewAs,
  onPreviewAs,
  banner,
}: {
  preview: RenderedPreview | undefined;
  loading: boolean;
  /** The preview is of an earlier version of the content (the current one does not validate). */
  stale: boolean;
  fromLine: string;
  preheader: string;
  width: PreviewWidth;
  onWidth: (width: PreviewWidth) => void;
  part: PreviewPart;
  onPart: (part: PreviewPart) => void;
  previewAs: PreviewAs;
  onPreviewAs: (value: PreviewAs) => void;
  banner?: ReactNode;
}) {
  return (
    <section aria-labelledby="preview-title" className="rounded-xl border border-slate-200 bg-white shadow-xs">
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-4 py-3">
        <h2 id="preview-title" className="flex items-center gap-2 text-base font-semibold text-slate-900">
          Preview
          {loading && <Spinner className="size-4 text-slate-400" />}
        </h2>
        <div className="flex flex-wrap gap-2">
          <Segmented
            label="Part"
            value={part}
            onChange={onPart}
            options={[
              { value: 'html', label: 'HTML' },
              { value: 'text', label: 'Plain text' },
            ]}
          />
          <Segmented
            label="Width"
            value={width}
            onChange={onWidth}
            options={[
              { value: 'desktop', label: 'Desktop', icon: 'desktop' },
              { value: 'mobile', label: 'Phone', icon: 'phone' },
            ]}
          />
        </div>
      </div>
      <div className="border-b border-slate-200 px-4 py-2.5">
        <ContactPicker value={previewAs} onChange={onPreviewAs} />
      </div>
      {banner}
      <div className="space-y-0.5 border-b border-slate-200 bg-slate-50/70 px-4 py-3 text-sm">
        <p className="truncate text-slate-500">{fromLine}</p>
        {preview ? (
          <p className="truncate font-semibold text-slate-900" data-testid="preview-subject">
            {preview.subject || '(no subject)'}
          </p>
        ) : (
          <Skeleton className="h-4 w-2/3" />
        )}
        {preheader && <p className="truncate text-slate-500">{preheader}</p>}
      </div>
      <div className={cn('relative', stale && 'opacity-60')}>
        {stale && (
          <p className="absolute top-2 right-2 z-10 rounded-md bg-amber-100 px-2 py-1 text-xs font-medium text-amber-900 shadow-sm">
            Last valid version: fix the errors to update
          </p>
        )}
        {preview ? (
          <PreviewFrame
            title={part === 'html' ? 'Preview of the email' : 'Preview of the plain-text part'}
            document={part === 'html' ? previewDocument(preview.html) : textDocument(preview.text)}
            width={width}
          />
        ) : (
          <div className="flex h-[640px] items-center justify-center text-sm text-slate-500">
            {loading ? 'Rendering…' : 'The preview appears once the template is valid.'}
          </div>
        )}
      </div>
    </section>
  );
}

import type { ReactNode } from 'react';
import type { ContactField } from '../../../api/contacts.ts';
import { Alert, Badge, Select } from '../../../components/ui/index.ts';
import { cn } from '../../../lib/cn.ts';
import { delimiterLabel, type FilePreview } from './csv.ts';
import { BUILTIN_LABELS, BUILTIN_TARGETS, targetLabel, targetValue, type PlannedColumn } from './mapping.ts';

const TYPE_NAMES: Record<string, string> = { text: 'text', number: 'number', date: 'date', boolean: 'yes/no' };

function optionsFor(column: PlannedColumn, fields: readonly ContactField[]) {
  const options = [
    ...BUILTIN_TARGETS.map((target) => ({ value: `builtin:${target}`, label: BUILTIN_LABELS[target] })),
    ...fields.map((field) => ({
      value: `attribute:${field.name}`,
      label: `${field.label || field.name} (${TYPE_NAMES[field.type] ?? field.type})`,
    })),
  ];
  if (column.target.kind === 'new') options.push({ value: targetValue(column.target), label: `New text field “${column.target.field}”` });
  // A column the header maps by itself cannot be left out (the API has no such choice).
  if ((!column.autoMapped && column.target.kind !== 'new') || column.target.kind === 'ignored')
    options.push({ value: 'ignore', label: 'Don’t import' });
  return options;
}

/** Each column of the file: its first values, and the field it fills. */
export function MappingStep({
  preview,
  plan,
  fields,
  onOverride,
  createFields,
  onCreateFields,
  problems,
  sheetPicker,
}: {
  preview: FilePreview;
  plan: readonly PlannedColumn[];
  fields: readonly ContactField[];
  onOverride: (index: number, value: string) => void;
  createFields: boolean;
  onCreateFields: (value: boolean) => void;
  problems: readonly string[];
  sheetPicker?: ReactNode;
}) {
  const imported = plan.filter((column) => column.target.kind !== 'ignored').length;
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <p className="text-sm text-slate-600">
          {preview.format === 'csv' ? (
            <>
              Read as CSV ({preview.encoding?.toUpperCase()}, {delimiterLabel(preview.delimiter)}-separated).{' '}
            </>
          ) : (
            <>Excel workbook. </>
          )}
          <span className="font-medium text-slate-900">
            {imported} of {plan.length} columns
          </span>{' '}
          will be imported. The first rows are shown to check the columns.
        </p>
        {sheetPicker}
      </div>
      {problems.length > 0 && (
        <Alert tone="warning" title="Before importing">
          <ul className="list-disc pl-5">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </Alert>
      )}
      <div className="overflow-x-auto rounded-lg border border-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-left text-sm">
          <caption className="sr-only">Columns of the file and the field each one fills</caption>
          <thead className="bg-slate-50">
            <tr>
              <th scope="col" className="px-4 py-2.5 text-xs font-medium tracking-wide text-slate-500 uppercase">
                Column
              </th>
              <th scope="col" className="hidden px-4 py-2.5 text-xs font-medium tracking-wide text-slate-500 uppercase md:table-cell">
                First values
              </th>
              <th scope="col" className="px-4 py-2.5 text-xs font-medium tracking-wide text-slate-500 uppercase">
                Import as
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 bg-white">
            {plan.map((column) => {
              const samples = preview.rows
                .map((row) => row[column.index] ?? '')
                .filter((value) => value.trim() !== '')
                .slice(0, 3);
              const ignored = column.target.kind === 'ignored';
              return (
                <tr key={column.index} className={cn(ignored && 'bg-slate-50/70')} data-testid="mapping-row">
                  <td className="px-4 py-3 align-top">
                    <p className={cn('font-medium break-words', ignored ? 'text-slate-500' : 'text-slate-900')}>
                      {column.header || `Column ${column.index + 1}`}
                    </p>
                    <p className="mt-1 md:hidden">
                      <span className="text-xs break-all text-slate-500">{samples.join(' · ') || 'empty in the first rows'}</span>
                    </p>
                  </td>
                  <td className="hidden max-w-xs px-4 py-3 align-top md:table-cell">
                    {samples.length > 0 ? (
                      <ul className="space-y-0.5 text-slate-600">
                        {samples.map((sample, index) => (
                          <li key={index} className="truncate" title={sample}>
                            {sample}
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <span className="text-slate-400">empty in the first rows</span>
                    )}
                  </td>
                  <td className="w-64 px-4 py-3 align-top">
                    <Select
                      label={<span className="sr-only">Import “{column.header || `column ${column.index + 1}`}” as</span>}
                      value={targetValue(column.target)}
                      onChange={(event) => onOverride(column.index, event.target.value)}
                      options={optionsFor(column, fields)}
                    />
                    <p className="mt-1 flex flex-wrap gap-1 text-xs text-slate-500">
                      {column.how === 'auto' && column.target.kind !== 'new' && <Badge tone="success">Recognised</Badge>}
                      {column.target.kind === 'new' && <Badge tone="brand">New field</Badge>}
                      {ignored && <span>{targetLabel(column.target, fields)}</span>}
                    </p>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <label className="flex items-start gap-3 rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm">
        <input
          type="checkbox"
          checked={createFields}
          onChange={(event) => onCreateFields(event.target.checked)}
          className="mt-0.5 size-4 rounded accent-indigo-600"
        />
        <span>
          <span className="block font-medium text-slate-900">Keep the other columns as new custom fields</span>
          <span className="block text-slate-500">
            Every named column not matched above becomes a text field named after its header, so nothing in the file is lost.
          </span>
        </span>
      </label>
    </div>
  );
}

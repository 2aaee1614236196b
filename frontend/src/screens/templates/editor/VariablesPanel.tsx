import { useState } from 'react';
import type { ContactField } from '../../../api/contacts.ts';
import type { TemplateVariable } from '../../../api/templates.ts';
import { Icon } from '../../../components/Icon.tsx';
import { Button } from '../../../components/ui/index.ts';
import { controlClass } from '../../../components/ui/Field.tsx';
import { cn } from '../../../lib/cn.ts';

export interface VariableGroup {
  title: string;
  items: { name: string; hint: string }[];
}

/** What a template can read (docs/templates.md), with the organization's custom fields. */
export function variableGroups(
  fields: readonly Pick<ContactField, 'name' | 'label' | 'type'>[],
  declared: readonly TemplateVariable[],
): VariableGroup[] {
  const groups: VariableGroup[] = [
    {
      title: 'Contact',
      items: [
        { name: 'first_name', hint: 'First name' },
        { name: 'last_name', hint: 'Last name' },
        { name: 'full_name', hint: 'First and last name' },
        { name: 'email', hint: 'Address' },
      ],
    },
  ];
  if (fields.length > 0) {
    groups.push({
      title: 'Custom fields',
      items: fields.map((field) => ({ name: `attributes.${field.name}`, hint: `${field.label || field.name} (${field.type})` })),
    });
  }
  const named = declared.filter((variable) => variable.name.trim());
  if (named.length > 0) {
    groups.push({
      title: 'Declared variables',
      items: named.map((variable) => ({
        name: variable.name.trim(),
        hint: variable.default ? `default “${variable.default}”` : variable.required ? 'required' : 'no default',
      })),
    });
  }
  groups.push(
    {
      title: 'Links',
      items: [
        { name: 'unsubscribe_url', hint: 'One-click unsubscribe (required in marketing email)' },
        { name: 'preferences_url', hint: 'Subscription preferences' },
        { name: 'view_in_browser_url', hint: 'Web version' },
      ],
    },
    {
      title: 'Organization',
      items: [
        { name: 'organization.name', hint: 'Your organization' },
        { name: 'organization.address', hint: 'Postal address (settings)' },
        { name: 'organization.website', hint: 'Website' },
      ],
    },
  );
  return groups;
}

/** Every name for the editor's completion. */
export function variableNames(groups: readonly VariableGroup[]): string[] {
  return groups.flatMap((group) => group.items.map((item) => item.name));
}

/** How a variable is written where it is inserted: links as an anchor, values as `{{ name }}`. */
export function snippetFor(name: string, target: 'html' | 'mjml' | 'text' | 'line'): string {
  if (name.endsWith('_url') && (target === 'html' || target === 'mjml')) {
    const label = name === 'unsubscribe_url' ? 'Unsubscribe' : name === 'preferences_url' ? 'Preferences' : 'View in your browser';
    return `<a href="{{ ${name} }}">${label}</a>`;
  }
  return `{{ ${name} }}`;
}

/**
 * The names a template can use, inserted where the cursor was (the code, the text part,
 * the subject or the preheader), and the template's own declared variables: a name with
 * a default, filled from a contact attribute of the same name when the contact has one.
 */
export function VariablesPanel({
  groups,
  onInsert,
  variables,
  onVariablesChange,
  readOnly,
  problems,
}: {
  groups: readonly VariableGroup[];
  onInsert: (name: string) => void;
  variables: readonly TemplateVariable[];
  onVariablesChange: (variables: TemplateVariable[]) => void;
  readOnly: boolean;
  problems: readonly string[];
}) {
  const [open, setOpen] = useState<string | null>('Contact');
  const update = (index: number, patch: Partial<TemplateVariable>) =>
    onVariablesChange(variables.map((variable, at) => (at === index ? { ...variable, ...patch } : variable)));

  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-500">Click a name to insert it where your cursor is.</p>
      <div className="divide-y divide-slate-100 rounded-lg border border-slate-200">
        {groups.map((group) => {
          const expanded = open === group.title;
          const id = `variables-${group.title.replace(/\W+/g, '-').toLowerCase()}`;
          return (
            <div key={group.title}>
              <h3>
                <button
                  type="button"
                  aria-expanded={expanded}
                  aria-controls={id}
                  onClick={() => setOpen(expanded ? null : group.title)}
                  className="flex w-full items-center justify-between px-3 py-2 text-left text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-indigo-600"
                >
                  {group.title}
                  <span className="text-xs text-slate-400">{group.items.length}</span>
                </button>
              </h3>
              {expanded && (
                <ul id={id} className="space-y-0.5 px-2 pb-2">
                  {group.items.map((item) => (
                    <li key={item.name}>
                      <button
                        type="button"
                        disabled={readOnly}
                        onClick={() => onInsert(item.name)}
                        className="flex w-full items-baseline justify-between gap-3 rounded-md px-2 py-1 text-left hover:bg-indigo-50 focus-visible:outline-2 focus-visible:outline-indigo-600 disabled:cursor-default disabled:hover:bg-transparent"
                      >
                        <code className="font-mono text-xs text-indigo-700">{`{{ ${item.name} }}`}</code>
                        <span className="truncate text-xs text-slate-500">{item.hint}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          );
        })}
      </div>
      <div>
        <h3 className="text-sm font-semibold text-slate-900">Declared variables</h3>
        <p className="mt-0.5 text-sm text-slate-500">
          A value per contact: its attribute of the same name when set, else the default. Required ones stop a message without a value.
        </p>
        {problems.map((problem) => (
          <p key={problem} className="mt-2 text-sm text-rose-600">
            {problem}
          </p>
        ))}
        {variables.length > 0 && (
          <ul className="mt-3 space-y-2">
            {variables.map((variable, index) => (
              <li key={index} className="flex flex-wrap items-center gap-2">
                <input
                  aria-label={`Name of variable ${index + 1}`}
                  value={variable.name}
                  readOnly={readOnly}
                  onChange={(event) => update(index, { name: event.target.value })}
                  placeholder="city"
                  className={cn(controlClass(false), 'h-8 w-32 font-mono text-xs')}
                  spellCheck={false}
                />
                <input
                  aria-label={`Default of variable ${index + 1}`}
                  value={variable.default ?? ''}
                  readOnly={readOnly}
                  onChange={(event) => update(index, { default: event.target.value })}
                  placeholder="Default"
                  className={cn(controlClass(false), 'h-8 min-w-28 flex-1 text-xs')}
                />
                <label className="flex items-center gap-1.5 text-xs text-slate-600">
                  <input
                    type="checkbox"
                    checked={variable.required}
                    disabled={readOnly}
                    onChange={(event) => update(index, { required: event.target.checked })}
                    className="size-4 rounded accent-indigo-600"
                  />
                  Required
                </label>
                {!readOnly && (
                  <button
                    type="button"
                    onClick={() => onVariablesChange(variables.filter((_, at) => at !== index))}
                    className="rounded-md p-1.5 text-slate-400 hover:bg-rose-50 hover:text-rose-600 focus-visible:outline-2 focus-visible:outline-indigo-600"
                  >
                    <span className="sr-only">Remove variable {variable.name || index + 1}</span>
                    <Icon name="close" className="size-4" />
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        {!readOnly && (
          <Button
            variant="secondary"
            size="sm"
            className="mt-3"
            onClick={() => onVariablesChange([...variables, { name: '', default: null, required: false, description: null }])}
            icon={<Icon name="plus" className="size-4" />}
          >
            Declare a variable
          </Button>
        )}
      </div>
    </div>
  );
}

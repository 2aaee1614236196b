import type { AttributeValue, ContactField } from '../../../api/contacts.ts';
import { Input, Select } from '../../../components/ui/index.ts';

/** An attribute as the text of its input ('' = not set). */
export function attributeText(value: AttributeValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

/**
 * The typed value to send for an input's text: null removes the value, numbers and
 * booleans are sent as JSON numbers and booleans (the server checks them again).
 */
export function attributeValue(field: Pick<ContactField, 'type'>, text: string): AttributeValue {
  const value = text.trim();
  if (value === '') return null;
  if (field.type === 'number') {
    const number = Number(value);
    return Number.isFinite(number) ? number : value;
  }
  if (field.type === 'boolean') return value === 'true';
  return value;
}

/** The changes to send: only attributes whose value differs, null for a cleared one. */
export function attributeChanges(
  fields: readonly Pick<ContactField, 'name' | 'type'>[],
  stored: Record<string, AttributeValue>,
  edited: Record<string, string>,
): Record<string, AttributeValue> {
  const changes: Record<string, AttributeValue> = {};
  for (const field of fields) {
    const text = edited[field.name];
    if (text === undefined) continue;
    const next = attributeValue(field, text);
    const before = stored[field.name] ?? null;
    if (next !== before) changes[field.name] = next;
  }
  return changes;
}

export function AttributeInput({
  field,
  value,
  onChange,
  error,
}: {
  field: ContactField;
  value: string;
  onChange: (text: string) => void;
  error: string | undefined;
}) {
  const label = (
    <span>
      {field.label || field.name}
      {field.label && <span className="ml-1.5 font-mono text-xs font-normal text-slate-400">{field.name}</span>}
    </span>
  );
  if (field.type === 'boolean') {
    return (
      <Select
        label={label}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        options={[
          { value: '', label: 'Not set' },
          { value: 'true', label: 'Yes' },
          { value: 'false', label: 'No' },
        ]}
        error={error}
      />
    );
  }
  return (
    <Input
      label={label}
      type={field.type === 'date' ? 'date' : 'text'}
      inputMode={field.type === 'number' ? 'decimal' : undefined}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      error={error}
      optional
      autoComplete="off"
      hint={field.type === 'number' ? 'A number' : undefined}
    />
  );
}

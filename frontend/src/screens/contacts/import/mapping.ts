/**
 * Which file column feeds which contact field: the wizard's copy of the server's rules
 * (blueprints/contacts/mapping.py), so the mapping step shows what the import will do.
 *
 * The server applies explicit choices first, then maps the remaining columns by header
 * synonyms (Email, E-mail, Vorname, Surname, ...) and custom field names, and with
 * `create_fields` makes every other named column a new text field. A column it would map
 * by itself cannot be left out: the API has no "ignore" choice. The wizard sends every
 * mapped built-in and custom field explicitly, so what is shown is what is sent.
 */

import type { ContactField, FieldType } from '../../../api/contacts.ts';

export const BUILTIN_TARGETS = ['email', 'first_name', 'last_name', 'status', 'consent_at', 'consent_ip'] as const;
export type BuiltinTarget = (typeof BUILTIN_TARGETS)[number];

export const BUILTIN_LABELS: Record<BuiltinTarget, string> = {
  email: 'Email',
  first_name: 'First name',
  last_name: 'Last name',
  status: 'Status',
  consent_at: 'Consent date',
  consent_ip: 'Consent IP address',
};

const SYNONYMS: Record<BuiltinTarget, readonly string[]> = {
  email: [
    'email',
    'e-mail',
    'email address',
    'e-mail address',
    'mail',
    'mail address',
    'email_address',
    'emailaddress',
    'e-mail-adresse',
    'courriel',
    'correo',
    'correo electronico',
  ],
  first_name: [
    'first_name',
    'first name',
    'firstname',
    'first',
    'given name',
    'given_name',
    'forename',
    'fname',
    'vorname',
    'prenom',
    'prénom',
    'nombre',
  ],
  last_name: [
    'last_name',
    'last name',
    'lastname',
    'last',
    'surname',
    'family name',
    'family_name',
    'lname',
    'nachname',
    'nom',
    'apellido',
  ],
  status: ['status', 'subscription status', 'subscription_status'],
  consent_at: ['consent_at', 'consent at', 'consent date', 'opt-in date', 'optin date'],
  consent_ip: ['consent_ip', 'consent ip', 'opt-in ip', 'optin ip', 'ip address', 'ip'],
};

const RESERVED = new Set<string>([...BUILTIN_TARGETS, 'id', 'source', 'created_at', 'updated_at', 'deleted_at', 'group', 'groups']);

/** `"E-Mail Address"` and `"email_address"` share the key `emailaddress`. */
export function headerKey(header: string): string {
  return header.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

const BY_KEY = new Map<string, BuiltinTarget>();
for (const target of BUILTIN_TARGETS) for (const synonym of SYNONYMS[target]) BY_KEY.set(headerKey(synonym), target);

/** The built-in field a header means by itself, if any. */
export function builtinForHeader(header: string): BuiltinTarget | undefined {
  return BY_KEY.get(headerKey(header));
}

/** A custom field name derived from a header (`"Signup Date"` -> `signup_date`). */
export function fieldNameFromHeader(header: string): string {
  let name =
    header
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 63) || 'field';
  if (!/^[a-z]/.test(name)) name = `f_${name}`.slice(0, 63);
  if (RESERVED.has(name)) name = `${name}_custom`;
  return name;
}

/** What a column becomes: a built-in field, a custom field (existing or new), or nothing. */
export type ColumnTarget =
  | { kind: 'builtin'; field: BuiltinTarget }
  | { kind: 'attribute'; field: string; type: FieldType }
  | { kind: 'new'; field: string }
  | { kind: 'ignored' };

export interface PlannedColumn {
  index: number;
  header: string;
  target: ColumnTarget;
  /** `explicit`: chosen in the wizard; `auto`: from the header. */
  how: 'explicit' | 'auto' | 'none';
  /** The header alone would map this column: leaving it out is not possible. */
  autoMapped: boolean;
}

/** Choices made in the wizard: column index -> target value (see `targetValue`). */
export type Overrides = Record<number, string>;

/** `builtin:email`, `attribute:plan`; the value of a target in the mapping select. */
export function targetValue(target: ColumnTarget): string {
  switch (target.kind) {
    case 'builtin':
      return `builtin:${target.field}`;
    case 'attribute':
      return `attribute:${target.field}`;
    case 'new':
      return `new:${target.field}`;
    case 'ignored':
      return 'ignore';
  }
}

function parseTarget(value: string, fields: ReadonlyMap<string, FieldType>): ColumnTarget | null {
  const [kind, field = ''] = value.split(/:(.*)/s);
  if (kind === 'builtin' && (BUILTIN_TARGETS as readonly string[]).includes(field))
    return { kind: 'builtin', field: field as BuiltinTarget };
  if (kind === 'attribute' && fields.has(field)) return { kind: 'attribute', field, type: fields.get(field)! };
  return null;
}

/**
 * The mapping of every column, as the server will resolve it with `overrides` sent as
 * the explicit mapping.
 */
export function planColumns(
  headers: readonly string[],
  overrides: Overrides,
  fields: readonly Pick<ContactField, 'name' | 'type'>[],
  createFields: boolean,
): PlannedColumn[] {
  const types = new Map(fields.map((field) => [field.name, field.type] as const));
  const plan: PlannedColumn[] = headers.map((header, index) => ({
    index,
    header,
    target: { kind: 'ignored' },
    how: 'none',
    autoMapped: false,
  }));
  const claimed = new Set<string>();
  for (const [key, value] of Object.entries(overrides)) {
    const index = Number(key);
    const target = parseTarget(value, types);
    const column = plan[index];
    if (!column || !target || target.kind === 'new' || target.kind === 'ignored') continue;
    const name = target.field;
    // One column per field: a later choice of the same field replaces an earlier one.
    for (const other of plan) {
      if (other.how === 'explicit' && other.target.kind !== 'ignored' && 'field' in other.target && other.target.field === name) {
        other.target = { kind: 'ignored' };
        other.how = 'none';
      }
    }
    column.target = target;
    column.how = 'explicit';
    claimed.add(name);
  }
  for (const column of plan) {
    const builtin = builtinForHeader(column.header);
    const name = column.header ? fieldNameFromHeader(column.header) : '';
    column.autoMapped = Boolean((builtin && !claimed.has(builtin)) || (types.has(name) && !claimed.has(name)));
    if (column.how === 'explicit') continue;
    if (builtin && !claimed.has(builtin)) {
      column.target = { kind: 'builtin', field: builtin };
      column.how = 'auto';
      claimed.add(builtin);
    } else if (types.has(name) && !claimed.has(name)) {
      column.target = { kind: 'attribute', field: name, type: types.get(name)! };
      column.how = 'auto';
      claimed.add(name);
    } else if (createFields && column.header && !claimed.has(name) && builtin === undefined) {
      column.target = { kind: 'new', field: name };
      column.how = 'auto';
      claimed.add(name);
    }
  }
  return plan;
}

/** The `mapping` form field: every column mapped to a built-in or existing custom field. */
export function mappingPayload(plan: readonly PlannedColumn[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const column of plan) {
    if (column.target.kind === 'builtin' || column.target.kind === 'attribute') mapping[column.target.field] = column.header;
  }
  return mapping;
}

export function targetLabel(target: ColumnTarget, fields: readonly Pick<ContactField, 'name' | 'label'>[]): string {
  switch (target.kind) {
    case 'builtin':
      return BUILTIN_LABELS[target.field];
    case 'attribute':
      return fields.find((field) => field.name === target.field)?.label || target.field;
    case 'new':
      return `New field “${target.field}”`;
    case 'ignored':
      return 'Not imported';
  }
}

/** What stops the import from running, in the words of the mapping step. */
export function planProblems(plan: readonly PlannedColumn[]): string[] {
  const problems: string[] = [];
  if (!plan.some((column) => column.target.kind === 'builtin' && column.target.field === 'email')) {
    problems.push('Choose the column that holds the email addresses.');
  }
  const duplicates = new Set<string>();
  const headers = new Set<string>();
  for (const column of plan) {
    if (column.target.kind === 'ignored') continue;
    if (headers.has(column.header)) duplicates.add(column.header);
    headers.add(column.header);
  }
  for (const header of duplicates) {
    problems.push(`Two columns are named “${header || '(no name)'}”: rename one in the file so that each can be told apart.`);
  }
  return problems;
}

/**
 * The segment rule builder's model and its translation to and from the API's condition
 * tree (docs/contacts.md, "Segments").
 *
 * The builder edits groups ("all", "any" or "none of the following") holding conditions
 * and nested groups. A condition keeps its value as typed text until the tree is built,
 * so half-typed input never breaks the form; `buildDefinition` converts values by the
 * field's type and reports incomplete conditions instead of sending them, and maps every
 * JSON path it writes back to the builder node, so a server error at `$.and[1].value`
 * lands on the row it is about.
 */

import type { ContactField, ContactStatus, FieldType } from '../../../api/contacts.ts';
import { CONTACT_STATUSES } from '../../../api/contacts.ts';
import type { SegmentDefinition } from '../../../api/segments.ts';

export type ValueType = FieldType | 'datetime' | 'status' | 'group';

export interface FieldOption {
  /** The API's field name: `email`, `attributes.plan`, `group`. */
  value: string;
  label: string;
  type: ValueType;
  /** Optgroup label. */
  section: 'Contact' | 'Custom fields' | 'Membership';
}

export const BUILTIN_FIELDS: readonly FieldOption[] = [
  { value: 'email', label: 'Email', type: 'text', section: 'Contact' },
  { value: 'first_name', label: 'First name', type: 'text', section: 'Contact' },
  { value: 'last_name', label: 'Last name', type: 'text', section: 'Contact' },
  { value: 'status', label: 'Status', type: 'status', section: 'Contact' },
  { value: 'source', label: 'Source', type: 'text', section: 'Contact' },
  { value: 'created_at', label: 'Added', type: 'datetime', section: 'Contact' },
  { value: 'updated_at', label: 'Last changed', type: 'datetime', section: 'Contact' },
  { value: 'consent_at', label: 'Consent date', type: 'datetime', section: 'Contact' },
];

export const GROUP_FIELD: FieldOption = { value: 'group', label: 'Group', type: 'group', section: 'Membership' };

/** Every field a condition can test, custom ones typed by their definitions. */
export function fieldOptions(fields: readonly Pick<ContactField, 'name' | 'label' | 'type'>[]): FieldOption[] {
  return [
    ...BUILTIN_FIELDS,
    ...fields.map((field) => ({
      value: `attributes.${field.name}`,
      label: field.label || field.name,
      type: field.type,
      section: 'Custom fields' as const,
    })),
    GROUP_FIELD,
  ];
}

/**
 * Operators as the builder offers them. `exists` is split into "is set" and "is not set"
 * (`not_exists` here, `{"op": "exists", "value": false}` in the API).
 */
export type UiOperator =
  | 'eq'
  | 'neq'
  | 'contains'
  | 'starts_with'
  | 'in'
  | 'gt'
  | 'lt'
  | 'between'
  | 'before'
  | 'after'
  | 'within_last_days'
  | 'exists'
  | 'not_exists';

const OPERATORS: Record<ValueType, readonly UiOperator[]> = {
  text: ['eq', 'neq', 'contains', 'starts_with', 'in', 'exists', 'not_exists'],
  number: ['eq', 'neq', 'gt', 'lt', 'between', 'in', 'exists', 'not_exists'],
  date: ['eq', 'neq', 'before', 'after', 'between', 'within_last_days', 'exists', 'not_exists'],
  datetime: ['before', 'after', 'between', 'within_last_days', 'exists', 'not_exists'],
  boolean: ['eq', 'neq', 'exists', 'not_exists'],
  status: ['eq', 'neq', 'in'],
  group: ['eq', 'neq', 'in'],
};

export function operatorsFor(type: ValueType): readonly UiOperator[] {
  return OPERATORS[type];
}

export function operatorLabel(op: UiOperator, type: ValueType): string {
  if (type === 'group') return { eq: 'is a member of', neq: 'is not a member of', in: 'is a member of any of' }[op as 'eq'] ?? op;
  const dated = type === 'date' || type === 'datetime';
  switch (op) {
    case 'eq':
      return dated ? 'is on' : 'is';
    case 'neq':
      return dated ? 'is not on' : 'is not';
    case 'contains':
      return 'contains';
    case 'starts_with':
      return 'starts with';
    case 'in':
      return 'is any of';
    case 'gt':
      return 'is greater than';
    case 'lt':
      return 'is less than';
    case 'between':
      return 'is between';
    case 'before':
      return 'is before';
    case 'after':
      return 'is after';
    case 'within_last_days':
      return 'is in the last';
    case 'exists':
      return 'is set';
    case 'not_exists':
      return 'is not set';
  }
}

export type Combinator = 'all' | 'any' | 'none';

export interface ConditionNode {
  id: string;
  kind: 'condition';
  field: string;
  op: UiOperator;
  /** As typed; `in` lists are comma-separated, booleans 'true'/'false', groups ids. */
  value: string;
  /** The upper bound of `between`. */
  value2: string;
  /** `in` on status and groups: the chosen values. */
  values: string[];
}

export interface GroupNode {
  id: string;
  kind: 'group';
  combinator: Combinator;
  children: RuleNode[];
}

/** A condition type registered by another domain, kept as it came from the server. */
export interface RawNode {
  id: string;
  kind: 'raw';
  json: Record<string, unknown>;
}

export type RuleNode = ConditionNode | GroupNode | RawNode;

let counter = 0;
export function newId(): string {
  counter += 1;
  return `n${counter}`;
}

export function newCondition(field: FieldOption = BUILTIN_FIELDS[0]!): ConditionNode {
  const op = operatorsFor(field.type)[0]!;
  return { id: newId(), kind: 'condition', field: field.value, op, value: defaultValue(field.type, op), value2: '', values: [] };
}

export function newGroup(combinator: Combinator = 'all', children: RuleNode[] = []): GroupNode {
  return { id: newId(), kind: 'group', combinator, children };
}

export function defaultValue(type: ValueType, op: UiOperator): string {
  if (type === 'boolean' && (op === 'eq' || op === 'neq')) return 'true';
  if (type === 'status' && op !== 'in') return 'subscribed';
  return '';
}

/** The condition after choosing another field: the operator and value are reset if they no longer fit. */
export function withField(node: ConditionNode, field: FieldOption): ConditionNode {
  const ops = operatorsFor(field.type);
  const op = ops.includes(node.op) ? node.op : ops[0]!;
  return { ...node, field: field.value, op, value: defaultValue(field.type, op), value2: '', values: [] };
}

export function withOperator(node: ConditionNode, type: ValueType, op: UiOperator): ConditionNode {
  const keep = (node.op === 'between') === (op === 'between') && node.op !== 'within_last_days' && op !== 'within_last_days';
  return {
    ...node,
    op,
    value: keep && node.value ? node.value : defaultValue(type, op),
    value2: keep ? node.value2 : '',
    values: op === 'in' ? node.values : [],
  };
}

// --- building the API's tree ---------------------------------------------------------------

export interface BuildResult {
  /** The tree to send, or null when a condition is incomplete. `{}`: no rules (everyone). */
  definition: SegmentDefinition | null;
  /** Node id -> what is missing or wrong, in words for the row. */
  problems: Record<string, string>;
  /** JSON path written (`$.and[1]`) -> node id, to place server errors. */
  paths: Record<string, string>;
}

function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function scalar(type: ValueType, text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  const value = text.trim();
  if (value === '') return { ok: false, problem: 'Enter a value.' };
  switch (type) {
    case 'number': {
      const number = Number(value.replace(/\s/g, ''));
      return Number.isFinite(number) ? { ok: true, value: number } : { ok: false, problem: `“${value}” is not a number.` };
    }
    case 'date':
      return ISO_DATE.test(value) ? { ok: true, value } : { ok: false, problem: 'Enter a date (YYYY-MM-DD).' };
    case 'datetime':
      return ISO_DATE.test(value) || ISO_DATETIME.test(value) ? { ok: true, value } : { ok: false, problem: 'Enter a date (YYYY-MM-DD).' };
    case 'boolean':
      return { ok: true, value: value === 'true' };
    case 'group': {
      const id = Number(value);
      return Number.isInteger(id) && id > 0 ? { ok: true, value: id } : { ok: false, problem: 'Choose a group.' };
    }
    case 'status':
      return (CONTACT_STATUSES as readonly string[]).includes(value)
        ? { ok: true, value: value as ContactStatus }
        : { ok: false, problem: 'Choose a status.' };
    default:
      return { ok: true, value };
  }
}

/** One condition as the API's node, or the reason it cannot be sent yet. */
export function conditionJson(
  node: ConditionNode,
  type: ValueType,
): { ok: true; json: Record<string, unknown> } | { ok: false; problem: string } {
  const base = { field: node.field };
  if (node.op === 'exists' || node.op === 'not_exists') return { ok: true, json: { ...base, op: 'exists', value: node.op === 'exists' } };
  if (node.op === 'within_last_days') {
    const days = Number(node.value.trim());
    if (!Number.isInteger(days) || days < 1 || days > 36_500) return { ok: false, problem: 'Enter a number of days from 1 to 36,500.' };
    return { ok: true, json: { ...base, op: node.op, value: days } };
  }
  if (node.op === 'between') {
    const low = scalar(type, node.value);
    if (!low.ok) return { ok: false, problem: `From: ${low.problem}` };
    const high = scalar(type, node.value2);
    if (!high.ok) return { ok: false, problem: `To: ${high.problem}` };
    return { ok: true, json: { ...base, op: node.op, value: [low.value, high.value] } };
  }
  if (node.op === 'in') {
    const items = type === 'status' || type === 'group' ? node.values : splitList(node.value);
    if (items.length === 0) return { ok: false, problem: type === 'group' ? 'Choose at least one group.' : 'Enter at least one value.' };
    if (items.length > 1000) return { ok: false, problem: 'At most 1,000 values.' };
    const values: unknown[] = [];
    for (const item of items) {
      const converted = scalar(type, item);
      if (!converted.ok) return { ok: false, problem: converted.problem };
      values.push(converted.value);
    }
    return { ok: true, json: { ...base, op: 'in', value: values } };
  }
  const converted = scalar(type, node.value);
  if (!converted.ok) return { ok: false, problem: converted.problem };
  return { ok: true, json: { ...base, op: node.op, value: converted.value } };
}

const COMBINATOR_KEY: Record<Combinator, 'and' | 'or'> = { all: 'and', any: 'or', none: 'or' };

/**
 * The API's condition tree for the builder's root group. Empty groups are left out; a
 * group of one condition is that condition; "none of" is `{"not": {"or": [...]}}`.
 */
export function buildDefinition(root: GroupNode, types: ReadonlyMap<string, ValueType>): BuildResult {
  const problems: Record<string, string> = {};
  const paths: Record<string, string> = {};

  function build(node: RuleNode, path: string): Record<string, unknown> | null {
    if (node.kind === 'raw') {
      paths[path] = node.id;
      return node.json;
    }
    if (node.kind === 'condition') {
      paths[path] = node.id;
      const type = types.get(node.field);
      if (!type) {
        problems[node.id] = 'This field no longer exists: choose another.';
        return null;
      }
      const result = conditionJson(node, type);
      if (!result.ok) {
        problems[node.id] = result.problem;
        return null;
      }
      return result.json;
    }
    const children = node.children.filter((child) => child.kind !== 'group' || hasConditions(child));
    if (children.length === 0) return null;
    paths[path] = node.id;
    const key = COMBINATOR_KEY[node.combinator];
    const inner = node.combinator === 'none' ? `${path}.not` : path;
    let built: Record<string, unknown> | null;
    if (children.length === 1 && node.combinator !== 'none') {
      built = build(children[0]!, path);
    } else if (children.length === 1) {
      built = build(children[0]!, inner);
      return built && { not: built };
    } else {
      const parts = children.map((child, index) => build(child, `${inner}.${key}[${index}]`));
      built = parts.every((part) => part !== null) ? { [key]: parts } : null;
    }
    if (built === null) return null;
    return node.combinator === 'none' ? { not: built } : built;
  }

  const definition = build(root, '$');
  if (Object.keys(problems).length > 0) return { definition: null, problems, paths };
  return { definition: definition ?? {}, problems, paths };
}

export function hasConditions(node: RuleNode): boolean {
  return node.kind !== 'group' || node.children.some(hasConditions);
}

export function countConditions(node: RuleNode): number {
  return node.kind === 'group' ? node.children.reduce((sum, child) => sum + countConditions(child), 0) : 1;
}

/** The builder node a server error path (`$.and[1].value`) is about: the deepest match. */
export function nodeForPath(paths: Record<string, string>, errorPath: string): string | undefined {
  let path = errorPath;
  for (;;) {
    if (paths[path]) return paths[path];
    const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    if (cut <= 0) return paths['$'];
    path = path.slice(0, cut);
  }
}

// --- reading a saved tree back ---------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.length > 10 && /^\d{4}-\d{2}-\d{2}T/.test(value) ? value.slice(0, 10) : value;
  return String(value);
}

function conditionFromJson(json: Record<string, unknown>): ConditionNode {
  const node: ConditionNode = { id: newId(), kind: 'condition', field: String(json['field']), op: 'eq', value: '', value2: '', values: [] };
  const op = String(json['op']);
  const value = json['value'];
  if (op === 'exists') return { ...node, op: value === false ? 'not_exists' : 'exists' };
  if (op === 'between' && Array.isArray(value)) return { ...node, op: 'between', value: text(value[0]), value2: text(value[1]) };
  if (op === 'in' && Array.isArray(value)) {
    const listed = node.field === 'status' || node.field === 'group';
    return { ...node, op: 'in', values: listed ? value.map(text) : [], value: listed ? '' : value.map(text).join(', ') };
  }
  return { ...node, op: op as UiOperator, value: text(value) };
}

function nodeFromJson(json: unknown): RuleNode {
  if (!isRecord(json)) return { id: newId(), kind: 'raw', json: { value: json } };
  if (Array.isArray(json['and'])) return newGroup('all', json['and'].map(nodeFromJson));
  if (Array.isArray(json['or'])) return newGroup('any', json['or'].map(nodeFromJson));
  if ('not' in json) {
    const inner = json['not'];
    if (isRecord(inner) && Array.isArray(inner['or'])) return newGroup('none', inner['or'].map(nodeFromJson));
    return newGroup('none', [nodeFromJson(inner)]);
  }
  if (typeof json['field'] === 'string') return conditionFromJson(json);
  return { id: newId(), kind: 'raw', json };
}

/** The builder's root group for a saved definition (always a group, possibly empty). */
export function treeFromDefinition(definition: SegmentDefinition | null | undefined): GroupNode {
  if (!definition || Object.keys(definition).length === 0) return newGroup('all');
  const node = nodeFromJson(definition);
  return node.kind === 'group' ? node : newGroup('all', [node]);
}

// --- editing ---------------------------------------------------------------------------

/** A copy of `root` with the node `id` replaced by `update(node)` (or removed for null). */
export function updateNode(root: GroupNode, id: string, update: (node: RuleNode) => RuleNode | null): GroupNode {
  function visit(node: RuleNode): RuleNode | null {
    if (node.id === id) return update(node);
    if (node.kind !== 'group') return node;
    const children = node.children.map(visit).filter((child): child is RuleNode => child !== null);
    return children.length === node.children.length && children.every((child, index) => child === node.children[index])
      ? node
      : { ...node, children };
  }
  return (visit(root) as GroupNode | null) ?? newGroup('all');
}

export function depthOf(root: GroupNode, id: string): number {
  function find(node: RuleNode, depth: number): number {
    if (node.id === id) return depth;
    if (node.kind !== 'group') return -1;
    for (const child of node.children) {
      const found = find(child, depth + 1);
      if (found >= 0) return found;
    }
    return -1;
  }
  return find(root, 0);
}

/** The API nests at most 10 levels; the builder allows groups 4 deep, which reads well. */
export const MAX_GROUP_DEPTH = 4;

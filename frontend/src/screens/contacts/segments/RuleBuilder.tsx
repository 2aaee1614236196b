import type { ReactNode } from 'react';
import { CONTACT_STATUSES, type Group } from '../../../api/contacts.ts';
import { Icon } from '../../../components/Icon.tsx';
import { Button } from '../../../components/ui/index.ts';
import { controlClass } from '../../../components/ui/Field.tsx';
import { cn } from '../../../lib/cn.ts';
import { STATUS_LABELS } from '../common.tsx';
import {
  MAX_GROUP_DEPTH,
  newCondition,
  newGroup,
  operatorLabel,
  operatorsFor,
  updateNode,
  withField,
  withOperator,
  type Combinator,
  type ConditionNode,
  type FieldOption,
  type GroupNode,
  type RuleNode,
  type UiOperator,
  type ValueType,
} from './rules.ts';

const COMBINATOR_LABELS: Record<Combinator, string> = { all: 'all', any: 'any', none: 'none' };

interface BuilderContext {
  root: GroupNode;
  onChange: (root: GroupNode) => void;
  fields: readonly FieldOption[];
  groups: readonly Group[];
  /** Node id -> message shown under the row. */
  problems: Record<string, string>;
}

function NativeSelect({
  label,
  value,
  onChange,
  children,
  invalid = false,
  className,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  children: ReactNode;
  invalid?: boolean;
  /** Width and placement of the control (it fills this box). */
  className?: string;
}) {
  return (
    <div className={cn('relative', className)}>
      <select
        aria-label={label}
        aria-invalid={invalid || undefined}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        className={cn(controlClass(invalid), 'h-9 appearance-none pr-8')}
      >
        {children}
      </select>
      <svg
        className="pointer-events-none absolute top-1/2 right-2.5 size-4 -translate-y-1/2 text-slate-500"
        viewBox="0 0 20 20"
        fill="currentColor"
        aria-hidden="true"
      >
        <path
          fillRule="evenodd"
          d="M5.22 8.22a.75.75 0 0 1 1.06 0L10 11.94l3.72-3.72a.75.75 0 1 1 1.06 1.06l-4.25 4.25a.75.75 0 0 1-1.06 0L5.22 9.28a.75.75 0 0 1 0-1.06Z"
          clipRule="evenodd"
        />
      </svg>
    </div>
  );
}

function TextInput({
  label,
  value,
  onChange,
  invalid,
  type = 'text',
  placeholder,
  className,
  inputMode,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  invalid: boolean;
  type?: 'text' | 'date' | 'number';
  placeholder?: string;
  /** Width and placement of the control (it fills this box). */
  className?: string;
  inputMode?: 'decimal' | 'numeric';
}) {
  return (
    <div className={className}>
      <input
        aria-label={label}
        aria-invalid={invalid || undefined}
        type={type}
        value={value}
        placeholder={placeholder}
        inputMode={inputMode}
        onChange={(event) => onChange(event.target.value)}
        className={cn(controlClass(invalid), 'h-9')}
      />
    </div>
  );
}

function MultiChoice({
  label,
  options,
  selected,
  onChange,
}: {
  label: string;
  options: { value: string; label: string }[];
  selected: string[];
  onChange: (values: string[]) => void;
}) {
  return (
    <fieldset className="flex max-h-40 flex-wrap gap-x-4 gap-y-1.5 overflow-y-auto rounded-lg border border-slate-300 bg-white px-3 py-2">
      <legend className="sr-only">{label}</legend>
      {options.length === 0 && <span className="text-sm text-slate-500">Nothing to choose from yet.</span>}
      {options.map((option) => (
        <label key={option.value} className="flex items-center gap-2 text-sm text-slate-800">
          <input
            type="checkbox"
            className="size-4 rounded accent-indigo-600"
            checked={selected.includes(option.value)}
            onChange={(event) =>
              onChange(event.target.checked ? [...selected, option.value] : selected.filter((value) => value !== option.value))
            }
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}

function ValueEditor({ node, type, number, ctx }: { node: ConditionNode; type: ValueType; number: string; ctx: BuilderContext }) {
  const set = (patch: Partial<ConditionNode>) =>
    ctx.onChange(updateNode(ctx.root, node.id, (current) => ({ ...(current as ConditionNode), ...patch })));
  const invalid = Boolean(ctx.problems[node.id]);
  const label = `Value of condition ${number}`;
  if (node.op === 'exists' || node.op === 'not_exists') return null;
  if (type === 'status') {
    const options = CONTACT_STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status] }));
    if (node.op === 'in')
      return <MultiChoice label={label} options={options} selected={node.values} onChange={(values) => set({ values })} />;
    return (
      <NativeSelect label={label} value={node.value} onChange={(value) => set({ value })} invalid={invalid}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </NativeSelect>
    );
  }
  if (type === 'group') {
    const options = ctx.groups.map((group) => ({ value: String(group.id), label: group.name }));
    if (node.op === 'in')
      return <MultiChoice label={label} options={options} selected={node.values} onChange={(values) => set({ values })} />;
    return (
      <NativeSelect label={label} value={node.value} onChange={(value) => set({ value })} invalid={invalid}>
        <option value="">Choose a group…</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </NativeSelect>
    );
  }
  if (type === 'boolean') {
    return (
      <NativeSelect label={label} value={node.value || 'true'} onChange={(value) => set({ value })}>
        <option value="true">Yes</option>
        <option value="false">No</option>
      </NativeSelect>
    );
  }
  if (node.op === 'within_last_days') {
    return (
      <span className="flex items-center gap-2">
        <TextInput
          label={`Days, condition ${number}`}
          value={node.value}
          onChange={(value) => set({ value })}
          invalid={invalid}
          type="number"
          inputMode="numeric"
          className="w-24"
        />
        <span className="text-sm text-slate-600">days</span>
      </span>
    );
  }
  const dated = type === 'date' || type === 'datetime';
  const inputType = dated ? 'date' : 'text';
  const numeric = type === 'number' ? 'decimal' : undefined;
  if (node.op === 'between') {
    return (
      <span className="flex flex-wrap items-center gap-2">
        <TextInput
          label={`From, condition ${number}`}
          value={node.value}
          onChange={(value) => set({ value })}
          invalid={invalid}
          type={inputType}
          {...(numeric ? { inputMode: numeric } : {})}
          className="w-36"
        />
        <span className="text-sm text-slate-600">and</span>
        <TextInput
          label={`To, condition ${number}`}
          value={node.value2}
          onChange={(value2) => set({ value2 })}
          invalid={invalid}
          type={inputType}
          {...(numeric ? { inputMode: numeric } : {})}
          className="w-36"
        />
      </span>
    );
  }
  return (
    <TextInput
      label={label}
      value={node.value}
      onChange={(value) => set({ value })}
      invalid={invalid}
      type={inputType}
      {...(numeric ? { inputMode: numeric } : {})}
      placeholder={node.op === 'in' ? 'Values, separated by commas' : type === 'number' ? 'A number' : 'Value'}
      className="min-w-40"
    />
  );
}

function ConditionRow({ node, number, ctx }: { node: ConditionNode; number: string; ctx: BuilderContext }) {
  const field = ctx.fields.find((option) => option.value === node.field);
  const type: ValueType = field?.type ?? 'text';
  const problem = ctx.problems[node.id];
  const replace = (next: RuleNode | null) => ctx.onChange(updateNode(ctx.root, node.id, () => next));
  const sections = ['Contact', 'Custom fields', 'Membership'] as const;
  return (
    <li className="rounded-lg border border-slate-200 bg-white px-3 py-2.5" data-testid="rule-condition" data-node={node.id}>
      <div className="flex flex-wrap items-start gap-2">
        <NativeSelect
          label={`Field of condition ${number}`}
          value={node.field}
          invalid={!field}
          onChange={(value) => {
            const next = ctx.fields.find((option) => option.value === value);
            if (next) replace(withField(node, next));
          }}
          className="w-full sm:w-40"
        >
          {!field && <option value={node.field}>{node.field} (removed)</option>}
          {sections.map((section) => {
            const options = ctx.fields.filter((option) => option.section === section);
            return options.length === 0 ? null : (
              <optgroup key={section} label={section}>
                {options.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </optgroup>
            );
          })}
        </NativeSelect>
        <NativeSelect
          label={`Operator of condition ${number}`}
          value={node.op}
          onChange={(value) => replace(withOperator(node, type, value as UiOperator))}
          className="w-full sm:w-44"
        >
          {operatorsFor(type).map((op) => (
            <option key={op} value={op}>
              {operatorLabel(op, type)}
            </option>
          ))}
        </NativeSelect>
        <div className="flex min-w-0 flex-1 basis-36">
          <div className="min-w-0 flex-1">
            <ValueEditor node={node} type={type} number={number} ctx={ctx} />
          </div>
        </div>
        <button
          type="button"
          onClick={() => replace(null)}
          className="ml-auto rounded-md p-2 text-slate-400 hover:bg-rose-50 hover:text-rose-600 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <span className="sr-only">Remove condition {number}</span>
          <Icon name="close" className="size-4" />
        </button>
      </div>
      {problem && (
        <p className="mt-1.5 text-sm text-rose-600" role="alert">
          {problem}
        </p>
      )}
    </li>
  );
}

function GroupBlock({ node, depth, number, ctx }: { node: GroupNode; depth: number; number: string; ctx: BuilderContext }) {
  const set = (patch: Partial<GroupNode>) =>
    ctx.onChange(updateNode(ctx.root, node.id, (current) => ({ ...(current as GroupNode), ...patch })));
  const add = (child: RuleNode) => set({ children: [...node.children, child] });
  const isRoot = depth === 0;
  const problem = ctx.problems[node.id];
  return (
    <div className={cn(!isRoot && 'rounded-xl border border-dashed border-indigo-200 bg-indigo-50/30 p-3')} data-testid="rule-group">
      <div className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
        <span>{isRoot ? 'Contacts who match' : 'Match'}</span>
        <NativeSelect
          label={isRoot ? 'Match all, any or none of the conditions' : `Match all, any or none of group ${number}`}
          value={node.combinator}
          onChange={(value) => set({ combinator: value as Combinator })}
          className="w-24"
        >
          {(Object.keys(COMBINATOR_LABELS) as Combinator[]).map((combinator) => (
            <option key={combinator} value={combinator}>
              {COMBINATOR_LABELS[combinator]}
            </option>
          ))}
        </NativeSelect>
        <span>of the following:</span>
        {!isRoot && (
          <button
            type="button"
            onClick={() => ctx.onChange(updateNode(ctx.root, node.id, () => null))}
            className="ml-auto rounded-md px-2 py-1 text-sm font-medium text-slate-500 hover:bg-rose-50 hover:text-rose-600 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Remove group<span className="sr-only"> {number}</span>
          </button>
        )}
      </div>
      {problem && <p className="mt-1.5 text-sm text-rose-600">{problem}</p>}
      {node.children.length > 0 ? (
        <ol className="mt-3 space-y-2">
          {node.children.map((child, index) => {
            const childNumber = isRoot ? `${index + 1}` : `${number}.${index + 1}`;
            if (child.kind === 'condition') return <ConditionRow key={child.id} node={child} number={childNumber} ctx={ctx} />;
            if (child.kind === 'group') {
              return (
                <li key={child.id}>
                  <GroupBlock node={child} depth={depth + 1} number={childNumber} ctx={ctx} />
                </li>
              );
            }
            return (
              <li
                key={child.id}
                className="flex items-center justify-between gap-2 rounded-lg border border-slate-200 bg-white px-3 py-2.5 text-sm"
              >
                <code className="min-w-0 break-all text-slate-700">{JSON.stringify(child.json)}</code>
                <button
                  type="button"
                  onClick={() => ctx.onChange(updateNode(ctx.root, child.id, () => null))}
                  className="rounded-md p-2 text-slate-400 hover:bg-rose-50 hover:text-rose-600"
                >
                  <span className="sr-only">Remove condition {childNumber}</span>
                  <Icon name="close" className="size-4" />
                </button>
              </li>
            );
          })}
        </ol>
      ) : (
        <p className="mt-3 rounded-lg border border-dashed border-slate-300 px-3 py-4 text-center text-sm text-slate-500">
          {isRoot ? 'No conditions yet: every contact matches.' : 'An empty group is ignored.'}
        </p>
      )}
      <div className="mt-3 flex flex-wrap gap-2">
        <Button
          variant="secondary"
          size="sm"
          onClick={() => add(newCondition(ctx.fields[0]))}
          icon={<Icon name="plus" className="size-4" />}
        >
          Add condition
        </Button>
        {depth + 1 < MAX_GROUP_DEPTH && (
          <Button
            variant="ghost"
            size="sm"
            onClick={() => add(newGroup('any', [newCondition(ctx.fields[0])]))}
            icon={<Icon name="plus" className="size-4" />}
          >
            Add group
          </Button>
        )}
      </div>
    </div>
  );
}

/** The visual editor of a segment's rules: groups of conditions, typed by field. */
export function RuleBuilder(props: BuilderContext) {
  return <GroupBlock node={props.root} depth={0} number="" ctx={props} />;
}

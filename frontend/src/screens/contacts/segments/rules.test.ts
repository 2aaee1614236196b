import { describe, expect, it } from 'vitest';
import {
  buildDefinition,
  fieldOptions,
  newCondition,
  newGroup,
  nodeForPath,
  treeFromDefinition,
  updateNode,
  withField,
  withOperator,
  type ConditionNode,
  type ValueType,
} from './rules.ts';

const FIELDS = [
  { name: 'plan', label: 'Plan', type: 'text' as const },
  { name: 'score', label: null, type: 'number' as const },
  { name: 'signup', label: 'Signup', type: 'date' as const },
  { name: 'vip', label: 'VIP', type: 'boolean' as const },
];
const OPTIONS = fieldOptions(FIELDS);
const TYPES = new Map<string, ValueType>(OPTIONS.map((option) => [option.value, option.type]));
const option = (value: string) => OPTIONS.find((candidate) => candidate.value === value)!;

function condition(field: string, op: ConditionNode['op'], value = '', extra: Partial<ConditionNode> = {}): ConditionNode {
  const base = withOperator(withField(newCondition(), option(field)), option(field).type, op);
  return { ...base, value, ...extra };
}

describe('segment rules', () => {
  it('offers the custom fields typed by their definitions, and group membership', () => {
    expect(OPTIONS.map((o) => o.value)).toEqual([
      'email',
      'first_name',
      'last_name',
      'status',
      'source',
      'created_at',
      'updated_at',
      'consent_at',
      'attributes.plan',
      'attributes.score',
      'attributes.signup',
      'attributes.vip',
      'group',
    ]);
    expect(option('attributes.score')).toMatchObject({ label: 'score', type: 'number', section: 'Custom fields' });
  });

  it('builds the API tree with values converted by type', () => {
    const root = newGroup('all', [
      condition('group', 'eq', '12'),
      condition('attributes.score', 'gt', '5'),
      newGroup('any', [
        condition('attributes.plan', 'in', 'pro, team ,'),
        condition('attributes.signup', 'within_last_days', '30'),
        condition('attributes.vip', 'eq', 'false'),
      ]),
      newGroup('none', [condition('email', 'contains', '@competitor.example')]),
      condition('attributes.score', 'between', '1', { value2: '9.5' }),
      condition('consent_at', 'not_exists'),
      condition('status', 'in', '', { values: ['subscribed', 'bounced'] }),
    ]);
    const result = buildDefinition(root, TYPES);
    expect(result.problems).toEqual({});
    expect(result.definition).toEqual({
      and: [
        { field: 'group', op: 'eq', value: 12 },
        { field: 'attributes.score', op: 'gt', value: 5 },
        {
          or: [
            { field: 'attributes.plan', op: 'in', value: ['pro', 'team'] },
            { field: 'attributes.signup', op: 'within_last_days', value: 30 },
            { field: 'attributes.vip', op: 'eq', value: false },
          ],
        },
        { not: { field: 'email', op: 'contains', value: '@competitor.example' } },
        { field: 'attributes.score', op: 'between', value: [1, 9.5] },
        { field: 'consent_at', op: 'exists', value: false },
        { field: 'status', op: 'in', value: ['subscribed', 'bounced'] },
      ],
    });
  });

  it('sends one condition as itself, "none of" several as not-or, and no rules as {}', () => {
    expect(buildDefinition(newGroup('all', [condition('first_name', 'eq', 'Ann')]), TYPES).definition).toEqual({
      field: 'first_name',
      op: 'eq',
      value: 'Ann',
    });
    const none = newGroup('none', [condition('first_name', 'eq', 'Ann'), condition('last_name', 'eq', 'Lee')]);
    expect(buildDefinition(none, TYPES).definition).toEqual({
      not: {
        or: [
          { field: 'first_name', op: 'eq', value: 'Ann' },
          { field: 'last_name', op: 'eq', value: 'Lee' },
        ],
      },
    });
    // Empty nested groups are ignored; nothing at all means every contact.
    expect(buildDefinition(newGroup('all', [newGroup('any')]), TYPES).definition).toEqual({});
  });

  it('reports incomplete conditions instead of building a tree', () => {
    const blank = condition('attributes.score', 'gt', '');
    const wrong = condition('attributes.signup', 'eq', '03/01/2026');
    const days = condition('created_at', 'within_last_days', '0');
    const result = buildDefinition(newGroup('all', [blank, wrong, days, condition('group', 'in')]), TYPES);
    expect(result.definition).toBeNull();
    expect(result.problems[blank.id]).toBe('Enter a value.');
    expect(result.problems[wrong.id]).toBe('Enter a date (YYYY-MM-DD).');
    expect(result.problems[days.id]).toMatch(/number of days/);
    expect(Object.keys(result.problems)).toHaveLength(4);
    expect(buildDefinition(newGroup('all', [condition('attributes.score', 'eq', 'ten')]), TYPES).definition).toBeNull();
  });

  it('maps the JSON path of a server error back to the row it is about', () => {
    const first = condition('group', 'eq', '3');
    const nested = condition('attributes.plan', 'eq', 'pro');
    const inner = newGroup('any', [condition('first_name', 'eq', 'A'), nested]);
    const { paths } = buildDefinition(newGroup('all', [first, inner]), TYPES);
    expect(nodeForPath(paths, '$.and[0].value')).toBe(first.id);
    expect(nodeForPath(paths, '$.and[1].or[1].op')).toBe(nested.id);
    expect(nodeForPath(paths, '$.and[1].or')).toBe(inner.id);
  });

  it('reads a saved tree back into the builder and builds the same tree again', () => {
    const saved = {
      and: [
        { field: 'status', op: 'eq', value: 'subscribed' },
        {
          or: [
            { field: 'attributes.plan', op: 'in', value: ['pro', 'team'] },
            { field: 'group', op: 'in', value: [1, 2] },
          ],
        },
        { not: { field: 'email', op: 'contains', value: '@x.example' } },
        { field: 'attributes.score', op: 'between', value: [1, 5] },
        { field: 'created_at', op: 'after', value: '2026-01-05T00:00:00+00:00' },
        { field: 'attributes.vip', op: 'exists', value: true },
      ],
    };
    const tree = treeFromDefinition(saved);
    expect(tree.combinator).toBe('all');
    expect(tree.children).toHaveLength(6);
    const rebuilt = buildDefinition(tree, TYPES).definition as { and: unknown[] };
    expect(rebuilt.and[0]).toEqual(saved.and[0]);
    expect(rebuilt.and[1]).toEqual(saved.and[1]);
    expect(rebuilt.and[2]).toEqual(saved.and[2]);
    expect(rebuilt.and[3]).toEqual(saved.and[3]);
    // Date-times come back as the date the builder's date input shows.
    expect(rebuilt.and[4]).toEqual({ field: 'created_at', op: 'after', value: '2026-01-05' });
    expect(rebuilt.and[5]).toEqual(saved.and[5]);
    // A registered condition type it does not know is kept as it was.
    const custom = { condition: 'opened', campaign_id: 3, days: 30 };
    expect(buildDefinition(treeFromDefinition({ and: [custom, saved.and[0]] }), TYPES).definition).toEqual({ and: [custom, saved.and[0]] });
  });

  it('edits immutably: a change touches only the path to the node', () => {
    const keep = condition('first_name', 'eq', 'A');
    const change = condition('last_name', 'eq', 'B');
    const root = newGroup('all', [keep, newGroup('any', [change])]);
    const next = updateNode(root, change.id, (node) => ({ ...(node as ConditionNode), value: 'C' }));
    expect(next).not.toBe(root);
    expect(next.children[0]).toBe(keep);
    const removed = updateNode(next, change.id, () => null);
    expect(buildDefinition(removed, TYPES).definition).toEqual({ field: 'first_name', op: 'eq', value: 'A' });
  });

  it('resets the operator and value when the field changes type', () => {
    const text = condition('attributes.plan', 'contains', 'pro');
    const moved = withField(text, option('attributes.vip'));
    expect(moved.op).toBe('eq');
    expect(moved.value).toBe('true');
    const dated = withField(text, option('created_at'));
    expect(dated.op).toBe('before');
    expect(dated.value).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { builtinForHeader, fieldNameFromHeader, headerKey, mappingPayload, planColumns, planProblems, targetValue } from './mapping.ts';

const FIELDS = [
  { name: 'plan', type: 'text' as const },
  { name: 'signup_date', type: 'date' as const },
];

const summary = (plan: ReturnType<typeof planColumns>) =>
  plan.map((column) => `${column.header}=${targetValue(column.target)}/${column.how}`);

describe('import mapping', () => {
  it('recognises headers as the server does', () => {
    expect(headerKey('E-Mail Address')).toBe(headerKey('email_address'));
    expect(builtinForHeader('E-Mail')).toBe('email');
    expect(builtinForHeader(' Vorname ')).toBe('first_name');
    expect(builtinForHeader('Surname')).toBe('last_name');
    expect(builtinForHeader('Prénom')).toBe('first_name');
    expect(builtinForHeader('Company')).toBeUndefined();
    expect(fieldNameFromHeader('Signup Date')).toBe('signup_date');
    expect(fieldNameFromHeader('2nd phone')).toBe('f_2nd_phone');
    expect(fieldNameFromHeader('Status')).toBe('status_custom');
    expect(fieldNameFromHeader('!!!')).toBe('field');
  });

  it('maps built-ins by synonym and custom fields by name, and ignores the rest', () => {
    const plan = planColumns(['E-mail', 'Vorname', 'Nachname', 'Plan', 'Signup Date', 'Notes'], {}, FIELDS, false);
    expect(summary(plan)).toEqual([
      'E-mail=builtin:email/auto',
      'Vorname=builtin:first_name/auto',
      'Nachname=builtin:last_name/auto',
      'Plan=attribute:plan/auto',
      'Signup Date=attribute:signup_date/auto',
      'Notes=ignore/none',
    ]);
    expect(plan.map((column) => column.autoMapped)).toEqual([true, true, true, true, true, false]);
    expect(mappingPayload(plan)).toEqual({
      email: 'E-mail',
      first_name: 'Vorname',
      last_name: 'Nachname',
      plan: 'Plan',
      signup_date: 'Signup Date',
    });
    expect(planProblems(plan)).toEqual([]);
  });

  it('applies choices first: the column that loses its field is left out', () => {
    // "Work email" is chosen as the address: the "Email" column no longer is.
    const plan = planColumns(['Email', 'Work email', 'Tarif'], { 1: 'builtin:email', 2: 'attribute:plan' }, FIELDS, false);
    expect(summary(plan)).toEqual(['Email=ignore/none', 'Work email=builtin:email/explicit', 'Tarif=attribute:plan/explicit']);
    expect(mappingPayload(plan)).toEqual({ email: 'Work email', plan: 'Tarif' });
    // Choosing the same field for another column moves it there.
    const moved = planColumns(['A', 'B', 'Email'], { 0: 'builtin:first_name', 1: 'builtin:first_name' }, FIELDS, false);
    expect(summary(moved)).toEqual(['A=ignore/none', 'B=builtin:first_name/explicit', 'Email=builtin:email/auto']);
  });

  it('turns the other named columns into new text fields when asked', () => {
    const plan = planColumns(['Email', 'Company', '', 'First', 'Given name'], {}, FIELDS, true);
    expect(summary(plan)).toEqual([
      'Email=builtin:email/auto',
      'Company=new:company/auto',
      '=ignore/none',
      'First=builtin:first_name/auto',
      // A second first-name column is not a new field: its header names a built-in.
      'Given name=ignore/none',
    ]);
    // New fields are created by the server from the headers: not in the explicit mapping.
    expect(mappingPayload(plan)).toEqual({ email: 'Email', first_name: 'First' });
  });

  it('says what stops the import', () => {
    expect(planProblems(planColumns(['Name', 'Phone'], {}, FIELDS, false))).toEqual(['Choose the column that holds the email addresses.']);
    expect(planProblems(planColumns(['Email', 'Plan', 'Plan'], { 2: 'builtin:last_name' }, FIELDS, false))[0]).toMatch(
      /Two columns are named “Plan”/,
    );
    // An unknown or stale choice is ignored rather than sent.
    expect(summary(planColumns(['Email'], { 0: 'attribute:gone' }, FIELDS, false))).toEqual(['Email=builtin:email/auto']);
  });
});

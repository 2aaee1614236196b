import { describe, expect, it } from 'vitest';
import { ForbiddenError, NetworkError, ValidationError } from '../api/errors.ts';
import { formErrors } from './forms.ts';

const FIELDS = ['name', 'default_from_email'] as const;
const CODES = { invalid_email: 'default_from_email' } as const;

describe('formErrors', () => {
  it('puts details.fields messages on their field', () => {
    const error = new ValidationError(422, {
      code: 'validation_error',
      message: 'The request contains invalid fields.',
      details: { fields: { json: { name: ['Length must be between 1 and 200.'] } } },
    });
    expect(formErrors(error, FIELDS, CODES)).toEqual({
      fields: { name: ['Length must be between 1 and 200.'] },
      form: null,
    });
  });

  it('maps a service error code to its field', () => {
    const error = new ValidationError(422, { code: 'invalid_email', message: "'x' is not a valid email address", details: {} });
    // Shown as a sentence: services write fragments ("the code is not valid").
    expect(formErrors(error, FIELDS, CODES).fields).toEqual({
      default_from_email: ["'x' is not a valid email address."],
    });
    const lower = new ValidationError(422, { code: 'invalid_email', message: 'the address is empty', details: {} });
    expect(formErrors(lower, FIELDS, CODES).fields.default_from_email).toEqual(['The address is empty.']);
  });

  it('reports what is about no field of the form above it', () => {
    const unknownField = new ValidationError(422, {
      code: 'validation_error',
      message: 'The request contains invalid fields.',
      details: { fields: { json: { bogus: ['Unknown field.'] } } },
    });
    expect(formErrors(unknownField, FIELDS).form).toBe('bogus: Unknown field.');

    const forbidden = new ForbiddenError(403, {
      code: 'forbidden',
      message: "this action needs the 'org:manage' permission",
      details: { permission: 'org:manage' },
    });
    expect(formErrors(forbidden, FIELDS).form).toMatch(/org:manage/);
    expect(formErrors(new NetworkError(new TypeError()), FIELDS).form).toMatch(/Could not reach/);
    expect(formErrors(null, FIELDS)).toEqual({ fields: {}, form: null });
  });
});

/** Turning an API error into what a form shows: messages per field, and the rest. */

import { useCallback, useEffect, useState, type RefObject } from 'react';
import { ApiError, asSentence, describeError, type FieldErrors } from '../api/errors.ts';

export interface FormErrors<F extends string> {
  fields: Partial<Record<F, string[]>>;
  /** Shown above the form: errors that are about no field of it. */
  form: string | null;
}

/**
 * Split `error` over the form's `fields`.
 *
 * Field errors come from `details.fields` (marshmallow); service-level validation errors
 * carry only a stable `code`, which `codeToField` maps to the field it is about.
 */
export function formErrors<F extends string>(
  error: unknown,
  fields: readonly F[],
  codeToField: Partial<Record<string, F>> = {},
): FormErrors<F> {
  const result: FormErrors<F> = { fields: {}, form: null };
  if (!error) return result;
  if (!(error instanceof ApiError)) {
    result.form = describeError(error);
    return result;
  }
  const known = new Set<string>(fields);
  const byField: FieldErrors = error.fieldErrors;
  const leftover: string[] = [];
  for (const [path, messages] of Object.entries(byField)) {
    const field = path.split('.')[0]!;
    if (known.has(field)) {
      (result.fields[field as F] ??= []).push(...messages);
    } else {
      leftover.push(`${path}: ${messages.join(' ')}`);
    }
  }
  const mapped = codeToField[error.code];
  if (mapped && Object.keys(byField).length === 0) {
    result.fields[mapped] = [asSentence(error.message)];
  } else if (Object.keys(byField).length === 0) {
    result.form = describeError(error);
  } else if (leftover.length > 0) {
    result.form = leftover.join('\n');
  }
  return result;
}

/**
 * After a refused submit, move focus to the first invalid control of the form, so that
 * keyboard and screen reader users land on what needs fixing.
 */
export function useFocusFirstInvalid(form: RefObject<HTMLFormElement | null>, error: unknown): void {
  useEffect(() => {
    if (!error) return;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [form, error]);
}

/**
 * `formErrors` for a form being edited: a field's server error disappears as soon as the
 * person changes that field (call `edited(field)` from its onChange), and all come back
 * with the next refused submit.
 */
export function useServerErrors<F extends string>(
  error: unknown,
  fields: readonly F[],
  codeToField: Partial<Record<string, F>> = {},
): FormErrors<F> & { edited: (field: F) => void } {
  const [edited, setEdited] = useState<ReadonlySet<F>>(() => new Set());
  const [seen, setSeen] = useState(error);
  if (seen !== error) {
    // A new answer from the server: show all of its errors again.
    setSeen(error);
    setEdited(new Set());
  }
  const errors = formErrors(error, fields, codeToField);
  const visible: Partial<Record<F, string[]>> = {};
  for (const field of fields) {
    const messages = errors.fields[field];
    if (messages && !edited.has(field)) visible[field] = messages;
  }
  const markEdited = useCallback(
    (field: F) => setEdited((current) => (current.has(field) ? current : new Set(current).add(field))),
    [],
  );
  return { fields: visible, form: errors.form, edited: markEdited };
}

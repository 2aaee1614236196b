/**
 * What the app checks of a new password before sending it. The server's policy
 * (blueprints/auth/services/passwords.py) is the judge: 12 to 256 characters, not a
 * common password or one with a short suffix, no repeated pattern, not built on the
 * email address. Its `weak_password` message is shown next to the field.
 */

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export const NEW_PASSWORD_HINT = `At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong password that is easy to remember.`;

/** Why `password` cannot be a new password, or null when the server should decide. */
export function newPasswordProblem(password: string): string | null {
  if (password.length === 0) return 'Choose a password.';
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `Use at least ${MIN_PASSWORD_LENGTH} characters (${password.length} so far).`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  return null;
}

/** A TOTP code as typed ("123 456", "123-456") -> "123456"; recovery codes are kept. */
export function normalizeCode(raw: string): string {
  const trimmed = raw.trim();
  const digits = trimmed.replace(/[\s-]/g, '');
  return /^\d+$/.test(digits) ? digits : trimmed;
}

import { describe, expect, it } from 'vitest';
import { newPasswordProblem, normalizeCode } from './passwords.ts';

describe('new passwords', () => {
  it('asks for 12 to 256 characters and leaves the rest to the server', () => {
    expect(newPasswordProblem('')).toBe('Choose a password.');
    expect(newPasswordProblem('short pass')).toBe('Use at least 12 characters (10 so far).');
    expect(newPasswordProblem('x'.repeat(257))).toBe('Use at most 256 characters.');
    expect(newPasswordProblem('correct horse battery')).toBeNull();
  });

  it('reads a code as people type it', () => {
    expect(normalizeCode(' 123 456 ')).toBe('123456');
    expect(normalizeCode('123-456')).toBe('123456');
    expect(normalizeCode('abcd-efgh-ijkl-mnop')).toBe('abcd-efgh-ijkl-mnop');
  });
});

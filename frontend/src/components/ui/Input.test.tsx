import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Input } from './Input.tsx';
import { Select } from './Select.tsx';

describe('form controls', () => {
  it('link the hint to the control', () => {
    render(<Input label="Sender email" hint="Use a verified domain." />);
    const input = screen.getByLabelText('Sender email');
    expect(input.getAttribute('aria-invalid')).toBeNull();
    const hint = document.getElementById(input.getAttribute('aria-describedby')!);
    expect(hint?.textContent).toBe('Use a verified domain.');
  });

  it('replace the hint with the first error and mark the control invalid', () => {
    render(<Input label="Name" hint="Shown when valid." error={['Too long.', 'Other.']} />);
    const input = screen.getByLabelText('Name');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const error = document.getElementById(input.getAttribute('aria-describedby')!);
    expect(error?.textContent).toBe('Too long.');
    expect(screen.queryByText('Shown when valid.')).toBeNull();
  });

  it('label a select and list its options', () => {
    render(
      <Select
        label="Role"
        options={[
          { value: 'owner', label: 'Owner' },
          { value: 'analyst', label: 'Analyst' },
        ]}
        defaultValue="analyst"
        error="Must be one of: owner."
      />,
    );
    const select = screen.getByLabelText('Role') as HTMLSelectElement;
    expect(select.value).toBe('analyst');
    expect(Array.from(select.options).map((option) => option.text)).toEqual(['Owner', 'Analyst']);
    expect(select.getAttribute('aria-invalid')).toBe('true');
  });
});

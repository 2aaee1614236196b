import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, json } from '../../../test/http.ts';
import { renderScreen } from '../testing.tsx';
import ImportWizard from './ImportWizard.tsx';

const MESSY =
  '\ufeffE-Mail;Vorname;Nachname;Tarif;Notes\nann@x.example;Ann;Lee;pro;"likes ""hiking""; \nand more"\nnot-an-email;Zed;;team;\n';

describe('ImportWizard', () => {
  it('previews the columns, lets them be matched, and starts the import with the mapping', async () => {
    const user = userEvent.setup();
    const { fetchMock } = fakeApi({
      'GET /api/v1/contacts/fields': json(200, [{ id: 1, name: 'plan', label: 'Plan', type: 'text', created_at: '2026-01-01T00:00:00Z' }]),
      'GET /api/v1/groups': json(200, {
        items: [{ id: 4, name: 'Newsletter', description: null, contact_count: 2, created_at: '2026-01-01T00:00:00Z' }],
        next_cursor: null,
      }),
      'POST /api/v1/contacts/imports': json(202, { id: 12, status: 'pending' }),
      'GET /api/v1/contacts/imports/12': json(200, { id: 12, status: 'running', progress: 10, processed_rows: 1, filename: 'messy.csv' }),
    });
    const { location } = renderScreen(<ImportWizard />, { path: '/import' });

    await user.upload(screen.getByLabelText('File to import'), new File([MESSY], 'messy.csv', { type: 'text/csv' }));
    expect(await screen.findByTestId('chosen-file')).toHaveProperty('textContent', 'messy.csv');
    await user.click(screen.getByRole('button', { name: 'Next: match columns' }));

    expect(screen.getByText(/Read as CSV \(UTF-8, semicolon-separated\)/)).toBeTruthy();
    const rows = screen.getAllByTestId('mapping-row');
    expect(rows.map((row) => within(row).getByRole('combobox').getAttribute('aria-invalid'))).toHaveLength(5);
    const value = (index: number) => (within(rows[index]!).getByRole('combobox') as HTMLSelectElement).value;
    expect([0, 1, 2, 3, 4].map(value)).toEqual(['builtin:email', 'builtin:first_name', 'builtin:last_name', 'ignore', 'ignore']);
    // The first values come from the file, quoted line breaks and all.
    expect(rows[0]!.textContent).toContain('not-an-email');
    // "Tarif" is the plan: chosen by hand.
    await user.selectOptions(within(rows[3]!).getByRole('combobox'), 'attribute:plan');
    expect(value(3)).toBe('attribute:plan');
    expect(screen.getByText('4 of 5 columns')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Next: options' }));

    await user.click(screen.getByRole('radio', { name: /Add to an existing group/ }));
    await user.click(screen.getByRole('radio', { name: /Only add new contacts/ }));
    await user.click(screen.getByRole('button', { name: 'Import contacts' }));
    await waitFor(() => expect(location.history?.at(-1)).toBe('/contacts/imports/12'));

    const call = fetchMock.mock.calls.find(([url, init]) => String(url) === '/api/v1/contacts/imports' && init?.method === 'POST')!;
    const form = call[1]!.body as FormData;
    expect((form.get('file') as File).name).toBe('messy.csv');
    expect(form.get('mode')).toBe('create');
    expect(form.get('group_id')).toBe('4');
    expect(form.get('create_fields')).toBe('false');
    expect(JSON.parse(form.get('mapping') as string)).toEqual({
      email: 'E-Mail',
      first_name: 'Vorname',
      last_name: 'Nachname',
      plan: 'Tarif',
    });
  });

  it('says when a file has no column of addresses', async () => {
    const user = userEvent.setup();
    fakeApi({ 'GET /api/v1/contacts/fields': json(200, []), 'GET /api/v1/groups': json(200, { items: [], next_cursor: null }) });
    renderScreen(<ImportWizard />, { path: '/import' });
    await user.upload(screen.getByLabelText('File to import'), new File(['Name,Phone\nAnn,123\n'], 'people.csv', { type: 'text/csv' }));
    await user.click(await screen.findByRole('button', { name: 'Next: match columns' }));
    expect(screen.getByText('Choose the column that holds the email addresses.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Next: options' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

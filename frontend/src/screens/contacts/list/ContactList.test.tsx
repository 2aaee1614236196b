import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Contact } from '../../../api/contacts.ts';
import { fakeApi, json, type Recorded } from '../../../test/http.ts';
import { renderScreen } from '../testing.tsx';
import { ContactList, filtersFromSearch, searchFromFilters } from './ContactList.tsx';
import { shouldLoadMore } from './VirtualContactTable.tsx';

function contact(id: number, extra: Partial<Contact> = {}): Contact {
  return {
    id,
    email: `person${id}@x.example`,
    first_name: `Person ${id}`,
    last_name: null,
    attributes: {},
    status: 'subscribed',
    source: 'import',
    consent_at: null,
    consent_ip: null,
    group_ids: [1],
    created_at: '2026-03-01T10:00:00+00:00',
    updated_at: '2026-03-01T10:00:00+00:00',
    ...extra,
  };
}

const query = (request: Recorded) => new URL(request.url, 'http://x').searchParams;

describe('ContactList', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('renders only the rows in view of a long list and filters through the URL', async () => {
    const user = userEvent.setup();
    // jsdom lays nothing out: give the scrolling region the size of a screen.
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(1000);
    const { requests } = fakeApi({
      'GET /api/v1/contacts': (request) => {
        const q = query(request).get('q');
        if (q) return json(200, { items: [contact(7, { email: 'zed@x.example', first_name: 'Zed' })], next_cursor: null });
        return json(200, { items: Array.from({ length: 100 }, (_, index) => contact(5000 - index)), next_cursor: 'WzQ5MDFd' });
      },
      'GET /api/v1/contacts/count': (request) => json(200, { count: query(request).get('q') ? 1 : 5000 }),
      'GET /api/v1/groups': json(200, {
        items: [{ id: 1, name: 'Newsletter', description: null, contact_count: 5000, created_at: '2026-01-01' }],
        next_cursor: null,
      }),
      'GET /api/v1/segments': json(200, { items: [], next_cursor: null }),
    });
    const { location } = renderScreen(<ContactList />);
    const table = await screen.findByRole('table', { name: 'Contacts' });
    await waitFor(() => expect(screen.getByTestId('contacts-count').textContent).toBe('5,000 contacts'));
    const rendered = within(table).getAllByRole('row').length - 1;
    // 100 loaded, a screenful (plus a margin) in the DOM.
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(40);
    expect(table.getAttribute('aria-rowcount')).toBe('5001');
    expect(screen.getByTestId('contacts-loaded').textContent).toBe('100 of 5,000 loaded');
    expect(within(table).getAllByText('Newsletter').length).toBeGreaterThan(0);

    await user.type(screen.getByLabelText('Search'), 'zed');
    await waitFor(() => expect(location.history?.at(-1)).toBe('/contacts?q=zed'));
    expect(await screen.findByRole('link', { name: 'zed@x.example' })).toBeTruthy();
    expect(screen.getByTestId('contacts-count').textContent).toBe('1 contact match');
    // One search for the whole word, not one per keystroke.
    expect(
      requests
        .filter((request) => request.path === '/api/v1/contacts' && query(request).get('q'))
        .map((request) => query(request).get('q')),
    ).toEqual(['zed']);

    await user.selectOptions(screen.getByLabelText('Status'), 'bounced');
    expect(location.history?.at(-1)).toBe('/contacts?q=zed&status=bounced');
  });

  it('keeps the filters in the query string', () => {
    expect(filtersFromSearch('q=%20ann%20&status=bounced&group=3&segment=x')).toEqual({ q: 'ann', status: 'bounced', group_id: 3 });
    expect(filtersFromSearch('status=nonsense&group=-1')).toEqual({});
    expect(searchFromFilters({ q: 'a b', segment_id: 2 })).toBe('?q=a+b&segment=2');
    expect(searchFromFilters({})).toBe('');
  });

  it('asks for the next page as the end of what is loaded comes into view', () => {
    expect(shouldLoadMore(60, 100, true, false)).toBe(false);
    expect(shouldLoadMore(70, 100, true, false)).toBe(true);
    expect(shouldLoadMore(99, 100, true, true)).toBe(false);
    expect(shouldLoadMore(99, 100, false, false)).toBe(false);
  });
});

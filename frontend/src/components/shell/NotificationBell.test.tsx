import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NOTIFICATIONS_POLL_MS, type AppNotification } from '../../api/notifications.ts';
import { fakeApi, json } from '../../test/http.ts';
import { renderApp } from '../../test/render.tsx';
import { EMPTY_PAGE, ORG, authState } from '../../test/session.ts';

function notification(id: number, overrides: Partial<AppNotification> = {}): AppNotification {
  return {
    id,
    type: 'domain.verified',
    title: `news${id}.acme.example.com is verified`,
    body: 'Every record was found.',
    link: `/domains/${id}`,
    subject_type: 'sending_domain',
    subject_id: id,
    read_at: null,
    created_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    ...overrides,
  };
}

function setVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  // Browsers fire it at the document, from where it bubbles to window.
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
}

afterEach(() => {
  setVisibility('visible');
});

describe('notification bell', () => {
  it('shows the unread count; opening one marks it read and follows its link; all can be marked read', async () => {
    const user = userEvent.setup();
    let items = [notification(2), notification(1, { link: null, title: 'Spam complaints are too high' })];
    const unread = () => items.filter((item) => item.read_at === null).length;
    const { requests } = fakeApi({
      'GET /api/v1/auth/me': json(200, authState('owner')),
      'GET /api/v1/organization': json(200, ORG),
      'GET /api/v1/members': json(200, EMPTY_PAGE),
      'GET /api/v1/invitations': json(200, EMPTY_PAGE),
      'GET /api/v1/domains/2': json(404, { code: 'not_found', message: 'domain not found', details: {} }),
      'GET /api/v1/notifications': () => json(200, { items, next_cursor: null, unread_count: unread() }),
      'POST /api/v1/notifications/2/read': () => {
        items = items.map((item) => (item.id === 2 ? { ...item, read_at: new Date().toISOString() } : item));
        return json(200, items[0]);
      },
      'POST /api/v1/notifications/read-all': () => {
        const marked = unread();
        items = items.map((item) => ({ ...item, read_at: item.read_at ?? new Date().toISOString() }));
        return json(200, { marked });
      },
    });
    const { location } = renderApp('/team');

    const bell = await screen.findByRole('button', { name: 'Notifications, 2 unread' });
    expect(screen.getByTestId('unread-count').textContent).toBe('2');
    await user.click(bell);
    const panel = screen.getByRole('dialog', { name: 'Notifications' });
    expect(document.activeElement).toBe(panel);
    const list = within(panel).getByRole('list', { name: 'Latest notifications' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(within(list).getAllByText('5 minutes ago')).toHaveLength(2);

    await user.click(within(list).getByRole('link', { name: /news2\.acme\.example\.com is verified/ }));
    expect(location.history?.at(-1)).toBe('/domains/2');
    expect(screen.queryByRole('dialog', { name: 'Notifications' })).toBeNull();
    await waitFor(() => expect(screen.getByRole('button', { name: 'Notifications, 1 unread' })).toBeTruthy());

    await user.click(screen.getByRole('button', { name: 'Notifications, 1 unread' }));
    await user.click(within(screen.getByRole('dialog', { name: 'Notifications' })).getByRole('button', { name: 'Mark all read' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Notifications' })).toBeTruthy());
    expect(screen.queryByTestId('unread-count')).toBeNull();
    expect(requests.filter((request) => request.method === 'POST').map((request) => request.path)).toEqual([
      '/api/v1/notifications/2/read',
      '/api/v1/notifications/read-all',
    ]);

    // Escape closes the panel and gives focus back to the bell.
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog', { name: 'Notifications' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Notifications' }));
  });

  it('polls while the tab is visible, pauses while it is hidden, and catches up on return', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let unread = 0;
    const { requests } = fakeApi({
      'GET /api/v1/auth/me': json(200, authState('owner')),
      'GET /api/v1/organization': json(200, ORG),
      'GET /api/v1/members': json(200, EMPTY_PAGE),
      'GET /api/v1/invitations': json(200, EMPTY_PAGE),
      'GET /api/v1/notifications': () =>
        json(200, { items: unread ? [notification(1)] : [], next_cursor: null, unread_count: unread }),
    });
    renderApp('/team');
    await screen.findByRole('button', { name: 'Notifications' });
    const polls = () => requests.filter((request) => request.path === '/api/v1/notifications').length;
    expect(polls()).toBe(1);

    unread = 1;
    await act(() => vi.advanceTimersByTimeAsync(NOTIFICATIONS_POLL_MS + 100));
    expect(polls()).toBe(2);
    expect(await screen.findByRole('button', { name: 'Notifications, 1 unread' })).toBeTruthy();

    setVisibility('hidden');
    unread = 3;
    await act(() => vi.advanceTimersByTimeAsync(NOTIFICATIONS_POLL_MS * 3));
    expect(polls()).toBe(2);

    await act(async () => setVisibility('visible'));
    await waitFor(() => expect(polls()).toBe(3));
    expect(await screen.findByRole('button', { name: 'Notifications, 3 unread' })).toBeTruthy();
  });
});

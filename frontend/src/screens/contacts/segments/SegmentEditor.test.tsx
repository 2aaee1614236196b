import { act, fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, json } from '../../../test/http.ts';
import { renderScreen } from '../testing.tsx';
import SegmentEditor, { COUNT_DEBOUNCE_MS } from './SegmentEditor.tsx';

async function settle(ms: number) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
  for (let round = 0; round < 5; round++) {
    await act(async () => {
      await vi.advanceTimersByTimeAsync(0);
    });
  }
}

describe('SegmentEditor', () => {
  it('counts the rules as they are built, once editing pauses', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: false });
    const { requests } = fakeApi({
      'GET /api/v1/contacts/fields': json(200, [
        { id: 1, name: 'score', label: 'Score', type: 'number', created_at: '2026-01-01T00:00:00Z' },
      ]),
      'GET /api/v1/groups': json(200, {
        items: [{ id: 7, name: 'VIP', description: null, contact_count: 3, created_at: '2026-01-01T00:00:00Z' }],
        next_cursor: null,
      }),
      'GET /api/v1/contacts/count': json(200, { count: 40 }),
      'GET /api/v1/contacts': json(200, { items: [], next_cursor: null }),
      'POST /api/v1/segments/count': json(200, { count: 2 }),
      'POST /api/v1/segments/preview': json(200, { items: [], next_cursor: null }),
    });
    renderScreen(<SegmentEditor id={null} />, { path: '/segments/new' });
    await settle(COUNT_DEBOUNCE_MS);
    // No rule yet: everyone.
    expect(screen.getByTestId('segment-count').textContent).toBe('40');

    fireEvent.click(screen.getByRole('button', { name: 'Add condition' }));
    fireEvent.change(screen.getByLabelText('Field of condition 1'), { target: { value: 'group' } });
    fireEvent.change(screen.getByLabelText('Value of condition 1'), { target: { value: '7' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add condition' }));
    fireEvent.change(screen.getByLabelText('Field of condition 2'), { target: { value: 'attributes.score' } });
    fireEvent.change(screen.getByLabelText('Operator of condition 2'), { target: { value: 'gt' } });
    fireEvent.change(screen.getByLabelText('Value of condition 2'), { target: { value: '5' } });
    await settle(COUNT_DEBOUNCE_MS);

    const counts = requests.filter((request) => request.path === '/api/v1/segments/count');
    // Typing was one burst: one count for the finished rules (none for the half-typed ones).
    expect(counts).toHaveLength(1);
    expect(counts.at(-1)!.body).toEqual({
      definition: {
        and: [
          { field: 'group', op: 'eq', value: 7 },
          { field: 'attributes.score', op: 'gt', value: 5 },
        ],
      },
    });
    expect(screen.getByTestId('segment-count').textContent).toBe('2');
  });
});

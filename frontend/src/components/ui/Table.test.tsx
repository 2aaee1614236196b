import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { DataTable, type Column } from './Table.tsx';

interface Row {
  id: number;
  email: string;
}

const COLUMNS: Column<Row>[] = [
  { id: 'email', header: 'Email', cell: (row) => row.email },
  { id: 'actions', header: 'Actions', srOnlyHeader: true, cell: () => 'Revoke' },
];

const rows = (count: number): Row[] =>
  Array.from({ length: count }, (_, index) => ({ id: index + 1, email: `p${index + 1}@x.com` }));

describe('DataTable', () => {
  it('renders rows under a captioned table and loads more on request', async () => {
    const user = userEvent.setup();
    const onLoadMore = vi.fn();
    render(
      <DataTable
        caption="People"
        columns={COLUMNS}
        rows={rows(3)}
        rowKey={(row) => row.id}
        hasMore
        onLoadMore={onLoadMore}
        itemLabel={{ one: 'person', other: 'people' }}
      />,
    );
    const table = screen.getByRole('table', { name: 'People' });
    expect(within(table).getAllByRole('row')).toHaveLength(4); // header + 3
    expect(within(table).getByRole('columnheader', { name: 'Actions' })).toBeTruthy();
    expect(screen.getByText('3 people shown')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(onLoadMore).toHaveBeenCalledOnce();
  });

  it('offers no "load more" on the last page and counts in the singular', () => {
    render(
      <DataTable caption="People" columns={COLUMNS} rows={rows(1)} rowKey={(row) => row.id} itemLabel={{ one: 'person', other: 'people' }} />,
    );
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(screen.getByText('1 person')).toBeTruthy();
  });

  it('shows skeleton rows while loading and the empty state when there is nothing', () => {
    const { rerender } = render(
      <DataTable caption="People" columns={COLUMNS} rows={[]} rowKey={(row) => row.id} loading empty={<p>Nobody yet</p>} />,
    );
    expect(screen.getByRole('table').getAttribute('aria-busy')).toBe('true');
    expect(screen.queryByText('Nobody yet')).toBeNull();

    rerender(<DataTable caption="People" columns={COLUMNS} rows={[]} rowKey={(row) => row.id} empty={<p>Nobody yet</p>} />);
    expect(screen.getByText('Nobody yet')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('disables "load more" while the next page is loading', () => {
    render(<DataTable caption="People" columns={COLUMNS} rows={rows(2)} rowKey={(row) => row.id} hasMore onLoadMore={() => {}} loadingMore />);
    const button = screen.getByRole('button', { name: 'Load more' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.getAttribute('aria-busy')).toBe('true');
  });
});

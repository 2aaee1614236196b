import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TimeSeriesChart } from './TimeSeriesChart.tsx';

const DATA = [
  { day: '2026-11-01', sent: 1200, opens: 300 },
  { day: '2026-11-02', sent: 0, opens: 45 },
  { day: '2026-11-03', sent: 800, opens: 210 },
];
const SERIES = [
  { key: 'sent', label: 'Sent', color: '#4f46e5' },
  { key: 'opens', label: 'Opens', color: '#059669' },
];

function renderChart() {
  return render(<TimeSeriesChart title="Sends and opens" data={DATA} xKey="day" series={SERIES} granularity="day" />);
}

describe('TimeSeriesChart', () => {
  it('draws one line per series and offers the numbers as a table', () => {
    const { container } = renderChart();
    expect(screen.getByRole('img', { name: 'Sends and opens' })).toBeTruthy();
    expect(container.querySelectorAll('path[stroke="#4f46e5"], path[stroke="#059669"]')).toHaveLength(2);
    const table = screen.getByRole('table', { name: 'Sends and opens' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(4);
    expect(within(rows[1]!).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['1,200', '300']);
    expect(within(rows[1]!).getByRole('rowheader').textContent).toBe('Nov 1');
  });

  it('moves a highlighted point with the arrow keys and names its values', () => {
    renderChart();
    const chart = screen.getByRole('img', { name: 'Sends and opens' });
    fireEvent.keyDown(chart, { key: 'ArrowRight' });
    expect(screen.getByRole('status').textContent).toContain('Nov 1');
    fireEvent.keyDown(chart, { key: 'End' });
    const tooltip = screen.getByRole('status');
    expect(tooltip.textContent).toContain('Nov 3');
    expect(tooltip.textContent).toContain('Sent: 800');
    fireEvent.keyDown(chart, { key: 'Escape' });
    expect(screen.queryByRole('status')).toBeNull();
  });
});

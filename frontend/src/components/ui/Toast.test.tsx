import { act, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ToastProvider, useToast } from './Toast.tsx';

function Trigger({ tone }: { tone: 'success' | 'error' }) {
  const toast = useToast();
  return (
    <button type="button" onClick={() => toast[tone]('Saved', 'All good.')}>
      Fire
    </button>
  );
}

describe('Toast', () => {
  it('announces a success politely and an error assertively, then dismisses them', () => {
    vi.useFakeTimers();
    const { rerender } = render(
      <ToastProvider>
        <Trigger tone="success" />
      </ToastProvider>,
    );
    act(() => screen.getByRole('button', { name: 'Fire' }).click());
    expect(screen.getByRole('status').textContent).toContain('All good.');
    act(() => vi.advanceTimersByTime(5000));
    expect(screen.queryByRole('status')).toBeNull();

    rerender(
      <ToastProvider>
        <Trigger tone="error" />
      </ToastProvider>,
    );
    act(() => screen.getByRole('button', { name: 'Fire' }).click());
    expect(screen.getByRole('alert').textContent).toContain('Saved');
    act(() => screen.getByRole('button', { name: 'Dismiss' }).click());
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

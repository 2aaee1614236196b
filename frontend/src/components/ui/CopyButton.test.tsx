import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { CopyButton } from './CopyButton.tsx';

function stubClipboard(writeText: (text: string) => Promise<void>) {
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
}

describe('CopyButton', () => {
  it('copies the text and says so, then returns to its label', async () => {
    vi.useFakeTimers();
    const writeText = vi.fn(async () => {});
    stubClipboard(writeText);
    render(<CopyButton text="engagex-verification=abc" size="sm" srLabel="value" />);
    const button = screen.getByRole('button', { name: 'Copy value' });
    await act(async () => {
      fireEvent.click(button);
    });
    expect(writeText).toHaveBeenCalledWith('engagex-verification=abc');
    expect(button.textContent).toBe('Copied value');
    act(() => vi.advanceTimersByTime(2600));
    expect(button.textContent).toBe('Copy value');
  });

  it('falls back to a selection copy when the clipboard API is refused', async () => {
    stubClipboard(() => Promise.reject(new DOMException('denied', 'NotAllowedError')));
    let copied: string | null = null;
    const execCommand = vi.fn(() => {
      copied = document.querySelector('textarea')?.value ?? null;
      return true;
    });
    Object.defineProperty(document, 'execCommand', { value: execCommand, configurable: true });
    render(<CopyButton text="v=spf1 include:sendgrid.net ~all" />);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    });
    expect(execCommand).toHaveBeenCalledWith('copy');
    expect(copied).toBe('v=spf1 include:sendgrid.net ~all');
    expect(screen.getByRole('button').textContent).toBe('Copied');
    // The helper textarea is gone again.
    expect(document.querySelector('textarea')).toBeNull();
  });

  it('says when copying failed', async () => {
    stubClipboard(() => Promise.reject(new Error('no')));
    Object.defineProperty(document, 'execCommand', { value: () => false, configurable: true });
    render(<CopyButton text="x" />);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    });
    expect(screen.getByRole('button').textContent).toBe('Copy failed');
  });
});

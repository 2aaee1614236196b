import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { App } from './App.tsx';

function renderAt(path: string) {
  const { hook } = memoryLocation({ path });
  return render(
    <Router hook={hook}>
      <App />
    </Router>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('App', () => {
  it('shows the API status reported by /healthz', async () => {
    const fetchMock = vi.fn(
      async () =>
        new Response(JSON.stringify({ status: 'ok' }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    vi.stubGlobal('fetch', fetchMock);

    renderAt('/');

    expect(screen.getByRole('link', { name: 'EngageX' })).toBeTruthy();
    const status = await screen.findByTestId('api-status');
    expect(status.textContent).toBe('ok');
    expect(fetchMock).toHaveBeenCalledWith('/healthz', expect.anything());
    const docs = screen.getByRole('link', { name: /API documentation/ });
    expect(docs.getAttribute('href')).toBe('/api/docs');
  });

  it('reports the API as unavailable when /healthz fails', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('', { status: 503 })));

    renderAt('/');

    expect(await screen.findByText('Unavailable (HTTP 503)')).toBeTruthy();
  });

  it('renders the not-found view inside the app shell for unknown routes', () => {
    vi.stubGlobal('fetch', vi.fn());

    renderAt('/campaigns/123');

    expect(screen.getByRole('heading', { name: 'Page not found' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'EngageX' })).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull();
  });
});

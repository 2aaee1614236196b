/** A fake `fetch` for tests: answers by "METHOD /path" and records every request. */

import { vi } from 'vitest';

export interface Recorded {
  method: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

type Answer = { status?: number; body?: unknown; headers?: Record<string, string> };
type Handler = Answer | ((request: Recorded) => Answer);

export function json(status: number, body?: unknown, headers?: Record<string, string>): Answer {
  return { status, body, ...(headers ? { headers } : {}) };
}

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}) {
  return { code, message, details };
}

export function fakeApi(routes: Record<string, Handler>) {
  const requests: Recorded[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const path = url.split('?')[0]!;
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>));
    const request: Recorded = {
      method,
      url,
      path,
      headers,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    requests.push(request);
    const handler = routes[`${method} ${path}`];
    if (!handler) {
      return new Response(JSON.stringify(errorBody('not_found', `no route for ${method} ${path}`)), {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    const answer = typeof handler === 'function' ? handler(request) : handler;
    const status = answer.status ?? 200;
    const body = answer.body === undefined || status === 204 ? null : JSON.stringify(answer.body);
    return new Response(body, {
      status,
      headers: { 'Content-Type': 'application/json', ...(answer.headers ?? {}) },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { requests, fetchMock };
}

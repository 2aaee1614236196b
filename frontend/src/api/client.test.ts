import { describe, expect, it, vi } from 'vitest';
import { setApiKey } from '../auth/credentials.ts';
import { errorBody, fakeApi, json } from '../test/http.ts';
import { api, buildUrl, onUnauthorized } from './client.ts';
import { CSRF_ENDPOINT, CSRF_HEADER } from './csrf.ts';
import {
  ApiError,
  ConflictError,
  ForbiddenError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  UnauthorizedError,
  ValidationError,
  describeError,
  flattenFieldErrors,
} from './errors.ts';

describe('api client', () => {
  it('sends JSON under /api/v1 with the stored key as a bearer token', async () => {
    setApiKey('egx_0123456789ab_secret');
    const { requests } = fakeApi({ 'PATCH /api/v1/organization': json(200, { id: 1, name: 'Acme' }) });

    const result = await api.patch<{ name: string }>('/organization', { name: 'Acme' });

    expect(result.name).toBe('Acme');
    expect(requests[0]).toMatchObject({
      method: 'PATCH',
      url: '/api/v1/organization',
      body: { name: 'Acme' },
      headers: {
        Authorization: 'Bearer egx_0123456789ab_secret',
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
    });
    // A bearer request is not forgeable by another site: no CSRF token needed.
    expect(requests[0]!.headers[CSRF_HEADER]).toBeUndefined();
  });

  it('puts the keyset cursor in the query string and leaves empty values out', async () => {
    expect(buildUrl('/members', { limit: 25, cursor: null })).toBe('/api/v1/members?limit=25');
    expect(buildUrl('members', { limit: 25, cursor: 'eyJ9+/' })).toBe(
      '/api/v1/members?limit=25&cursor=eyJ9%2B%2F',
    );
  });

  it('returns undefined for 204 No Content', async () => {
    fakeApi({ 'DELETE /api/v1/api-keys/7': json(204) });
    await expect(api.delete('/api-keys/7')).resolves.toBeUndefined();
  });

  it.each([
    [401, UnauthorizedError],
    [403, ForbiddenError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, ValidationError],
    [400, ValidationError],
    [429, RateLimitedError],
    [500, ServerError],
    [418, ApiError],
  ])('turns HTTP %i into %o with the server message', async (status, type) => {
    fakeApi({ 'GET /api/v1/thing': json(status, errorBody('some_code', 'What happened.')) });
    const error = await api.get('/thing', { apiKey: 'k' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ status, code: 'some_code', message: 'What happened.' });
  });

  it('exposes field errors from details.fields', async () => {
    fakeApi({
      'POST /api/v1/api-keys': json(
        422,
        errorBody('validation_error', 'The request contains invalid fields.', {
          fields: { json: { name: ['Length must be between 1 and 200.'], role: ['Must be one of: owner.'] } },
        }),
      ),
    });
    const error = (await api.post('/api-keys', {}).catch((caught: unknown) => caught)) as ValidationError;
    expect(error.fieldErrors).toEqual({
      name: ['Length must be between 1 and 200.'],
      role: ['Must be one of: owner.'],
    });
  });

  it('keeps a meaningful error when the body is not the API shape', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>Bad gateway</html>', { status: 502 })));
    const error = (await api.get('/organization').catch((caught: unknown) => caught)) as ServerError;
    expect(error).toBeInstanceOf(ServerError);
    expect(error.code).toBe('http_502');
    expect(error.message).toMatch(/not available right now \(HTTP 502\)/);
  });

  it('reads Retry-After and the request id into the message shown to people', async () => {
    fakeApi({
      'GET /api/v1/slow': json(429, errorBody('rate_limited', 'Too many requests.'), { 'Retry-After': '30' }),
      'GET /api/v1/broken': json(500, errorBody('internal_error', 'An unexpected error occurred.', { request_id: 'r-42' })),
    });
    const limited = await api.get('/slow').catch((caught: unknown) => caught);
    expect((limited as RateLimitedError).retryAfterSeconds).toBe(30);
    expect(describeError(limited)).toBe('Too many requests. Try again in 30 s.');
    const broken = await api.get('/broken').catch((caught: unknown) => caught);
    expect(describeError(broken)).toBe('An unexpected error occurred. (reference r-42)');
  });

  it('throws NetworkError when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const error = await api.get('/organization').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(describeError(error)).toMatch(/Could not reach the EngageX server/);
  });

  it('tells listeners about a 401, except for a key being tried out', async () => {
    fakeApi({ 'GET /api/v1/organization': json(401, errorBody('unauthorized', 'Authentication is required.')) });
    const listener = vi.fn();
    const unsubscribe = onUnauthorized(listener);
    await api.get('/organization', { apiKey: 'candidate' }).catch(() => undefined);
    expect(listener).not.toHaveBeenCalled();
    await api.get('/organization').catch(() => undefined);
    expect(listener).toHaveBeenCalledOnce();
    unsubscribe();
  });
});

describe('CSRF on cookie sessions', () => {
  it('sends the csrf_token cookie back as a header on state-changing requests only', async () => {
    document.cookie = 'csrf_token=tok%2Fen-1; path=/';
    const { requests } = fakeApi({
      'GET /api/v1/organization': json(200, {}),
      'POST /api/v1/api-keys': json(201, {}),
    });
    await api.get('/organization');
    await api.post('/api-keys', { name: 'x', role: 'analyst' });
    expect(requests[0]!.headers[CSRF_HEADER]).toBeUndefined();
    expect(requests[1]!.headers[CSRF_HEADER]).toBe('tok/en-1');
    expect(requests[1]!.headers['Authorization']).toBeUndefined();
  });

  it('asks the token endpoint once when there is no cookie', async () => {
    const { requests } = fakeApi({
      [`GET ${CSRF_ENDPOINT}`]: json(200, { csrf_token: 'from-endpoint' }),
      'DELETE /api/v1/api-keys/1': json(204),
      'DELETE /api/v1/api-keys/2': json(204),
    });
    await api.delete('/api-keys/1');
    await api.delete('/api-keys/2');
    expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET ${CSRF_ENDPOINT}`,
      'DELETE /api/v1/api-keys/1',
      'DELETE /api/v1/api-keys/2',
    ]);
    expect(requests[2]!.headers[CSRF_HEADER]).toBe('from-endpoint');
  });

  it('sends no header when neither the cookie nor the endpoint has a token', async () => {
    const { requests } = fakeApi({ 'POST /api/v1/api-keys': json(201, {}) });
    await api.post('/api-keys', {});
    expect(requests.at(-1)!.headers[CSRF_HEADER]).toBeUndefined();
  });
});

describe('flattenFieldErrors', () => {
  it('flattens webargs locations and nested fields into dotted paths', () => {
    expect(
      flattenFieldErrors({
        json: { attributes: { plan: ['Not a string.'] }, group_ids: { 0: ['Not a valid integer.'] } },
        query: { limit: ['Too big.'] },
      }),
    ).toEqual({
      'attributes.plan': ['Not a string.'],
      'group_ids.0': ['Not a valid integer.'],
      limit: ['Too big.'],
    });
  });

  it('accepts a plain field map and schema-level errors', () => {
    expect(flattenFieldErrors({ email: 'Taken.', _schema: ['Bad object.'] })).toEqual({
      email: ['Taken.'],
      '': ['Bad object.'],
    });
    expect(flattenFieldErrors(undefined)).toEqual({});
  });
});

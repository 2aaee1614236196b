/**
 * Typed errors of the EngageX API.
 *
 * Every error response of the server is `{code, message, details}`; `errorFromResponse`
 * turns it into one of the classes below so that screens can branch with `instanceof`
 * and show `message` (already written for humans by the server).
 */

export interface ErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** Field path (`name`, `attributes.plan`, `group_ids.0`) -> messages. */
export type FieldErrors = Record<string, string[]>;

// webargs reports field errors keyed by where they were read from.
const LOCATIONS = new Set(['json', 'query', 'form', 'files', 'headers', 'cookies', 'path', 'view_args']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function collect(value: unknown, path: string, into: FieldErrors): void {
  if (typeof value === 'string') {
    (into[path] ??= []).push(value);
  } else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    (into[path] ??= []).push(...(value as string[]));
  } else if (isRecord(value)) {
    for (const [key, inner] of Object.entries(value)) {
      // marshmallow puts errors about the object itself under "_schema".
      const next = key === '_schema' ? path : path ? `${path}.${key}` : key;
      collect(inner, next, into);
    }
  }
}

/**
 * Flatten `details.fields` into `{path: messages}`.
 *
 * Accepts both the webargs shape (`{json: {name: [...]}}`) and a plain field map
 * (`{name: [...]}`) so that services can report field errors directly.
 */
export function flattenFieldErrors(fields: unknown): FieldErrors {
  const result: FieldErrors = {};
  if (!isRecord(fields)) return result;
  const keys = Object.keys(fields);
  if (keys.length > 0 && keys.every((key) => LOCATIONS.has(key))) {
    for (const key of keys) collect(fields[key], '', result);
  } else {
    collect(fields, '', result);
  }
  return result;
}

export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.details = body.details;
  }

  /** Per-field messages from `details.fields`, empty when the error is not about fields. */
  get fieldErrors(): FieldErrors {
    return flattenFieldErrors(this.details['fields']);
  }

  /** The id the server logged a 5xx under, to quote to support. */
  get requestId(): string | undefined {
    const id = this.details['request_id'];
    return typeof id === 'string' ? id : undefined;
  }
}

/** 401: no valid credentials (missing, mistyped or revoked key, expired session). */
export class UnauthorizedError extends ApiError {
  override readonly name = 'UnauthorizedError';
}

/** 403: signed in, but the role lacks the permission named in `permission`. */
export class ForbiddenError extends ApiError {
  override readonly name = 'ForbiddenError';
  get permission(): string | undefined {
    const value = this.details['permission'];
    return typeof value === 'string' ? value : undefined;
  }
}

/** 404: does not exist, or belongs to another organization (never distinguished). */
export class NotFoundError extends ApiError {
  override readonly name = 'NotFoundError';
}

/** 409: the request conflicts with the current state (a taken name, a sent campaign). */
export class ConflictError extends ApiError {
  override readonly name = 'ConflictError';
}

/** 400/422: the input was refused; see `fieldErrors`. */
export class ValidationError extends ApiError {
  override readonly name = 'ValidationError';
}

/** 429: too many requests; `retryAfterSeconds` from the Retry-After header when sent. */
export class RateLimitedError extends ApiError {
  override readonly name = 'RateLimitedError';
  readonly retryAfterSeconds: number | undefined;
  constructor(status: number, body: ErrorBody, retryAfterSeconds?: number) {
    super(status, body);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 5xx: the server failed; the message is generic, `requestId` identifies the log line. */
export class ServerError extends ApiError {
  override readonly name = 'ServerError';
}

/** The request never got an HTTP answer (offline, DNS, connection reset). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(cause: unknown) {
    super('Could not reach the EngageX server. Check your connection and try again.', {
      cause,
    });
  }
}

function parseBody(status: number, body: unknown): ErrorBody {
  if (isRecord(body) && typeof body['code'] === 'string' && typeof body['message'] === 'string') {
    return {
      code: body['code'],
      message: body['message'],
      details: isRecord(body['details']) ? body['details'] : {},
    };
  }
  // Not our JSON (a proxy's HTML page, an empty 502): keep the status meaningful.
  return {
    code: `http_${status}`,
    message:
      status >= 500
        ? `The server is not available right now (HTTP ${status}). Try again in a moment.`
        : `The request failed (HTTP ${status}).`,
    details: {},
  };
}

/** The typed error for an HTTP error status and its (possibly non-JSON) body. */
export function errorFromResponse(status: number, body: unknown, headers?: Headers): ApiError {
  const parsed = parseBody(status, body);
  if (status === 401) return new UnauthorizedError(status, parsed);
  if (status === 403) return new ForbiddenError(status, parsed);
  if (status === 404) return new NotFoundError(status, parsed);
  if (status === 409) return new ConflictError(status, parsed);
  if (status === 400 || status === 422) return new ValidationError(status, parsed);
  if (status === 429) {
    const retry = Number(headers?.get('Retry-After'));
    return new RateLimitedError(status, parsed, Number.isFinite(retry) && retry > 0 ? retry : undefined);
  }
  if (status >= 500) return new ServerError(status, parsed);
  return new ApiError(status, parsed);
}

/**
 * A server message as a sentence: services write them in lower case without a full stop
 * ("the code is not valid"), which reads as a fragment on its own in the UI.
 */
export function asSentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

/** A sentence to show a person for any error a screen may catch. */
export function describeError(error: unknown): string {
  if (error instanceof ForbiddenError) {
    return `You don't have permission to do this: ${error.message}.`;
  }
  if (error instanceof RateLimitedError && error.retryAfterSeconds) {
    return `${error.message} Try again in ${error.retryAfterSeconds} s.`;
  }
  if (error instanceof ServerError && error.requestId) {
    return `${error.message} (reference ${error.requestId})`;
  }
  if (error instanceof ApiError) return asSentence(error.message);
  if (error instanceof NetworkError) return error.message;
  return 'Something went wrong. Reload the page and try again.';
}

/**
 * The one way the console talks to CitySOC: POST /graphql with the session's bearer token.
 * GraphQL answers 200 with `errors`; react-admin's auth and notification flow reads HTTP-like
 * statuses, so each error code becomes one (UNAUTHENTICATED → 401, FORBIDDEN → 403, ...).
 */
import { HttpError } from 'ra-core';
import { session } from '../auth/session';

/** What the server says about a bad query: where and what it expected (QUERY_SYNTAX, QUERY_FIELD). */
export interface ApiErrorBody {
  readonly code: string;
  readonly position?: number;
  readonly expected?: string;
  readonly found?: string;
  readonly field?: string;
}

const STATUS: Readonly<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  PASSWORD_CHANGE_REQUIRED: 428,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INPUT_INVALID: 400,
  QUERY_SYNTAX: 400,
  QUERY_FIELD: 400,
  LIMIT_EXCEEDED: 400,
  RATE_LIMITED: 429,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  STORE_FAILURE: 503,
  INTERNAL: 500,
};

export function statusOf(code: string): number {
  return STATUS[code] ?? 500;
}

interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; position?: number; expected?: string; found?: string; field?: string };
}

export class ApiError extends HttpError {
  constructor(
    message: string,
    readonly code: string,
    readonly details: ApiErrorBody,
  ) {
    super(message, statusOf(code), details);
    // HttpError's constructor pins its own prototype, which would make every ApiError a plain HttpError.
    Object.setPrototypeOf(this, ApiError.prototype);
    this.name = 'ApiError';
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Runs one GraphQL document; resolves with `data`, rejects with an ApiError carrying the first error's code. */
export async function graphql<T>(document: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  const token = session.token();
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: document, variables }),
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError('the server cannot be reached', 'UNAVAILABLE', { code: 'UNAVAILABLE' });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(`the answer (${res.status}) was cut off: ${(e as Error).message}`, 'UNAVAILABLE', { code: 'UNAVAILABLE' });
  }
  let body: { data?: T; errors?: GraphQLErrorShape[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    const code = res.status >= 500 ? 'UNAVAILABLE' : 'INTERNAL';
    throw new ApiError(`the server answered ${res.status} without JSON (${text.length} bytes: ${JSON.stringify(text.slice(0, 120))})`, code, { code });
  }
  const first = body.errors?.[0];
  if (first) {
    const x = first.extensions ?? {};
    const code = x.code ?? (res.status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL');
    throw new ApiError(first.message, code, {
      code,
      ...(x.position !== undefined ? { position: x.position } : {}),
      ...(x.expected !== undefined ? { expected: x.expected } : {}),
      ...(x.found !== undefined ? { found: x.found } : {}),
      ...(x.field !== undefined ? { field: x.field } : {}),
    });
  }
  if (!body.data) throw new ApiError(`the server answered ${res.status} without data`, 'INTERNAL', { code: 'INTERNAL' });
  return body.data;
}

/**
 * Every error that crosses a boundary (HTTP, GraphQL, CLI) carries a stable code and a
 * message a person can act on: what was wrong, where, and what was expected.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'QUERY_SYNTAX'
  | 'QUERY_FIELD'
  | 'INPUT_INVALID'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'NOT_IMPLEMENTED'
  | 'UNAVAILABLE'
  | 'STORE_FAILURE'
  | 'PASSWORD_CHANGE_REQUIRED'
  | 'RATE_LIMITED'
  | 'LIMIT_EXCEEDED'
  | 'INTERNAL';

export class CitySocError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CitySocError';
  }
}

export class QuerySyntaxError extends CitySocError {
  constructor(
    readonly position: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super('QUERY_SYNTAX', `query syntax error at position ${position}: expected ${expected}, found ${found}`, {
      position,
      expected,
      found,
    });
    this.name = 'QuerySyntaxError';
  }
}

export function isCitySocError(e: unknown): e is CitySocError {
  return e instanceof CitySocError;
}

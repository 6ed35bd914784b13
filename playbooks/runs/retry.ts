/**
 * When a failed step is tried again: exponential backoff with a little jitter (so steps that
 * failed together do not retry in lockstep), up to a number of attempts; only failures that can
 * pass by themselves (a receiver down, a store unavailable, a timeout) are retried — a refusal
 * or a bad input fails at once, since repeating it changes nothing.
 */
import { CitySocError, isCitySocError } from '../../core/errors';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  /** 0..1: the share of each delay that is random. */
  readonly jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 2_000, maxMs: 300_000, jitter: 0.2 };

/** Delay before attempt `attempt + 1`, after `attempt` failed ones. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (1 - policy.jitter) + exp * policy.jitter * random());
}

/** A failure worth another attempt (a receiver down, a timeout): UNAVAILABLE, with what happened. */
export class TransientError extends CitySocError {
  constructor(message: string) {
    super('UNAVAILABLE', message);
    this.name = 'TransientError';
  }
}

const PERMANENT = new Set([
  'INPUT_INVALID',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHENTICATED',
  'PASSWORD_CHANGE_REQUIRED',
  'LIMIT_EXCEEDED',
  'NOT_IMPLEMENTED',
]);

export function isRetryable(e: unknown): boolean {
  if (e instanceof TransientError) return true;
  if (isCitySocError(e)) return !PERMANENT.has(e.code);
  // Anything else (a network error, a bug in a dependency) may be passing: try again.
  return true;
}

/** Inputs of actions are checked at the door's side of every caller (GraphQL, playbooks, CLI): what is wrong and where. */
import { z } from 'zod';
import { CitySocError } from '../core/errors';
import { describeIssues } from '../core/event';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, action: string): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new CitySocError('INPUT_INVALID', `${action}: ${describeIssues(r.error)}`);
  return r.data;
}

/** A user, department, rule or tag name: printable, bounded. */
export const Name = z
  .string()
  .trim()
  .min(1)
  .max(128)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'may not contain control characters');

export const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}/.test(s), 'expected an ISO 8601 time');

export const Id = z.string().min(1).max(256);

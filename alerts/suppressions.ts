/**
 * Suppressions (snoozes) of an alert key: until a time, with a reason, the alerts of that dedup
 * key stay out of the queue; new occurrences still fold into them and count. Kept in the shared
 * StateStore, so every replica's queue hides the same keys.
 */
import { createHash } from 'node:crypto';
import type { StateStore } from '../core/ports/state-store';

export const SUPPRESSIONS = 'alert-suppressions';

export interface Suppression {
  readonly id: string;
  readonly dedupKey: string;
  readonly ruleId: string;
  readonly department?: string;
  /** The alert it was made from. */
  readonly alertId: string;
  readonly reason: string;
  readonly until: string;
  readonly by: string;
  readonly at: string;
}

export function suppressionId(dedupKey: string): string {
  return createHash('sha256').update(dedupKey).digest('hex').slice(0, 40);
}

/** Suppressions still in force at `now`, oldest key first. */
export async function activeSuppressions(state: StateStore, now: Date): Promise<Suppression[]> {
  const t = now.toISOString();
  return (await state.all(SUPPRESSIONS)).map((r) => r.doc as unknown as Suppression).filter((s) => s.until > t);
}

/** Is this key suppressed at `now`? (For the alert writer's notifications and playbook triggers.) */
export async function isSuppressed(state: StateStore, dedupKey: string, now: Date): Promise<boolean> {
  const s = (await state.get(SUPPRESSIONS, suppressionId(dedupKey))) as Suppression | null;
  return s !== null && s.until > now.toISOString();
}

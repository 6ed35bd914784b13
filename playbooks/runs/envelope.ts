/**
 * What a message carries through a playbook: `msg.citysoc`, the run it belongs to. Node-RED
 * messages are plain objects, so every node downstream of a trigger sees it; a node that drops
 * it takes its message out of the run (actions then refuse to act).
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../../core/actor';
import { CitySocError } from '../../core/errors';

export interface RunEnvelope {
  readonly runId: string;
  readonly playbookId: string;
  readonly playbookName: string;
  readonly person: string;
  readonly dryRun: boolean;
  readonly department?: string;
  /** Set while a recovered run is walked again from its trigger: failed steps stay failed. */
  readonly resume?: boolean;
  /**
   * Which start of the flows the message belongs to. A deploy restarts every flow and drops the
   * messages in flight; those of an earlier epoch are no longer counted, and the engine walks
   * their runs again from the store.
   */
  readonly epoch?: number;
}

export type Message = Record<string, unknown> & { citysoc?: RunEnvelope };

export function envelopeOf(msg: Message): RunEnvelope | null {
  const e = msg.citysoc;
  return e && typeof e === 'object' && typeof e.runId === 'string' && typeof e.playbookId === 'string' ? e : null;
}

/** The actor a step acts as: the playbook, accountable to the person behind the run. */
export function playbookActor(env: RunEnvelope, step: string): Actor {
  return {
    kind: 'playbook',
    name: `playbook:${env.playbookId}`,
    roles: ['playbook'],
    person: env.person,
    run: { playbookId: env.playbookId, runId: env.runId, step },
  };
}

/**
 * The step's key in its run: the node, plus the item's position when a split node fanned the
 * message out (each item is its own step, so "once per (run, node)" holds per item).
 */
export function stepKey(nodeId: string, msg: Message): string {
  const idx: number[] = [];
  let p = msg.parts as { index?: unknown; parts?: unknown } | undefined;
  for (let depth = 0; p && typeof p === 'object' && depth < 8; depth++) {
    if (typeof p.index === 'number') idx.unshift(p.index);
    p = p.parts as typeof p;
  }
  return idx.length ? `${nodeId}#${idx.join('.')}` : nodeId;
}

/** Deterministic ids: the same trigger or the same step always gets the same id. */
export function deterministicId(prefix: string, ...parts: string[]): string {
  return `${prefix}-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24)}`;
}

/** Largest message kept in a step log entry; a larger one cannot be replayed and says so. */
export const MAX_SNAPSHOT_BYTES = 256 * 1024;

/** Keys that hold live objects (HTTP request and response of an http-in node), never data. */
const LIVE_KEYS = new Set(['req', 'res', '_msgid', '_event']);

/** A JSON copy of a message for the step log: live objects and functions left out, size bounded. */
export function snapshot(msg: Message): Message {
  const text = JSON.stringify(msg, (k, v: unknown) => (LIVE_KEYS.has(k) || typeof v === 'function' || typeof v === 'bigint' ? undefined : v));
  if (Buffer.byteLength(text) > MAX_SNAPSHOT_BYTES)
    throw new CitySocError('LIMIT_EXCEEDED', `the message is larger than ${MAX_SNAPSHOT_BYTES} bytes; a step keeps at most that much to be replayable`);
  return JSON.parse(text) as Message;
}

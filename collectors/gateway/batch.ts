/**
 * The durable write of one request's items, shared by every HTTP route: decide repeats and
 * same-id duplicates (id-ledger), check once more that the sender's credential still holds (a
 * token revoked, or its account isolated, while a large body was arriving stores nothing more),
 * publish, and say per item what happened. Counts add up exactly:
 * received = stored + deadLettered + repeats.
 */
import type { PipelineResult } from '../pipeline/types';
import type { IdDecision } from '../pipeline/id-ledger';
import type { GatewayDeps } from './admission';

export type ItemStatus = 'created' | 'duplicate' | 'repeat' | 'dead_letter';

export interface ItemOutcome {
  readonly status: ItemStatus;
  /** The id it is stored under (for a duplicate: the new one). */
  readonly id: string;
  readonly source: string;
  /** A dead letter, new or repeated. */
  readonly deadLetter: boolean;
  /** Why it is a dead letter. */
  readonly reason?: string;
  /** The id a duplicate claimed, which another event already has. */
  readonly duplicateOf?: string;
}

export interface BatchCounts {
  readonly received: number;
  /** New events, under their own id or, for duplicates, a new one. */
  readonly stored: number;
  /** Of those stored, how many claimed an id another event already had. */
  readonly duplicates: number;
  /** Items already stored before (events or dead letters): nothing new was written. */
  readonly repeats: number;
  /** New dead letters. */
  readonly deadLettered: number;
  /** Items that are events in the store now, new or repeated (the field older clients read). */
  readonly accepted: number;
}

export type BatchResult =
  | { readonly kind: 'stored'; readonly outcomes: ItemOutcome[]; readonly counts: BatchCounts }
  | { readonly kind: 'refused'; readonly status: 401 | 403; readonly code: string; readonly message: string }
  | { readonly kind: 'unavailable'; readonly message: string };

function outcomeOf(r: PipelineResult, d: IdDecision): ItemOutcome {
  const base = { id: r.event.event.id, source: r.source, deadLetter: !r.ok, ...(r.ok ? {} : { reason: r.error }) };
  if (d.kind === 'repeat') return { ...base, status: 'repeat' };
  if (!r.ok) return { ...base, status: 'dead_letter' };
  if (d.kind === 'duplicate') return { ...base, status: 'duplicate', duplicateOf: d.of };
  return { ...base, status: 'created' };
}

export function countOutcomes(outcomes: readonly ItemOutcome[]): BatchCounts {
  let stored = 0;
  let duplicates = 0;
  let repeats = 0;
  let deadLettered = 0;
  let accepted = 0;
  for (const o of outcomes) {
    if (o.status === 'repeat') repeats++;
    else if (o.status === 'dead_letter') deadLettered++;
    else stored++;
    if (o.status === 'duplicate') duplicates++;
    if (!o.deadLetter) accepted++;
  }
  return { received: outcomes.length, stored, duplicates, repeats, deadLettered, accepted };
}

export async function writeBatch(deps: GatewayDeps, results: PipelineResult[], credential: { token: string; collector: string }): Promise<BatchResult> {
  let decisions: Awaited<ReturnType<GatewayDeps['ledger']['decide']>>;
  try {
    decisions = await deps.ledger.decide(results);
  } catch (err) {
    // The duplicate check reads the store: a store that cannot answer now is a retry, not a failure of the batch.
    deps.log.error({ err, count: results.length }, 'the duplicate check could not read the store; the batch was not acknowledged');
    return {
      kind: 'unavailable',
      message: `the duplicate check could not read the event store (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); nothing was acknowledged, retry`,
    };
  }
  // The credential is checked again at the moment of the write: admission was before the body.
  const who = deps.authorize(credential.token);
  if (who !== credential.collector) {
    deps.ledger.settle(results, decisions, false);
    deps.metrics.refused(who === 'forbidden' ? 'forbidden' : 'unauthenticated');
    return who === 'forbidden'
      ? { kind: 'refused', status: 403, code: 'FORBIDDEN', message: 'this token may no longer ingest events; nothing of this request was stored' }
      : {
          kind: 'refused',
          status: 401,
          code: 'UNAUTHENTICATED',
          message: 'the token was revoked or its account isolated while the request arrived; nothing of this request was stored',
        };
  }
  try {
    await deps.publisher.publishResults(results.filter((_, i) => decisions[i]!.kind !== 'repeat'));
  } catch (err) {
    deps.ledger.settle(results, decisions, false);
    deps.log.error({ err, count: results.length }, 'the durable publish failed; the batch was not acknowledged');
    return { kind: 'unavailable', message: 'the event bus did not confirm the write; nothing was acknowledged, retry' };
  }
  const outcomes = results.map((r, i) => outcomeOf(r, decisions[i]!));
  return { kind: 'stored', outcomes, counts: countOutcomes(outcomes) };
}

/**
 * What happens to an event whose id is already taken, decided before the batch is acknowledged,
 * so that every item's answer says what was stored:
 * - same id, same content (event.original) from the same collector: an idempotent repeat (a
 *   retried batch); nothing new is published and the item is answered as a repeat. The sender is
 *   part of it: ids derived from a line are predictable, and another collector sending that line
 *   first (under another department, another time) must not make the real one a repeat that is
 *   never stored;
 * - same id, different content: a second, different event that claims the first one's id (a
 *   sender's bug, or tampering). It is stored under a new id derived from its content and flagged
 *   `citysoc.duplicate_of: <the id it claimed>`: evidence is never dropped.
 * Ids are looked up in this batch, in the ids this gateway published recently (not yet indexed
 * perhaps), then in the event store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isPlainObject } from '../../core/doc';
import type { EcsEvent } from '../../core/event';
import type { EventStore } from '../../core/ports/event-store';
import type { PipelineResult } from './types';

/** The part of the event store the ledger reads: one lookup for a batch's ids. */
export type StoredEvents = Pick<EventStore, 'getMany'>;

export type IdDecision =
  | { readonly kind: 'new' }
  | { readonly kind: 'repeat' }
  /** Published under `event.event.id` (new), flagged as a duplicate of `of`. */
  | { readonly kind: 'duplicate'; readonly of: string };

/** The content an id stands for: a hash of what was sent and of who sent it (citysoc.collector, the authenticated sender). */
export function contentFingerprint(event: EcsEvent): string {
  const original = typeof event.event.original === 'string' ? event.event.original : JSON.stringify(event);
  const collector = isPlainObject(event.citysoc) && typeof event.citysoc.collector === 'string' ? event.citysoc.collector : '';
  // Length-prefixed: no collector name and line can be cut differently into the same bytes.
  return createHash('sha256').update(`${collector.length}:${collector}\n`).update(original).digest('hex').slice(0, 24);
}

export class IdLedger {
  // Insertion-ordered: the oldest ids are forgotten first.
  private readonly recent = new Map<string, string>();
  private stored: StoredEvents | undefined;
  // Decisions run one batch at a time: two concurrent batches claiming one id must not both win.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly capacity: number,
    stored?: StoredEvents,
  ) {
    this.stored = stored;
  }

  /** Where ids older than the recent ones are looked up (the event store). */
  useStore(stored: StoredEvents): void {
    this.stored = stored;
  }

  /**
   * Decides each result and re-ids the duplicates in place; the ids of everything to publish are
   * reserved until `settle` says whether the publish held.
   */
  decide(results: PipelineResult[]): Promise<IdDecision[]> {
    const run = this.queue.then(() => this.decideNow(results));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async decideNow(results: PipelineResult[]): Promise<IdDecision[]> {
    const fps = results.map((r) => contentFingerprint(r.event));
    const known = await this.lookup(results.map((r) => r.event.event.id));
    const decisions: IdDecision[] = [];
    const batch = new Map<string, string>();
    const conflicts: number[] = [];
    results.forEach((r, i) => {
      const id = r.event.event.id;
      const fp = fps[i]!;
      const seen = batch.get(id) ?? known.get(id);
      if (seen === undefined) {
        batch.set(id, fp);
        decisions.push({ kind: 'new' });
      } else if (seen === fp) decisions.push({ kind: 'repeat' });
      else {
        conflicts.push(i);
        decisions.push({ kind: 'duplicate', of: id });
      }
    });
    if (conflicts.length > 0) {
      const newIds = conflicts.map((i) => `${results[i]!.event.event.id}~${fps[i]!.slice(0, 16)}`);
      const knownNew = await this.lookup(newIds);
      conflicts.forEach((i, k) => {
        let newId = newIds[k]!;
        const fp = fps[i]!;
        const seen = batch.get(newId) ?? knownNew.get(newId);
        if (seen === fp) {
          decisions[i] = { kind: 'repeat' };
          return;
        }
        // The derived id is taken by other content: anyone who knows what will be sent can take it
        // first, so a further derived id could be taken too; a random one cannot, and the event is
        // kept (a retry of it is then kept once more, flagged alike, rather than lost).
        if (seen !== undefined) newId = `${newId}~${randomBytes(8).toString('hex')}`;
        batch.set(newId, fp);
        const ev = results[i]!.event;
        ev.event.id = newId;
        const citysoc = isPlainObject(ev.citysoc) ? ev.citysoc : (ev.citysoc = {});
        citysoc.duplicate_of = (decisions[i] as { of: string }).of;
      });
    }
    for (const [id, fp] of batch) this.remember(id, fp);
    return decisions;
  }

  /** After the publish: a failed one releases the ids it reserved, so the sender's retry is new again. */
  settle(results: readonly PipelineResult[], decisions: readonly IdDecision[], published: boolean): void {
    if (published) return;
    results.forEach((r, i) => {
      if (decisions[i]!.kind !== 'repeat') this.recent.delete(r.event.event.id);
    });
  }

  private remember(id: string, fp: string): void {
    this.recent.delete(id);
    this.recent.set(id, fp);
    if (this.recent.size > this.capacity) this.recent.delete(this.recent.keys().next().value!);
  }

  /** Fingerprints of the ids already published or stored. */
  private async lookup(ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of ids) {
      const fp = this.recent.get(id);
      if (fp !== undefined) out.set(id, fp);
      else if (!out.has(id)) missing.push(id);
    }
    const store = this.stored;
    if (!store || missing.length === 0) return out;
    const wanted = new Set(missing);
    for (const ev of await store.getMany([...wanted])) {
      // Only what was asked for: an answer naming another id must not decide this batch.
      if (wanted.has(ev.event.id)) out.set(ev.event.id, contentFingerprint(ev));
    }
    return out;
  }
}

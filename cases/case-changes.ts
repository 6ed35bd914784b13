/**
 * Tells listeners of every case the store has just written (opened, changed in any way a case page
 * shows: status, assignment, fields, comments, tasks, observables, links, attachments; or merged),
 * so the console's live feed can refresh the case list and the case page two analysts work on.
 * A decorator of the CaseStore: every case action writes through it, and nothing is told before the
 * write resolved. Listeners run in the writer's call and must not throw into it.
 */
import type { Case } from '../core/case';
import type { CaseStore } from '../core/ports/case-store';

export const STORED_CASE_CHANGE_KINDS = ['created', 'updated', 'merged'] as const;

/**
 * A case as just stored, and what the write recorded on its timeline (`comment`, `task_added`,
 * `status`, `merged_into`, …: the actions of the entries it appended, in order; a merge's survivor
 * lists `merged_from`, not the entries it carried over from the merged case).
 */
export interface StoredCaseChange {
  readonly kind: (typeof STORED_CASE_CHANGE_KINDS)[number];
  readonly case: Case;
  readonly actions: readonly string[];
}

export interface CaseChanges {
  /** Calls `listener` after each stored change; the returned function stops it. */
  on(listener: (change: StoredCaseChange) => void): () => void;
}

const lastSeq = (c: Case | null): number => c?.timeline[c.timeline.length - 1]?.seq ?? 0;

/** The actions of the entries `after` appended to the timeline `before` ended with. */
function appended(before: number, after: Case): string[] {
  return after.timeline.filter((e) => e.seq > before && e.case === undefined).map((e) => e.action);
}

export function watchCaseStore(store: CaseStore, onError: (err: unknown) => void): { store: CaseStore; changes: CaseChanges } {
  const listeners = new Set<(change: StoredCaseChange) => void>();
  const tell = (change: StoredCaseChange) => {
    for (const l of [...listeners]) {
      try {
        l(change);
      } catch (err) {
        // A listener's fault is its own: the write it follows has succeeded.
        onError(err);
      }
    }
  };
  const watched: CaseStore = {
    async create(draft) {
      const stored = await store.create(draft);
      tell({ kind: 'created', case: stored, actions: appended(0, stored) });
      return stored;
    },
    async update(id, change, opts) {
      // The store may apply the change again after a lost race: the case it last saw is the one written over.
      let seen = null as Case | null;
      const stored = await store.update(
        id,
        (cur) => {
          seen = cur;
          return change(cur);
        },
        opts,
      );
      tell({ kind: 'updated', case: stored, actions: appended(lastSeq(seen), stored) });
      return stored;
    },
    async merge(survivorId, mergedId, steps) {
      let marked = null as Case | null;
      let absorbed = null as Case | null;
      const out = await store.merge(survivorId, mergedId, {
        mark: (m) => {
          marked = m;
          return steps.mark(m);
        },
        absorb: (s, m) => {
          absorbed = s;
          return steps.absorb(s, m);
        },
      });
      tell({ kind: 'merged', case: out.merged, actions: marked ? appended(lastSeq(marked), out.merged) : [] });
      tell({ kind: 'merged', case: out.survivor, actions: absorbed ? appended(lastSeq(absorbed), out.survivor) : [] });
      return out;
    },
    get: (id) => store.get(id),
    list: (q) => store.list(q),
    close: () => store.close(),
  };
  return {
    store: watched,
    changes: {
      on(listener) {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    },
  };
}

/**
 * Tells listeners of every run and approval the store has just written (a run started or moved on,
 * an approval asked or answered), so the console's live feed can refresh the lists they appear in.
 * A decorator of the RunStore: the engine's writes all pass through it, and nothing is told before
 * the write resolved. Listeners run in the writer's call and must not throw into it.
 */
import type { ApprovalRecord, RunRecord } from './model';
import type { RunStore } from './run-store';

export type RunChange = { readonly kind: 'run'; readonly run: RunRecord } | { readonly kind: 'approval'; readonly approval: ApprovalRecord };

export interface RunChanges {
  /** Calls `listener` after each stored change; the returned function stops it. */
  on(listener: (change: RunChange) => void): () => void;
}

export function watchRunStore(store: RunStore, onError: (err: unknown) => void): { store: RunStore; changes: RunChanges } {
  const listeners = new Set<(change: RunChange) => void>();
  const tell = (change: RunChange) => {
    for (const l of [...listeners]) {
      try {
        l(change);
      } catch (err) {
        // A listener's fault is its own: the write it follows has succeeded.
        onError(err);
      }
    }
  };
  const watched: RunStore = {
    async createRuns(batch) {
      const stored = await store.createRuns(batch);
      batch.forEach(({ run }, i) => stored[i] && tell({ kind: 'run', run }));
      return stored;
    },
    async updateRun(run) {
      await store.updateRun(run);
      tell({ kind: 'run', run });
    },
    async createApproval(a) {
      await store.createApproval(a);
      tell({ kind: 'approval', approval: a });
    },
    async answerApproval(id, answer) {
      const a = await store.answerApproval(id, answer);
      if (a) tell({ kind: 'approval', approval: a });
      return a;
    },
    getRun: (id) => store.getRun(id),
    listRuns: (q) => store.listRuns(q),
    putStep: (step) => store.putStep(step),
    getStep: (runId, key) => store.getStep(runId, key),
    listSteps: (runId) => store.listSteps(runId),
    getApproval: (id) => store.getApproval(id),
    listApprovals: (q) => store.listApprovals(q),
    unfinished: () => store.unfinished(),
    reject: (input) => store.reject(input),
    listRejected: (limit) => store.listRejected(limit),
    prune: (before) => store.prune(before),
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

/**
 * Copies a database's write-ahead log into the database file from a thread and connection of its
 * own. SQLite's automatic checkpoint runs inside whichever commit crosses the threshold, so the
 * connection that writes events paid for every copy, on the event loop (bench/embedded-store.ts
 * measured a third of its write time there). PASSIVE never waits for, nor blocks, the writer or the
 * readers; SQLite restarts the log from its beginning once a checkpoint has copied all of it.
 * The main thread imports this module for its types only; the loop starts only in a worker
 * started with CHECKPOINTER_MARK.
 */
import Database from 'better-sqlite3';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

export const CHECKPOINTER_MARK = 'citysoc-wal-checkpointer';

export interface CheckpointerData {
  readonly mark: typeof CHECKPOINTER_MARK;
  readonly file: string;
  readonly intervalMs: number;
}

export type CheckpointerRequest = { readonly type: 'close' };
export type CheckpointerReply = { readonly type: 'closed' } | { readonly type: 'failed'; readonly message: string };

function run(d: CheckpointerData): void {
  const port = parentPort!;
  const db = new Database(d.file);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (e) {
      // The owner falls back to SQLite's own checkpoints; this thread's work is over.
      clearInterval(timer);
      port.postMessage({ type: 'failed', message: (e as Error).message } satisfies CheckpointerReply);
    } finally {
      busy = false;
    }
  }, d.intervalMs);
  port.on('message', (m: CheckpointerRequest) => {
    if (m.type !== 'close') return;
    clearInterval(timer);
    if (db.open) db.close();
    port.postMessage({ type: 'closed' } satisfies CheckpointerReply);
    port.close();
  });
}

if (!isMainThread && (workerData as Partial<CheckpointerData> | null)?.mark === CHECKPOINTER_MARK) run(workerData as CheckpointerData);

/**
 * The spool's writer thread. Appending to the spool is the acknowledgement of every ingest request
 * (an fsync'd commit), so it runs here, not on the event loop that parses requests and runs the
 * consumers; and the requests that arrive while a commit is under way are committed together,
 * one fsync for all of them (group commit). Each publish is answered once its commit is on disk.
 * The main thread imports this module for the message types only; the writer itself starts only in
 * a worker started with SPOOL_WRITER_MARK.
 */
import { isMainThread, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../sqlite/database';

export const SPOOL_WRITER_MARK = 'citysoc-spool-writer';

export interface SpoolWriterData {
  readonly mark: typeof SPOOL_WRITER_MARK;
  readonly file: string;
}

/** rows: [key, value as JSON]. */
export type SpoolWriterRequest =
  | { readonly type: 'publish'; readonly id: number; readonly topic: string; readonly rows: readonly (readonly [string, string])[] }
  | { readonly type: 'close'; readonly id: number };

export type SpoolWriterReply = { readonly type: 'done'; readonly id: number } | { readonly type: 'failed'; readonly id: number; readonly message: string };

type Publish = Extract<SpoolWriterRequest, { type: 'publish' }>;

function run(d: SpoolWriterData): void {
  const port = parentPort!;
  // FULL: fsync at every commit, so "published" means on disk.
  const db = openDatabase(d.file, { synchronous: 'FULL' });
  const insert = db.prepare('INSERT INTO messages (topic, key, value, bytes) VALUES (?, ?, ?, ?)');
  const append = db.transaction((group: readonly Publish[]) => {
    for (const p of group) for (const [key, value] of p.rows) insert.run(p.topic, key, value, Buffer.byteLength(value));
  });
  const commit = (group: Publish[]) => {
    if (group.length === 0) return;
    try {
      append(group);
      for (const p of group) port.postMessage({ type: 'done', id: p.id } satisfies SpoolWriterReply);
    } catch {
      // One request's failure must not fail the others it was grouped with: each on its own.
      for (const p of group) {
        try {
          append([p]);
          port.postMessage({ type: 'done', id: p.id } satisfies SpoolWriterReply);
        } catch (e) {
          port.postMessage({ type: 'failed', id: p.id, message: (e as Error).message } satisfies SpoolWriterReply);
        }
      }
    }
  };
  port.on('message', (first: SpoolWriterRequest) => {
    // Everything already waiting joins this commit.
    const waiting: SpoolWriterRequest[] = [first];
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) waiting.push(m.message as SpoolWriterRequest);
    let group: Publish[] = [];
    for (const r of waiting) {
      if (r.type === 'publish') {
        group.push(r);
        continue;
      }
      commit(group);
      group = [];
      db.close();
      port.postMessage({ type: 'done', id: r.id } satisfies SpoolWriterReply);
      port.close();
      return;
    }
    commit(group);
  });
}

if (!isMainThread && (workerData as Partial<SpoolWriterData> | null)?.mark === SPOOL_WRITER_MARK) run(workerData as SpoolWriterData);

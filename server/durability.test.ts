/**
 * Nothing acknowledged is lost: a real `citysoc up` process is killed with SIGKILL while a
 * client streams 100,000 events; after a restart on the same data directory every event of
 * an acknowledged batch is stored, and with the client's retries every event is stored once.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { embeddedTokens, killLeftoverProcesses, startCitySoc } from './test-support/citysoc-process';

const TOTAL = 100_000;
const BATCH = 1_000;
const CLIENTS = 4;

// Recent times: the retention job at start deletes events older than 180 days.
const NOW_S = Math.floor(Date.now() / 1000);
const batchBody = (b: number) =>
  Array.from({ length: BATCH }, (_, i) => JSON.stringify({ date: NOW_S + b, seq: b * BATCH + i, message: `load event ${b * BATCH + i}` })).join('\n');

/** Sends batches from a shared queue with several clients; resolves with the batches acknowledged with 200. */
async function send(url: string, token: string, queue: number[], acked: Set<number>, onAck: (n: number) => void = () => {}): Promise<void> {
  const worker = async () => {
    for (let b = queue.shift(); b !== undefined; b = queue.shift()) {
      try {
        const res = await fetch(`${url}/ingest/v1/fluent-bit/citysoc.json.load.gen-01`, {
          method: 'POST',
          body: batchBody(b),
          headers: { authorization: `Bearer ${token}` },
        });
        const json = (await res.json()) as { accepted: number };
        if (res.status === 200 && json.accepted === BATCH) {
          acked.add(b);
          onAck(acked.size);
        } else queue.push(b);
      } catch {
        // Connection lost (the server was killed): not acknowledged, so the client keeps it.
        queue.push(b);
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, worker));
}

async function drained(url: string, monitor: string): Promise<void> {
  for (;;) {
    const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${monitor}` } })).text();
    if (/citysoc_bus_lag_messages\{[^}]*\} 0\n/.test(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function storedSeqs(dir: string): number[] {
  const db = new Database(path.join(dir, 'events.db'), { readonly: true, fileMustExist: true });
  try {
    return (
      db.prepare(`SELECT json_extract(doc, '$.json.seq') AS seq FROM events WHERE json_extract(doc, '$.citysoc.source') = 'json'`).all() as { seq: number }[]
    ).map((r) => r.seq);
  } finally {
    db.close();
  }
}

describe('kill -9 of the gateway while a client streams 100,000 events', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-kill9-'));
  afterAll(() => {
    killLeftoverProcesses();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after restart, every acknowledged event is stored, and with retries each event exactly once', async () => {
    const { collector: token, monitor } = await embeddedTokens(dir);

    const queue = Array.from({ length: TOTAL / BATCH }, (_, b) => b);
    const acked = new Set<number>();
    const first = await startCitySoc(dir);
    // Killed from the client's own acknowledgement callback, so other batches are in flight.
    let killed: Promise<void> | undefined;
    await send(first.url, token, queue, acked, (n) => void (n === 30 && (killed = first.kill())));
    await killed;
    await first.exited;
    const ackedBeforeKill = new Set(acked);
    expect(ackedBeforeKill.size).toBeGreaterThanOrEqual(30);
    expect(ackedBeforeKill.size).toBeLessThan(TOTAL / BATCH);

    const second = await startCitySoc(dir);
    await drained(second.url, monitor);
    const afterRestart = new Set(storedSeqs(dir));
    const missing = [...ackedBeforeKill].flatMap((b) => Array.from({ length: BATCH }, (_, i) => b * BATCH + i)).filter((s) => !afterRestart.has(s));
    expect(missing).toEqual([]);

    // The client retries what it did not see acknowledged, and one acknowledged batch again (a lost answer).
    queue.push([...ackedBeforeKill][0]!);
    await send(second.url, token, queue, acked);
    expect(queue).toEqual([]);
    expect(acked.size).toBe(TOTAL / BATCH);
    await drained(second.url, monitor);
    expect(await second.stop()).toBe(0);

    const seqs = storedSeqs(dir);
    expect(seqs.length).toBe(TOTAL);
    expect(new Set(seqs).size).toBe(TOTAL);
  }, 240_000);
});

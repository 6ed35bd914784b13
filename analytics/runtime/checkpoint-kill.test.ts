/**
 * Exactly-once effect of the embedded correlation with checkpoints made now and then (not with
 * every batch): the consumers run in a process of their own (test-support/consumers-main.ts),
 * killed with SIGKILL three times between two checkpoints while 12,000 sshd events of a
 * brute-force scenario go through. The bus keeps what the last checkpoint does not cover, the
 * restarted consumer evaluates those events again and publishes their signals again — Sigma and
 * correlation signals with the same ids — and the alert writer folds each id once: every alert
 * ends with exactly the count and event ids it has when nothing fails.
 */
import Database from 'better-sqlite3';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SpoolBus } from '../../adapters/embedded/spool-bus';
import { sourceByName } from '../../collectors/parsers';

const TOTAL = 12_000;
const EVERY = 1_500;
const MAIN = path.join(__dirname, 'test-support/consumers-main.ts');

/**
 * sshd failures at one host, one every 2 s of event time: in every fifth stretch of 200 events
 * one address guesses root's password (a brute force firing again and again), otherwise 40
 * addresses fail now and then; every 50th event is root logging in from that address (a Sigma
 * rule of its own, and "success after brute force" in a burst). Deterministic, with event ids as
 * the gateway gives them.
 */
function scenario(): object[] {
  const source = sourceByName('openssh')!;
  const ctx = { defaultYear: 2026, receivedAt: new Date('2026-12-01T00:00:00Z') };
  const start = Date.UTC(2026, 10, 20, 0, 0, 0);
  const out: object[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const burst = Math.floor(i / 200) % 5 === 0;
    const ip = burst ? `10.9.66.${Math.floor(i / 1000)}` : `10.9.${(i * 7) % 40}.7`;
    const t = new Date(start + i * 2000);
    const what = i % 50 === 0 ? 'Accepted password' : 'Failed password';
    const line = `Nov ${t.getUTCDate()} ${t.toISOString().slice(11, 19)} LabSZ sshd[${1000 + (i % 500)}]: ${what} for root from ${ip} port ${20000 + i} ssh2`;
    const parsed = source.parse({ kind: 'line', line }, ctx);
    if (!parsed.ok) throw new Error(`scenario line not parsed: ${line}`);
    const event = parsed.event as { event: Record<string, unknown> };
    out.push({ ...event, event: { ...event.event, id: `ev-${i}` } });
  }
  return out;
}

interface Child {
  proc: ChildProcess;
  /** The last offset of citysoc.events whose batch the detect consumer finished. */
  handled: number;
  exited: Promise<number | null>;
  onHandled: (() => void) | null;
}

function startConsumers(dir: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, dir, String(EVERY)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: Child = { proc, handled: 0, exited, onHandled: null };
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => void (err += c.toString()));
  return new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line === 'ready') resolve(child);
        const m = /^handled (\d+)$/.exec(line);
        if (m) {
          child.handled = Number(m[1]);
          child.onHandled?.();
        }
      }
    });
    void exited.then((code) => reject(new Error(`consumers exited with ${code} before they were ready:\n${err}`)));
  });
}

const until = (child: Child, cond: () => boolean): Promise<void> =>
  new Promise((resolve) => {
    if (cond()) return resolve();
    child.onHandled = () => {
      if (cond()) {
        child.onHandled = null;
        resolve();
      }
    };
  });

async function drained(bus: SpoolBus): Promise<void> {
  while ((await bus.lag('citysoc.signals', 'alerts')) > 0) await new Promise((r) => setTimeout(r, 50));
}

async function stop(child: Child): Promise<void> {
  child.proc.kill('SIGTERM');
  expect(await child.exited).toBe(0);
}

function read<T>(dir: string, file: string, f: (db: Database.Database) => T): T {
  const db = new Database(path.join(dir, file), { readonly: true, fileMustExist: true });
  try {
    return f(db);
  } finally {
    db.close();
  }
}

const alertsOf = (dir: string) =>
  read(dir, 'alerts.db', (db) => {
    const out: Record<string, { count: number; eventIds: string[] }> = {};
    for (const r of db.prepare('SELECT doc FROM alerts').all() as { doc: string }[]) {
      const a = JSON.parse(r.doc) as { dedupKey: string; firstSeen: string; count: number; eventIds: string[] };
      out[`${a.dedupKey} ${a.firstSeen}`] = { count: a.count, eventIds: [...a.eventIds].sort() };
    }
    return out;
  });

/** Signals published more than once (same id), by rule type. */
const republished = (dir: string) =>
  read(dir, 'spool.db', (db) => {
    const rows = db
      .prepare(
        "SELECT json_extract(value, '$.rule.type') AS type, count(*) - 1 AS extra FROM messages WHERE topic = 'citysoc.signals' GROUP BY json_extract(value, '$.id') HAVING count(*) > 1",
      )
      .all() as { type: string; extra: number }[];
    const out: Record<string, number> = {};
    for (const r of rows) out[r.type] = (out[r.type] ?? 0) + r.extra;
    return out;
  });

const checkpointedOffset = (dir: string): number =>
  read(dir, 'analytics.db', (db) => {
    const row = db.prepare("SELECT offsets FROM checkpoints WHERE name = 'detect'").get() as { offsets: string } | undefined;
    return row ? Number((JSON.parse(row.offsets) as Record<string, string>)['0'] ?? 0) : 0;
  });

async function published(dir: string, events: object[]): Promise<SpoolBus> {
  const bus = new SpoolBus({ file: path.join(dir, 'spool.db'), compactEveryMs: 0 });
  for (let i = 0; i < events.length; i += 1000) {
    await bus.publish(
      'citysoc.events',
      events.slice(i, i + 1000).map((e) => ({ key: (e as { source: { ip: string } }).source.ip, value: e })),
    );
  }
  return bus;
}

describe('embedded correlation checkpointed every 1,500 events, killed between checkpoints', () => {
  const dirs: string[] = [];
  const children: Child[] = [];
  afterAll(() => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('every alert has the count and event ids it has without the kills; re-published Sigma and correlation signals are folded once', async () => {
    const events = scenario();

    const calm = mkdtempSync(path.join(tmpdir(), 'citysoc-cp-calm-'));
    dirs.push(calm);
    const calmBus = await published(calm, events);
    const a = await startConsumers(calm);
    children.push(a);
    await until(a, () => a.handled >= TOTAL);
    await drained(calmBus);
    await stop(a);
    const expected = alertsOf(calm);
    expect(Object.keys(expected).filter((k) => k.includes('|10.9.66.')).length).toBeGreaterThan(3);
    expect(republished(calm)).toEqual({});
    await calmBus.close();

    const faulty = mkdtempSync(path.join(tmpdir(), 'citysoc-cp-faulty-'));
    dirs.push(faulty);
    const bus = await published(faulty, events);
    let child = await startConsumers(faulty);
    children.push(child);
    // Half way between two checkpoints (every 1,500 events, in batches of 200: at 1,600, 3,200, ...).
    for (const target of [2_300, 6_500, 9_900]) {
      await until(child, () => child.handled >= target);
      child.proc.kill('SIGKILL');
      const handled = child.handled;
      await child.exited;
      const covered = checkpointedOffset(faulty);
      // The kill fell between checkpoints: events were evaluated (and their signals published) past what the checkpoint holds.
      expect(covered).toBeLessThan(handled);
      expect(await bus.lag('citysoc.events', 'detect')).toBe(TOTAL - covered);
      child = await startConsumers(faulty);
      children.push(child);
    }
    await until(child, () => child.handled >= TOTAL);
    await drained(bus);
    await stop(child);
    expect(alertsOf(faulty)).toEqual(expected);
    // Brute force, root login, success after brute force (rules/ssh).
    expect(new Set(Object.keys(expected).map((k) => k.split('|')[0]))).toEqual(
      new Set(['ad814613-1f7e-4fdb-880b-033b3f69c4b8', '167d9478-7807-4ee7-981c-14f913d6287c', 'dfdd0101-36ec-4f05-87b0-211aaa740981']),
    );
    const again = republished(faulty);
    expect(again.sigma).toBeGreaterThan(0);
    expect(again.correlation).toBeGreaterThan(0);
    expect(await bus.lag('citysoc.events', 'detect')).toBe(0);
    await bus.close();
  }, 300_000);
});

/**
 * Exactly-once effect of analytics under faults (embedded): a real `citysoc up` is killed with
 * SIGKILL at random points while 20,000 sshd events of a brute-force scenario stream in; the
 * client resends what was not acknowledged (some of it was stored already: redeliveries). After
 * the last restart every alert has exactly the count and event ids it has when nothing fails.
 */
import Database from 'better-sqlite3';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteStateStore } from '../adapters/sqlite/state-store';
import { loadConfig } from '../core/config';
import { IdentityStore } from '../identity/store';
import { BATCH, bodyOf, post, scenario, TOTAL } from './test-support/brute-force-stream';

const ROOT = path.resolve(__dirname, '..');

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

function startServer(dir: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'test-support/citysoc-main.ts'), 'up', '--data-dir', dir, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, CITYSOC_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+) /.exec(out);
      if (m) resolve({ child, url: m[1]!, exited });
    });
    child.stderr!.on('data', (c: Buffer) => void (err += c.toString()));
    void exited.then((code) => reject(new Error(`citysoc up exited with ${code} before listening:\n${err}`)));
  });
}

async function idle(url: string, monitor: string): Promise<void> {
  for (;;) {
    const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${monitor}` } })).text();
    const lags = [...text.matchAll(/citysoc_analytics_lag_messages\{[^}]*\} (\d+)/g)].map((m) => Number(m[1]));
    const bus = [...text.matchAll(/citysoc_bus_lag_messages\{[^}]*\} (\d+)/g)].map((m) => Number(m[1]));
    if (lags.length === 2 && lags.every((n) => n === 0) && bus.every((n) => n === 0)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function alertsOf(dir: string): Record<string, { count: number; eventIds: string[] }> {
  const db = new Database(path.join(dir, 'alerts.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT doc FROM alerts').all() as { doc: string }[];
    const out: Record<string, { count: number; eventIds: string[] }> = {};
    for (const r of rows) {
      const a = JSON.parse(r.doc) as { id: string; dedupKey: string; firstSeen: string; count: number; eventIds: string[] };
      out[`${a.dedupKey} ${a.firstSeen}`] = { count: a.count, eventIds: [...a.eventIds].sort() };
    }
    return out;
  } finally {
    db.close();
  }
}

async function tokens(dir: string): Promise<{ collector: string; monitor: string }> {
  const config = loadConfig({ env: {}, overrides: { dataDir: dir } });
  const state = new SqliteStateStore(path.join(dir, 'state.db'));
  const identity = await IdentityStore.open(state, config.auth);
  const collector = (await identity.issueApiToken('loadgen', ['collector'], 'test')).token;
  const monitor = (await identity.issueApiToken('prometheus', ['monitor'], 'test')).token;
  await state.close();
  return { collector, monitor };
}

describe('analytics under kill -9 (embedded)', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('every alert has the count and event ids it has without the faults', async () => {
    const lines = scenario();
    const batches = TOTAL / BATCH;

    // Without faults.
    const calm = mkdtempSync(path.join(tmpdir(), 'citysoc-calm-'));
    dirs.push(calm);
    const calmTokens = await tokens(calm);
    const a = await startServer(calm);
    children.push(a.child);
    for (let b = 0; b < batches; b++) expect(await post(a.url, calmTokens.collector, bodyOf(lines, b))).toBe(true);
    await idle(a.url, calmTokens.monitor);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    const expected = alertsOf(calm);
    const brute = Object.keys(expected).filter((k) => k.includes('|10.9.'));
    expect(brute.length).toBeGreaterThan(3);

    // With three kills at seeded points; batches are resent in order from the first unacknowledged.
    const faulty = mkdtempSync(path.join(tmpdir(), 'citysoc-faulty-'));
    dirs.push(faulty);
    const t = await tokens(faulty);
    const killAt = new Set([7, 19, 31]);
    let server = await startServer(faulty);
    children.push(server.child);
    for (let b = 0; b < batches;) {
      if (killAt.has(b)) {
        killAt.delete(b);
        // killed while this batch is in flight: it may or may not have been stored
        const inFlight = post(server.url, t.collector, bodyOf(lines, b));
        await new Promise((r) => setTimeout(r, 15 + (b % 5) * 10));
        server.child.kill('SIGKILL');
        await inFlight;
        await server.exited;
        server = await startServer(faulty);
        children.push(server.child);
        continue; // resend batch b
      }
      if (await post(server.url, t.collector, bodyOf(lines, b))) b++;
    }
    await idle(server.url, t.monitor);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(alertsOf(faulty)).toEqual(expected);
  }, 600_000);
});

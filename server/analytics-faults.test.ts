/**
 * Exactly-once effect of analytics under faults (embedded): a real `citysoc up` is killed with
 * SIGKILL at random points while 20,000 sshd events of a brute-force scenario stream in; the
 * client resends what was not acknowledged (some of it was stored already: redeliveries). After
 * the last restart every alert has exactly the count and event ids it has when nothing fails.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { untilAnalyticsIdle } from './test-support/analytics-idle';
import { BATCH, bodyOf, post, scenario, TOTAL } from './test-support/brute-force-stream';
import { embeddedTokens, killLeftoverProcesses, startCitySoc } from './test-support/citysoc-process';

/** Detection (events) and alerting (signals): both report their lag before the process counts as idle. */
const ANALYTICS_GROUPS = 2;

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

describe('analytics under kill -9 (embedded)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    killLeftoverProcesses();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('every alert has the count and event ids it has without the faults', async () => {
    const lines = scenario();
    const batches = TOTAL / BATCH;

    // Without faults.
    const calm = mkdtempSync(path.join(tmpdir(), 'citysoc-calm-'));
    dirs.push(calm);
    const calmTokens = await embeddedTokens(calm);
    const a = await startCitySoc(calm);
    for (let b = 0; b < batches; b++) expect(await post(a.url, calmTokens.collector, bodyOf(lines, b))).toBe(true);
    await untilAnalyticsIdle([a.url], calmTokens.monitor, { analyticsGroups: ANALYTICS_GROUPS });
    expect(await a.stop()).toBe(0);
    const expected = alertsOf(calm);
    const brute = Object.keys(expected).filter((k) => k.includes('|10.9.'));
    expect(brute.length).toBeGreaterThan(3);

    // With three kills at seeded points; batches are resent in order from the first unacknowledged.
    const faulty = mkdtempSync(path.join(tmpdir(), 'citysoc-faulty-'));
    dirs.push(faulty);
    const t = await embeddedTokens(faulty);
    const killAt = new Set([7, 19, 31]);
    let server = await startCitySoc(faulty);
    for (let b = 0; b < batches;) {
      if (killAt.has(b)) {
        killAt.delete(b);
        // killed while this batch is in flight: it may or may not have been stored
        const inFlight = post(server.url, t.collector, bodyOf(lines, b));
        await new Promise((r) => setTimeout(r, 15 + (b % 5) * 10));
        await server.kill();
        await inFlight;
        server = await startCitySoc(faulty);
        continue; // resend batch b
      }
      if (await post(server.url, t.collector, bodyOf(lines, b))) b++;
    }
    await untilAnalyticsIdle([server.url], t.monitor, { analyticsGroups: ANALYTICS_GROUPS });
    expect(await server.stop()).toBe(0);
    expect(alertsOf(faulty)).toEqual(expected);
  }, 600_000);
});

/**
 * `citysoc up --demo`: the platform, started on a fresh data directory, loads a simulated city
 * through the ingest pipeline — events, alerts, UEBA entity risk and cases appear over GraphQL —
 * and a second start on the same directory adds nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedDemo } from './demo';
import { adminSession, startTestPlatform, type Running } from './test-support/harness';

jest.setTimeout(180_000);

/** Small: the scenarios start after ten ordinary days. */
const CITY = { users: 50, days: 14, seed: 7 };

interface Counts {
  events: number;
  alerts: number;
  risky: number;
  cases: number;
}

async function counts(r: Running, token: string): Promise<Counts> {
  const q = await r.gql<{ events: { total: number }; alerts: { total: number }; riskyEntities: { total: number }; cases: { total: number } }>(
    '{events(size:1){total} alerts(size:1){total} riskyEntities(size:50){total} cases(size:1){total}}',
    {},
    token,
  );
  expect(q.errors).toBeUndefined();
  return { events: q.data!.events.total, alerts: q.data!.alerts.total, risky: q.data!.riskyEntities.total, cases: q.data!.cases.total };
}

describe('up --demo', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cs-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a first start loads a simulated city with events, alerts, entity risk and cases; a second start adds nothing', async () => {
    let said = '';
    const first = await startTestPlatform(dir, true);
    let before: Counts;
    try {
      const loaded = await seedDemo(first.platform, dir, (s) => void (said += s), CITY);
      expect(loaded).not.toBeNull();
      expect(loaded!.deadLettered).toBe(0);
      expect(said).toContain('lines published');
      const token = await adminSession(first);
      before = await counts(first, token);
      // every line read is an event in the store; the admin sees them but what the policy keeps from it (涉密 data)
      expect((await first.platform.ports.events.search({ size: 1 })).total).toBe(loaded!.read);
      expect(before.events).toBeGreaterThan(0);
      expect(before.events).toBeLessThanOrEqual(loaded!.read);
      expect(before.alerts).toBe(loaded!.alerts);
      expect(before.alerts).toBeGreaterThan(0);
      expect(before.risky).toBeGreaterThan(0);
      expect(before.cases).toBe(loaded!.cases!.length);
      expect(before.cases).toBeGreaterThan(0);
      const ueba = await first.gql<{ alerts: { total: number } }>('{alerts(filter:{ruleType:[ueba]},size:1){total}}', {}, token);
      expect(ueba.errors).toBeUndefined();
      expect(ueba.data!.alerts.total).toBeGreaterThan(0);
    } finally {
      await first.stop();
    }

    said = '';
    const second = await startTestPlatform(dir, true);
    try {
      expect(await seedDemo(second.platform, dir, (s) => void (said += s), CITY)).toBeNull();
      expect(said).toContain('already loaded');
      await second.platform.analytics.idle(30_000);
      const login = await second.gql<{ login: { token: string } }>('mutation($p:String!){login(username:"admin",password:$p){token}}', {
        p: 'Correct-Horse-42-battery',
      });
      expect(await counts(second, login.data!.login.token)).toEqual(before);
    } finally {
      await second.stop();
    }
  });
});

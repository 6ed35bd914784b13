/**
 * Rule exceptions in the cluster profile (Kafka, Elasticsearch): the exception an analyst makes
 * from an alert is loaded by the replica's detect consumer at once; the excepted login no longer
 * alerts while another source still does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { adminSession, clusterOverrides, type Running, signInAs, startTestPlatform } from './test-support/harness';
import { ADD_EXCEPTION, alerted, exceptionRecords, rootAlerts, rootLogin } from './test-support/root-logins';

jest.setTimeout(240_000);

describe('rule exceptions in the cluster profile on Elasticsearch and Kafka', () => {
  let r: Running;
  let admin: string;
  beforeAll(async () => {
    r = await startTestPlatform(undefined, false, clusterOverrides('elasticsearch', 'rx'));
    admin = await adminSession(r);
  });
  afterAll(async () => r.stop());

  it('an exception made over GraphQL stops the excepted login on the running consumers, and others still alert', async () => {
    const cg = await signInAs(r, admin, 'cg-analyst', 'analyst', '城管');
    expect(await alerted(r, admin, [rootLogin('10.20.0.5')], '城管', { 城管: 1 })).toEqual({ 城管: 1 });
    const [alert] = await rootAlerts(r, cg);
    const made = await r.gql<{ addRuleException: { id: string; file: string; ruleId: string } }>(
      ADD_EXCEPTION,
      { a: alert!.id, f: [{ field: 'source.ip', values: ['10.20.0.5'] }], r: '运维跳板机' },
      cg,
    );
    expect(made.errors).toBeUndefined();
    const ex = made.data!.addRuleException;
    expect(readFileSync(path.join(r.dir, ex.file), 'utf8')).toContain(`id: ${ex.id}`);
    // the excepted source and another one in one batch: only the other alerts
    expect(await alerted(r, admin, [rootLogin('10.20.0.5'), rootLogin('10.20.0.7'), rootLogin('10.20.0.5')], '城管', { 城管: 1 })).toEqual({ 城管: 1 });
    expect((await exceptionRecords(r, admin)).map((x) => [x.actor, x.decision, x.resource])).toEqual([['cg-analyst', 'allow', `rule:${ex.ruleId}`]]);
  });
});

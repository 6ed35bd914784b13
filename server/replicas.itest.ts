/**
 * Several replicas of the cluster profile share one policy and one identity store: a policy
 * change, an account isolation, an emergency grant, a user, a session or a token made on one
 * replica hold on the others (and on a replica started afterwards), because they live in the
 * search cluster and every change is announced on Kafka.
 */
import type { DecisionRequest } from '../policy/decision';
import { clusterOverrides, type Running, startTestPlatform } from './test-support/harness';

jest.setTimeout(180_000);

/** Polls until the condition holds; returns how long it took. */
async function eventually(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not so after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

for (const store of ['elasticsearch', 'opensearch'] as const) {
  describe(`replicas of the cluster profile on ${store} share the policy`, () => {
    const overrides = clusterOverrides(store, 'rp');
    const started: Running[] = [];
    const replica = async () => {
      const r = await startTestPlatform(undefined, false, overrides);
      started.push(r);
      return r;
    };
    afterAll(async () => {
      for (const r of started) await r.stop();
    });

    const li = { user: 'li', roles: ['analyst'], department: '城管' };
    const read公安: DecisionRequest = { subject: li, resource: { type: 'events', department: '公安' }, action: 'read', context: { zone: '政务外网' } };
    const exportOwn: DecisionRequest = {
      subject: li,
      resource: { type: 'dataset', domain: '城管', dataset: 'roads', department: '城管', classification: '公开' },
      action: 'export',
      // daytime in China: the default policy denies exports from 20:00 to 08:00
      context: { zone: '政务外网', time: new Date('2026-11-20T02:00:00Z') },
    };

    it('a change on one replica holds on the other and on a replica started later', async () => {
      const a = await replica();
      const b = await replica();
      const decideOn = (r: Running, q: DecisionRequest) => r.platform.policy.pdp.decide(q).decision;
      expect(decideOn(b, exportOwn)).toBe('deny');

      // a policy line added on A
      await a.platform.policy.policies.apply({
        op: 'add',
        line: { ptype: 'p', values: ['analyst-datasets-export', 'analyst', '*', 'dataset/*', 'export', 'classification<=公开', 'allow'] },
      });
      expect(decideOn(a, exportOwn)).toBe('allow');
      await eventually('the policy change reaches B', () => decideOn(b, exportOwn) === 'allow');

      // an emergency grant requested and approved on A
      const g = await a.platform.policy.grants.request(
        { name: 'li', person: 'li' },
        { reason: '防汛应急 flood response', department: '公安', durationMinutes: 30 },
      );
      expect(decideOn(b, read公安)).toBe('deny');
      await a.platform.policy.grants.approve({ name: 'ga-owner', person: 'ga-owner', roles: ['department_admin'], department: '公安' }, g.id);
      await eventually('the grant reaches B', () => decideOn(b, read公安) === 'allow');

      // an isolation on A
      await a.platform.policy.isolation.isolate('root', 'li', 'suspected credential theft');
      await eventually('the isolation reaches B', () => b.platform.policy.pdp.decide(read公安).reason.startsWith('isolation:'));

      // users, sessions and API tokens are shared too: a session opened on A works on B at once
      const { password } = await a.platform.identity.createUser('wang', ['analyst'], '城管');
      const login = await a.gql<{ login: { token: string } }>('mutation($p:String!){login(username:"wang",password:$p){token}}', { p: password });
      const session = login.data!.login.token;
      expect((await b.gql<{ me: { name: string } }>('{me{name}}', {}, session)).data!.me.name).toBe('wang');
      const bTokens = await b.platform.identity.issueApiToken('gw-b', ['collector'], 'admin');
      await eventually('the token issued on B reaches A', () => a.platform.identity.authenticate(bTokens.token)?.name === 'token:gw-b');
      // isolating wang on A ends the session on every replica
      await a.platform.policy.isolation.isolate('root', 'wang', 'test');
      await eventually('the session is gone on B', () => b.platform.identity.authenticate(session) === null);
      await a.platform.policy.isolation.release('wang');

      // a replica started afterwards loads all three from the shared store
      const c = await replica();
      expect(c.platform.policy.pdp.decide(read公安).reason).toMatch(/^isolation:/);
      await a.platform.policy.isolation.release('li');
      await eventually('the release reaches C', () => decideOn(c, read公安) === 'allow');
      expect(c.platform.policy.pdp.decide(read公安).reason).toBe(`grant:${g.id}`);
      expect(decideOn(c, exportOwn)).toBe('allow');
      expect(c.platform.policy.policies.list('p').some((l) => l.values[0] === 'analyst-datasets-export')).toBe(true);
    });
  });
}

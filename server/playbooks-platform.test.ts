/**
 * The playbooks module in the running platform: raw sshd lines in through the gateway, the SSH
 * brute-force alerts the alert writer publishes on citysoc.alerts start the shipped playbook, which
 * blocks each source (refused at the server's edge) and annotates its alert through the alerts service, as the
 * playbook actor and audited; the editor answers under /playbooks/editor with the caller's session.
 */
import { readFileSync } from 'node:fs';
import { sharedPath } from '../core/shared-data';
import type { Actor } from '../core/actor';
import type { Alert } from '../core/alert';
import type { AlertActions } from '../alerts/service';
import type { CasesServices } from '../cases/service';
import type { Bound } from '../core/door';
import type { SourceBlocks } from '../playbooks/module';
import { platformHost } from '../playbooks/platform-host';
import type { PolicyActions } from '../policy/actions';
import { adminSession, type Running, signInAs, startTestPlatform } from './test-support/harness';
import { bruteForceIps } from './test-support/ssh-guessing';

const LOGHUB = sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log');
const SSH_PLAYBOOK = 'citysoc-pb-ssh-brute-force';

async function until<T>(what: string, probe: () => Promise<T | null>, last: () => unknown, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last()).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('playbooks in the platform', () => {
  let r: Running;
  let admin: string;
  beforeAll(async () => {
    r = await startTestPlatform(undefined, false, { 'playbooks.enabled': true, 'playbooks.enableShipped': true, 'playbooks.retry.baseMs': 50 });
    admin = await adminSession(r);
  });
  afterAll(async () => r.stop());

  it('loads the three shipped playbooks, enabled by system', async () => {
    const res = await r.gql<{ playbooks: { id: string; enabled: boolean; enabledBy: string; shippedName: string }[] }>(
      '{playbooks{id enabled enabledBy shippedName}}',
      {},
      admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.playbooks.map((p) => [p.shippedName, p.enabled, p.enabledBy]).sort()).toEqual([
      ['mass-export', true, 'system'],
      ['risky-account', true, 'system'],
      ['ssh-brute-force', true, 'system'],
    ]);
  });

  it('blocks every brute-forcing source of the real sshd log at the server edge and acknowledges its alert, each step audited as the playbook', async () => {
    const collector = (await r.platform.identity.issueApiToken('fluent-bit-01', ['collector'], 'test')).token;
    const lines = readFileSync(LOGHUB, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const res = await fetch(`${r.platform.url}/ingest/v1/fluent-bit/citysoc.openssh.cg.LabSZ`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector}`, 'content-type': 'application/x-ndjson' },
      body: lines.map((log, i) => JSON.stringify({ date: 1_700_000_000 + i, log })).join('\n'),
    });
    expect(res.status).toBe(200);
    expect(await r.platform.analytics.idle()).toBe(true);
    const expected = bruteForceIps(lines).sort();
    expect(expected.length).toBeGreaterThan(0);

    const alerts = await r.gql<{ alerts: { alerts: { id: string; status: string; rule: { id: string } }[] } }>(
      '{alerts(size:1000){alerts{id status rule{id}}}}',
      {},
      admin,
    );
    const brute = alerts.data!.alerts.alerts.filter((a) => a.rule.id === 'ad814613-1f7e-4fdb-880b-033b3f69c4b8');
    expect(brute.length).toBeGreaterThanOrEqual(expected.length);
    type Run = { id: string; status: string; error: string | null; trigger: { alertId: string | null } | null };
    let seen: unknown = null;
    const runs = await until(
      'the SSH playbook runs to finish',
      async () => {
        const q = await r.gql<{ playbookRuns: Run[] }>(`{playbookRuns(playbookId:"${SSH_PLAYBOOK}", limit: 200){id status error trigger{alertId}}}`, {}, admin);
        seen = [q.errors ?? q.data!.playbookRuns.slice(0, 2), (await r.platform.ports.audit.query({ decision: 'deny' })).slice(0, 2)];
        if (q.errors) return null;
        const all = q.data!.playbookRuns;
        return all.length >= brute.length && all.every((x) => x.status === 'succeeded') ? all : null;
      },
      () => seen,
    );
    expect(runs).toHaveLength(brute.length);

    // Every brute-forcing address is now refused at the server's edge; others are not. (The test's
    // own requests come from loopback, which playbooks never block, so the answer is asked directly.)
    const edge = r.platform.service<SourceBlocks>('playbooks');
    expect(expected.map((ip) => edge.sourceBlocked(ip, new Date()))).toEqual(expected.map(() => true));
    expect(expected.map((ip) => edge.sourceBlocked(`::ffff:${ip}`, new Date()))).toEqual(expected.map(() => true));
    expect(edge.sourceBlocked('192.0.2.77', new Date())).toBe(false);
    expect(edge.sourceBlocked(expected[0], new Date(Date.now() + 25 * 3_600_000))).toBe(false);
    const blocks = await r.platform.ports.audit.query({ action: 'sources.block' });
    // One block per run (an address with two alerts is blocked twice, keeping the later end).
    expect(blocks).toHaveLength(brute.length);
    expect(new Set(blocks.map((b) => [b.resource, b.actorType, b.decision].join(' ')))).toEqual(
      new Set(expected.map((ip) => `source:${ip}/32 playbook allow`)),
    );
    const after = await r.gql<{ alerts: { alerts: { id: string; status: string }[] } }>('{alerts(size:1000){alerts{id status}}}', {}, admin);
    const ids = new Set(brute.map((a) => a.id));
    expect(after.data!.alerts.alerts.filter((a) => ids.has(a.id)).map((a) => a.status)).toEqual(brute.map(() => 'acknowledged'));
    expect(new Set(runs.map((x) => x.trigger?.alertId))).toEqual(new Set(brute.map((a) => a.id)));
    const moves = await r.platform.ports.audit.query({ action: 'alerts.transition' });
    expect(moves.filter((m) => m.actorType === 'playbook')).toHaveLength(brute.length);
  });

  it('opens its case in the cases module analysts work in, once per step however often the step is retried, and adds to it', async () => {
    const p = r.platform;
    const host = platformHost({
      door: p.kernel.door,
      state: p.ports.state,
      audit: p.ports.audit,
      alertStore: p.ports.alerts,
      identity: p.identity,
      policyServices: p.policy,
      policy: p.service<{ policy: Bound<PolicyActions> }>('policy').policy,
      alerts: p.service<Bound<AlertActions>>('alerts'),
      cases: p.service<CasesServices>('cases').cases,
      clock: () => new Date(),
    });
    const alert = (id: string): Alert => ({
      id,
      dedupKey: `k-${id}`,
      rule: { id: 'mass-export', name: 'Mass export', type: 'sigma', severity: 'high', tags: [] },
      entities: [
        { type: 'user', value: 'zhangsan' },
        { type: 'ip', value: '10.1.2.3' },
      ],
      eventIds: [],
      firstSeen: '2026-11-20T01:00:00.000Z',
      lastSeen: '2026-11-20T01:00:00.000Z',
      count: 1,
      risk: 70,
      department: '城管',
      status: 'open',
      history: [],
    });
    for (const id of ['al-pb-1', 'al-pb-2']) await p.ports.alerts.upsert(alert(id), 0);
    const actor: Actor = {
      kind: 'playbook',
      name: 'playbook:pb-case-test',
      roles: ['playbook'],
      person: 'admin',
      run: { playbookId: 'pb-case-test', runId: 'run-1', step: 'case' },
    };
    const open = () =>
      host.openCase(actor, {
        title: 'Bulk export by zhangsan',
        description: 'Opened by a playbook',
        severity: 'high',
        department: '城管',
        alertIds: ['al-pb-1'],
        observables: [
          { type: 'user', value: 'zhangsan' },
          { type: 'host', value: 'db-01' },
          { type: 'process', value: 'curl' },
        ],
        idempotencyKey: 'run-1\u0000case',
      });
    const first = await open();
    expect(await open()).toEqual(first);
    await host.addToCase(actor, {
      caseId: first.caseId,
      alertIds: ['al-pb-1', 'al-pb-2'],
      comment: 'second export / 第二次导出',
      observables: [{ type: 'host', value: 'db-01' }],
    });

    type CaseRow = {
      id: string;
      tags: string[];
      alertIds: string[];
      departments: string[];
      createdBy: string;
      observables: { type: string; value: string }[];
      timeline: { action: string; actor: string; details: unknown }[];
    };
    const q = await r.gql<{ cases: { total: number; cases: CaseRow[] } }>(
      '{cases(filter:{text:"Bulk export by zhangsan"}){total cases{id tags alertIds departments createdBy observables{type value} timeline{action actor details}}}}',
      {},
      admin,
    );
    expect(q.errors).toBeUndefined();
    expect(q.data!.cases.total).toBe(1);
    const c = q.data!.cases.cases[0]!;
    expect(c.id).toBe(first.caseId);
    expect(c.createdBy).toBe('playbook:pb-case-test');
    expect(c.departments).toEqual(['城管']);
    expect(c.tags).toEqual([expect.stringMatching(/^playbook-step:[0-9a-f]{16}$/)]);
    expect([...c.alertIds].sort()).toEqual(['al-pb-1', 'al-pb-2']);
    expect(c.observables.map((o) => `${o.type}:${o.value}`).sort()).toEqual(['host:db-01', 'ip:10.1.2.3', 'user:zhangsan']);
    expect(c.timeline.filter((t) => t.action === 'comment').map((t) => [t.actor, t.details])).toEqual([
      ['playbook:pb-case-test', expect.objectContaining({ text: 'second export / 第二次导出' })],
    ]);
    const created = await p.ports.audit.query({ action: 'cases.create', actor: 'playbook:pb-case-test' });
    expect(created.map((x) => [x.decision, x.resource])).toEqual([['allow', `case:${first.caseId}`]]);
  });

  it('serves the editor to an author with the session, and refuses a deploy by an analyst', async () => {
    const page = await fetch(`${r.platform.url}/playbooks/editor/?access_token=${encodeURIComponent(admin)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).not.toBe("default-src 'none'; frame-ancestors 'none'");
    const analyst = await signInAs(r, admin, 'cg-analyst', 'analyst', '城管');
    const flows = await fetch(`${r.platform.url}/playbooks/editor/flows`, { headers: { authorization: `Bearer ${analyst}` } });
    expect(flows.status).toBe(200);
    const rev = ((await flows.json()) as { rev: string }).rev;
    const deploy = await fetch(`${r.platform.url}/playbooks/editor/flows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${analyst}`, 'content-type': 'application/json', 'node-red-api-version': 'v2' },
      body: JSON.stringify({ rev, flows: [] }),
    });
    expect(deploy.status).toBe(403);
    const refused = await r.platform.ports.audit.query({ action: 'playbooks.deploy' });
    expect(refused.map((x) => [x.actor, x.decision])).toEqual([['cg-analyst', 'deny']]);
  });
});

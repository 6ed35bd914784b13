/** auditExport under attack by a department data owner: what the trail keeps of a hostile call is bounded. */
import type { Actor } from '../core/actor';
import { bind, Door } from '../core/door';
import { auditTrailActions } from './audit-trail';
import { loadOrCreateSigningKey } from './audit/signing-key';
import { parseExport } from './audit/verify-export';
import { policyFixture, type PolicyFixture } from './test-support';

const chengguan: Actor = { kind: 'user', name: 'zhou', person: 'zhou', roles: ['department_admin'], department: '城管', sourceIp: '10.0.0.6' };

describe('auditExport by a 城管 data owner under attack', () => {
  let f: PolicyFixture;
  let svc: ReturnType<typeof bind<ReturnType<typeof auditTrailActions>>>;

  beforeEach(async () => {
    f = await policyFixture();
    const door = new Door({ authorizer: f.services.authorizer, audit: f.audit, clock: () => f.now });
    svc = bind(door, auditTrailActions(f.audit, { signer: loadOrCreateSigningKey(f.dir), maxRecords: 20 }));
    for (let i = 0; i < 6; i++)
      await f.audit.append({
        actor: 'li',
        actorType: 'user',
        action: 'datasets.read',
        resource: `dataset/d${i}`,
        decision: 'allow',
        reason: `secret-${i}`,
        details: { department: i % 2 ? '公安' : '城管' },
      });
  });
  afterEach(async () => f.close());

  it('a filter of a megabyte is refused or kept short: the trail does not keep a megabyte per call', async () => {
    const huge = 'x'.repeat(1_000_000);
    const file = await svc.exportWithProof(chengguan, { actor: huge, resource: huge }).catch((e: unknown) => e);
    const [rec] = await f.audit.query({ action: 'audit.export', size: 1 });
    expect(rec!.actor).toBe('zhou');
    expect(JSON.stringify(rec!.details).length).toBeLessThan(64 * 1024);
    if (!(file instanceof Error)) expect(parseExport((file as { content: string }).content).records).toEqual([]);
  });

  it('exports only 城管 records, in JSON and CSV alike, with no other department in the file', async () => {
    for (const format of ['json', 'csv'] as const) {
      const file = await svc.exportWithProof(chengguan, { format });
      const e = parseExport(file.content);
      expect(e.records.map((r) => r.reason)).toEqual(['secret-0', 'secret-2', 'secret-4']);
      expect(file.content).not.toContain('公安');
      expect(file.content).not.toMatch(/secret-[135]/);
    }
  });
});

import type { Actor } from '../core/actor';
import { bind, Door } from '../core/door';
import type { Role } from '../core/roles';
import { type ConfigSection, loadConfig } from '../core/config';
import { AUDIT_EXPORT_CONFIG_KEY, auditTrailActions } from './audit-trail';
import { policyModule } from './module';
import { loadOrCreateSigningKey } from './audit/signing-key';
import { parseExport, verifyExport } from './audit/verify-export';
import { policyFixture, type PolicyFixture } from './test-support';

const person = (name: string, roles: Role[], department?: string): Actor => ({
  kind: 'user',
  name,
  roles,
  person: name,
  ...(department ? { department } : {}),
  sourceIp: '10.0.0.5',
});
const shen = person('shen', ['auditor']);
const wu = person('wu', ['analyst'], '城管');
const wang = person('wang', ['department_admin'], '公安');

describe('audit export with proof (auditExport)', () => {
  let f: PolicyFixture;
  let svc: ReturnType<typeof bind<ReturnType<typeof auditTrailActions>>>;
  let trust: { fingerprints: string[]; keys: string[] };

  beforeEach(async () => {
    f = await policyFixture();
    const key = loadOrCreateSigningKey(f.dir);
    trust = { fingerprints: [key.fingerprint], keys: [] };
    const door = new Door({ authorizer: f.services.authorizer, audit: f.audit, clock: () => f.now });
    svc = bind(door, auditTrailActions(f.audit, { signer: key, maxRecords: 20 }));
    // A trail of 30 records: three actors, allows and denies, over 30 minutes.
    for (let i = 0; i < 30; i++) {
      f.now = new Date(Date.parse('2026-11-20T02:00:00Z') + i * 60_000);
      await f.audit.append({
        actor: ['li', 'zhang', 'wu'][i % 3]!,
        actorType: 'user',
        action: i % 2 ? 'events.search' : 'alerts.transition',
        resource: `alert:a${i}`,
        decision: i % 5 === 0 ? 'deny' : 'allow',
        reason: 'test',
      });
    }
  });
  afterEach(async () => f.close());

  // oldest first (the trail answers newest first)
  const exports = async () => (await f.audit.query({ action: 'audit.export', size: 100 })).sort((a, b) => a.seq - b.seq);
  const exportedBy = async () => (await exports()).map((r) => [r.actor, r.decision]);

  it('exports the filtered records with proofs that verify offline, in JSON and in CSV, and is audited once', async () => {
    const file = await svc.exportWithProof(shen, { actor: 'li', action: 'events.search', format: 'json' });
    expect(file.contentType).toBe('application/json');
    expect(file.fileName).toMatch(/^citysoc-audit-2026-11-20T02-29-00-000Z\.json$/);
    const e = parseExport(file.content);
    // li acts at i = 0, 3, 6, …, 27; events.search at odd i: 3, 9, 15, 21, 27
    expect(e.records.map((r) => r.resource)).toEqual(['alert:a3', 'alert:a9', 'alert:a15', 'alert:a21', 'alert:a27']);
    expect(e.filter).toEqual({ actor: 'li', action: 'events.search' });
    const v = verifyExport(e, trust);
    expect(v).toMatchObject({ ok: true, checked: 5, proofsVerified: 5, unsigned: 0, manifest: 'verified' });

    const csv = await svc.exportWithProof(shen, { decision: 'deny', format: 'csv' });
    expect(csv.contentType).toBe('text/csv; charset=utf-8');
    const c = parseExport(csv.content);
    expect(c.records.map((r) => r.resource)).toEqual(['alert:a0', 'alert:a5', 'alert:a10', 'alert:a15', 'alert:a20', 'alert:a25']);
    expect(verifyExport(c, trust)).toMatchObject({ ok: true, checked: 6, proofsVerified: 6, manifest: 'verified' });

    expect(await exportedBy()).toEqual([
      ['shen', 'allow'],
      ['shen', 'allow'],
    ]);
    const [first, second] = await exports();
    expect(first!.details).toMatchObject({ actor: 'li', action: 'events.search', format: 'json', records: 5 });
    expect(second!.details).toMatchObject({ decision: 'deny', format: 'csv', records: 6 });
  });

  it('fails verification when an exported record is changed or the export is cut short', async () => {
    const file = await svc.exportWithProof(shen, { actor: 'zhang' });
    const e = parseExport(file.content);
    const changed = { ...e, records: e.records.map((r, i) => (i === 2 ? { ...r, decision: 'allow' as const, reason: 'edited' } : r)) };
    expect(verifyExport(changed, trust)).toMatchObject({ ok: false, firstBad: { seq: e.records[2]!.seq, problem: 'modified' } });
    const cut = { ...e, records: e.records.slice(0, -1), proofs: e.proofs!.slice(0, -1) };
    expect(verifyExport(cut, trust).ok).toBe(false);
    expect(verifyExport(e, { fingerprints: ['sha256:' + '0'.repeat(64)], keys: [] }).ok).toBe(false);
  });

  it('refuses an analyst (no audit:read), audited as a deny', async () => {
    await expect(svc.exportWithProof(wu, { actor: 'li' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await exportedBy()).toEqual([['wu', 'deny']]);
  });

  describe("a department data owner exports their department's records, as auditRecords shows them", () => {
    // Besides the 30 records above (no department): 12 records about 公安 and 城管 data, by actors of both.
    const DEPTS = ['公安', '城管', '公安'];
    beforeEach(async () => {
      for (let i = 0; i < 12; i++) {
        f.now = new Date(Date.parse('2026-11-20T03:00:00Z') + i * 60_000);
        const department = DEPTS[i % 3]!;
        await f.audit.append({
          actor: i % 2 ? 'li' : 'zhang',
          actorType: 'user',
          action: i % 4 < 2 ? 'datasets.read' : 'datasets.export',
          resource: `dataset/d${i}@${department}`,
          decision: i % 5 === 0 ? 'deny' : 'allow',
          reason: `secret-of-${department}-${i}`,
          details: { department },
        });
      }
    });
    const seqsOf = (rs: readonly { seq: number }[]) => rs.map((r) => r.seq).sort((a, b) => a - b);
    const sameAsRecords = async (filter: Parameters<typeof svc.exportWithProof>[1]) => {
      const e = parseExport((await svc.exportWithProof(wang, filter)).content);
      const { format: _format, ...q } = filter;
      const read = await svc.query(wang, { ...q, size: 1000 });
      expect(seqsOf(e.records)).toEqual(seqsOf(read));
      for (const r of e.records) expect(r.details).toMatchObject({ department: '公安' });
      return e;
    };

    it('exports exactly the records about their department, each with an inclusion proof that verifies offline, audited once', async () => {
      const file = await svc.exportWithProof(wang, {});
      const e = parseExport(file.content);
      // 公安 at i = 0, 2, 3, 5, 6, 8, 9, 11 of the 12, in chain order
      expect(e.records.map((r) => r.reason)).toEqual([0, 2, 3, 5, 6, 8, 9, 11].map((i) => `secret-of-公安-${i}`));
      expect(seqsOf(e.records)).toEqual(e.records.map((r) => r.seq));
      expect(e.proofs).toHaveLength(8);
      expect(e.scope).toContain('公安');
      expect(verifyExport(e, trust)).toMatchObject({ ok: true, checked: 8, proofsVerified: 8, unsigned: 0, manifest: 'verified' });
      // Nothing of another department travels with the proofs: they carry hashes only.
      expect(file.content).not.toContain('城管');
      const csv = parseExport((await svc.exportWithProof(wang, { format: 'csv' })).content);
      expect(verifyExport(csv, trust)).toMatchObject({ ok: true, proofsVerified: 8 });
      expect(await exportedBy()).toEqual([
        ['wang', 'allow'],
        ['wang', 'allow'],
      ]);
      expect((await exports())[0]!.details).toMatchObject({ records: 8, scope: expect.stringContaining('公安') });
    });

    // Each attempt to reach another department's records: the same records as auditRecords, all 公安's.
    it.each([
      ['an actor who also works 城管 data', { actor: 'zhang' }],
      ['a 城管 resource by name', { resource: 'dataset/d1@城管' }],
      ['an action both departments have', { action: 'datasets.export' }],
      ['a decision', { decision: 'deny' as const }],
      ['a time range over both', { from: '2026-11-20T03:00:00Z', to: '2026-11-20T03:07:30Z' }],
      ['every filter at once', { actor: 'li', action: 'datasets.read', decision: 'allow' as const, from: '2026-11-20T02:00:00Z', to: '2026-11-21T00:00:00Z' }],
      ['a resource written as SQL', { resource: "x' OR '1'='1" }],
      ['an actor written as a LIKE pattern', { actor: '%' }],
      ['the records without a department', { actor: 'wu' }],
    ])('%s: only their department', async (_what, filter) => {
      await sameAsRecords(filter);
    });

    it('the export of a 城管 resource by name is empty, and not an error that would tell it exists', async () => {
      const e = await sameAsRecords({ resource: 'dataset/d1@城管' });
      expect(e.records).toEqual([]);
      expect(verifyExport(e, trust).ok).toBe(true);
    });

    it('the record limit counts their records only: a filter matching more than the limit in the whole trail is not refused', async () => {
      // 42 records, 20 the limit: their 8 pass, and the refusal does not tell them how big the trail is
      const e = await sameAsRecords({});
      expect(e.records).toHaveLength(8);
    });

    it.each([
      ['an object for a filter', { actor: { $ne: 'x' } }],
      ['a list for a filter', { resource: ['dataset/d1@城管'] }],
      ['an unknown decision', { decision: 'allow OR 1=1' }],
      ['a time that is not one', { from: '1 OR 1' }],
      ['a query node of their own', { filter: { type: 'all' } }],
      ['a query node as text', { filter: 'department:城管' }],
      ['a sequence cursor', { afterSeq: '0' }],
      ['a chain', { chain: 'local' }],
    ])('%s is refused with what is wrong', async (_what, filter) => {
      await expect(svc.exportWithProof(wang, filter as never)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    });
  });

  it('refuses a filter matching more records than one export carries, and says how to narrow it', async () => {
    await expect(svc.exportWithProof(shen, { decision: 'allow' })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message:
        'auditExport: the filter matches more than 20 audit records, the most one export carries; narrow it (actor, action, resource, decision, from/to)',
    });
    // 24 allows in all; the first 13 minutes hold 10 of them
    const narrowed = parseExport((await svc.exportWithProof(shen, { decision: 'allow', to: '2026-11-20T02:12:30Z' })).content);
    expect(narrowed.records).toHaveLength(10);
    expect(verifyExport(narrowed, trust).ok).toBe(true);
  });

  it('refuses a filter whose few records would make it read more of the trail than the bound to prove them', async () => {
    // windows of 10 records: li's records lie in all three
    const windowed = await policyFixture();
    try {
      const key = loadOrCreateSigningKey(windowed.dir);
      const door = new Door({ authorizer: windowed.services.authorizer, audit: windowed.audit, clock: () => windowed.now });
      const narrow = bind(door, auditTrailActions(windowed.audit, { signer: key, maxProofScan: 25 }));
      for (let i = 0; i < 30; i++) {
        windowed.now = new Date(Date.parse('2026-11-20T02:00:00Z') + i * 60_000);
        await windowed.audit.append({
          actor: ['li', 'zhang', 'wu'][i % 3]!,
          actorType: 'user',
          action: 'events.search',
          resource: `r${i}`,
          decision: 'allow',
          reason: 't',
        });
        if (i % 10 === 9) await windowed.audit.checkpoint('manual');
      }
      const cps = await windowed.audit.checkpoints();
      const sizes = cps.map((c) => c.seq - c.from + 1);
      expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(25);
      await expect(narrow.exportWithProof(shen, { actor: 'li' })).rejects.toMatchObject({
        code: 'LIMIT_EXCEEDED',
        message: `auditExport: the 10 matching records are spread over signed windows of ${sizes.reduce((a, b) => a + b, 0)} records, more than the 25 one export reads for its proofs; narrow the time range (from/to)`,
      });
      // the first window alone is within the bound, and its proofs verify
      const e = parseExport((await narrow.exportWithProof(shen, { actor: 'li', to: '2026-11-20T02:09:30Z' })).content);
      expect(e.records.map((r) => r.resource)).toEqual(['r0', 'r3', 'r6', 'r9']);
      expect(verifyExport(e, { fingerprints: [key.fingerprint], keys: [] })).toMatchObject({ ok: true, proofsVerified: 4 });
    } finally {
      await windowed.close();
    }
  });

  it('rejects bad input with what is wrong', async () => {
    await expect(svc.exportWithProof(shen, { from: 'yesterday' })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: "auditExport: 'yesterday' is not an ISO 8601 time",
    });
    await expect(svc.exportWithProof(shen, { format: 'pdf' as 'json' })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      message: 'auditExport: format must be json or csv',
    });
    await expect(svc.exportWithProof(shen, { decision: 'maybe' as 'allow' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});

describe('the export bounds are configuration (auditExport section of the policy module)', () => {
  const load = (raw: Record<string, unknown>) => loadConfig({ sections: [policyModule.config as ConfigSection], env: {}, overrides: raw });

  it('defaults to 5,000 records and 500,000 records read for proofs', () => {
    expect((load({}) as unknown as Record<string, unknown>)[AUDIT_EXPORT_CONFIG_KEY]).toEqual({ maxRecords: 5000, maxProofScan: 500_000 });
  });

  it('takes values within the bounds and refuses values past them, naming the key', () => {
    expect((load({ 'auditExport.maxRecords': 20_000, 'auditExport.maxProofScan': 2_000_000 }) as unknown as Record<string, unknown>).auditExport).toEqual({
      maxRecords: 20_000,
      maxProofScan: 2_000_000,
    });
    expect(() => load({ 'auditExport.maxRecords': 50_001 })).toThrow(/auditExport\.maxRecords/);
    expect(() => load({ 'auditExport.maxRecords': 0 })).toThrow(/auditExport\.maxRecords/);
    expect(() => load({ 'auditExport.maxProofScan': 5_000_001 })).toThrow(/auditExport\.maxProofScan/);
    expect(() => load({ 'auditExport.maxRecrds': 10 })).toThrow(/auditExport/);
  });
});

import { sampleAlert } from '../core/contracts/alert-store.contract';
import { fixtureEvents } from '../core/contracts/fixtures';
import { verifyExport } from '../policy/audit/verify-export';
import { type CaseEvidence, sha256, verifyCaseEvidence } from './evidence';
import { casesFixture, type CasesFixture } from './test-support';

let f: CasesFixture;
let caseId: string;

beforeEach(async () => {
  f = await casesFixture();
  await f.events.write(fixtureEvents());
  await f.alerts.upsert(sampleAlert('cg-1', { dedupKey: 'k1', eventIds: ['e01', 'e02'] }), 0);
  const wu = f.actor('wu');
  const c = await f.services.cases.openFromAlert(wu, { alertId: 'cg-1', title: '暴力破解 <script>alert(1)</script>' });
  caseId = c.id;
  await f.services.alerts.comment(wu, { id: 'cg-1', comment: 'in case' });
  await f.services.alerts.list(f.actor('li'), {});
  await f.services.cases.update(wu, { id: caseId, change: { kind: 'add_task', title: '封禁源地址' } });
  f.advance(30);
  await f.services.cases.update(wu, { id: caseId, change: { kind: 'status', to: 'resolved', resolution: 'true_positive' } });
  await f.policy.services.checkpoints.checkpoint();
});
afterEach(() => f.close());

const exported = async (format: 'json' | 'html' = 'json') => f.services.cases.exportCase(f.actor('shen'), { id: caseId, format });
const evidence = async () => JSON.parse((await exported()).content) as CaseEvidence;

describe('case evidence', () => {
  it('carries the case, its alert and events, the audit records that touch them with the chain proof, and verifies offline', async () => {
    const e = await evidence();
    const v = verifyCaseEvidence(e, f.trust);
    expect([v.ok, v.problems]).toEqual([true, []]);
    // the audit part is an ordinary audit export: `citysoc audit verify-export` checks it as it is
    expect(verifyExport(e, f.trust)).toMatchObject({ ok: true, checkpointsVerified: 1 });
    expect(e.evidence.case).toMatchObject({ id: caseId, status: 'resolved', version: 3 });
    expect(e.evidence.alerts.map((a) => a.id)).toEqual(['cg-1']);
    expect(e.evidence.events.map((x) => x.event?.id)).toEqual(['e01', 'e02']);
    const touching = e.records.filter((r) => e.evidence.touching.includes(r.seq)).map((r) => [r.action, r.resource]);
    expect(touching).toEqual([
      ['cases.open_from_alert', `case:${caseId}`],
      ['alerts.comment', 'alert:cg-1'],
      ['cases.change', `case:${caseId}`],
      ['cases.change', `case:${caseId}`],
    ]);
    // the stretch between them is carried whole (li's queue call included): the chain has no gaps
    expect(e.records.map((r) => r.seq)).toEqual(Array.from({ length: e.records.length }, (_, i) => e.records[0]!.seq + i));
    expect(e.records.some((r) => r.action === 'alerts.list' && r.actor === 'li')).toBe(true);
    expect(v.caseVouchedBy).toBe(e.evidence.touching[e.evidence.touching.length - 1]);
    expect(e.checkpoints).toHaveLength(1);
  });

  it('a modified audit record fails, naming the record', async () => {
    const e = await evidence();
    const r = e.records.find((x) => x.action === 'alerts.comment')!;
    (r as { reason: string }).reason = 'nothing to see';
    const v = verifyCaseEvidence(e, f.trust);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([`audit record ${r.seq} is modified`]);
  });

  it('a modified case fails on its hash; with the hash and manifest rewritten too, it fails against the record that vouches for it', async () => {
    const e = await evidence();
    (e.evidence.case as { title: string }).title = '无事发生';
    expect(verifyCaseEvidence(e, f.trust).problems).toEqual([
      `case ${caseId}: its content does not match its hash`,
      `case ${caseId} version 3: it differs from the case audit record ${e.evidence.touching[3]} vouches for`,
    ]);
    const forged = { ...e, evidence: { ...e.evidence, hashes: { ...e.evidence.hashes, case: sha256(e.evidence.case) } } };
    const manifest = sha256({ hashes: forged.evidence.hashes, touching: forged.evidence.touching, omitted: forged.evidence.omitted });
    expect(verifyCaseEvidence({ ...forged, evidence: { ...forged.evidence, manifest } }, f.trust).problems).toEqual([
      `case ${caseId} version 3: it differs from the case audit record ${e.evidence.touching[3]} vouches for`,
    ]);
  });

  it('a modified alert or event fails, naming it; a removed touching record fails, naming it', async () => {
    const e = await evidence();
    (e.evidence.alerts[0] as { risk: number }).risk = 1;
    (e.evidence.events[1] as { message: string }).message = 'ok';
    expect(verifyCaseEvidence(e, f.trust).problems).toEqual([
      'alert cg-1: its content does not match its hash',
      'event e02: its content does not match its hash',
    ]);
    const cut = await evidence();
    const seq = cut.evidence.touching[1]!;
    cut.records.splice(
      cut.records.findIndex((r) => r.seq === seq),
      1,
    );
    expect(verifyCaseEvidence(cut, f.trust).problems).toEqual([
      `audit record ${seq} is missing`,
      `audit record ${seq}, listed as touching case ${caseId}, is not in the export`,
    ]);
  });

  it('is exported only by those who may read the whole trail, and the export itself is audited with its manifest', async () => {
    await expect(f.services.cases.exportCase(f.actor('wu'), { id: caseId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(f.services.cases.exportCase(f.actor('li'), { id: caseId })).rejects.toThrow(`no case ${caseId}`);
    const e = await evidence();
    const [last] = await f.policy.audit.query({ size: 1 });
    expect([last!.action, last!.actor, last!.resource, last!.details?.manifest]).toEqual(['cases.export', 'shen', `case:${caseId}`, e.evidence.manifest]);
  });

  it('prints as an HTML report with everything escaped and the verification result', async () => {
    const html = (await exported('html')).content;
    expect(html).toContain('校验通过 / Verified');
    expect(html).toContain('暴力破解 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('封禁源地址');
  });
});

import { sampleAlert } from '../core/contracts/alert-store.contract';
import { fixtureEvents } from '../core/contracts/fixtures';
import { CSV_COLUMNS } from '../policy/audit/export';
import { parseExport, verifyExport } from '../policy/audit/verify-export';
import { type CaseEvidence, readCaseEvidence, sha256, verifyCaseEvidence } from './evidence';
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

  it("is exported by the analyst of the case's department with only the records about the case, each proven; another department is refused", async () => {
    // li's refused look at the case is a record about it, but not one an analyst's export carries
    await expect(f.services.cases.get(f.actor('li'), { id: caseId })).rejects.toThrow(`no case ${caseId}`);
    const [probe] = await f.policy.audit.query({ size: 1 });
    expect([probe!.actor, probe!.resource, probe!.decision]).toEqual(['li', `case:${caseId}`, 'deny']);
    const file = await f.services.cases.exportCase(f.actor('wu'), { id: caseId });
    const e = readCaseEvidence(file.content);
    const v = verifyCaseEvidence(e, f.trust);
    expect([v.ok, v.problems]).toEqual([true, []]);
    expect(verifyExport(e, f.trust)).toMatchObject({ ok: true, proofsVerified: e.records.length });
    // nothing of the rest of the trail: li's queue call between the case's records is not carried
    expect(e.records.map((r) => r.seq)).toEqual(e.evidence.touching);
    expect(e.records.some((r) => r.actor === 'li')).toBe(false);
    expect(e.records.some((r) => r.seq === probe!.seq)).toBe(false);
    // the auditor's export carries it, with the whole stretch
    const whole = readCaseEvidence((await exported()).content);
    expect(whole.records.some((r) => r.seq === probe!.seq)).toBe(true);
    expect(e.evidence.exportedBy).toBe('wu');
    expect(v.caseVouchedBy).toBe(e.evidence.touching[e.evidence.touching.length - 1]);
    await expect(f.services.cases.exportCase(f.actor('li'), { id: caseId })).rejects.toThrow(`no case ${caseId}`);
    const [last, , refused] = await f.policy.audit.query({ size: 3 });
    expect([last!.action, last!.actor, last!.decision]).toEqual(['cases.export', 'li', 'deny']);
    expect([refused!.action, refused!.actor, refused!.decision, refused!.details?.manifest, refused!.details?.proof]).toEqual([
      'cases.export',
      'wu',
      'allow',
      e.evidence.manifest,
      'records',
    ]);
  });

  it("an analyst's export with a modified record or case fails, naming it", async () => {
    const e = readCaseEvidence((await f.services.cases.exportCase(f.actor('wu'), { id: caseId })).content);
    const r = e.records.find((x) => x.action === 'alerts.comment')!;
    (r as { reason: string }).reason = 'nothing to see';
    expect(verifyCaseEvidence(e, f.trust).problems).toEqual([`audit record ${r.seq} is modified`]);
    const e2 = readCaseEvidence((await f.services.cases.exportCase(f.actor('wu'), { id: caseId })).content);
    (e2.evidence.case as { severity: string }).severity = 'low';
    expect(verifyCaseEvidence(e2, f.trust).problems[0]).toBe(`case ${caseId}: its content does not match its hash`);
  });

  it('is exported as CSV (the audit CSV with the case in its #proof row) that verifies as the JSON does; a tampered CSV fails', async () => {
    for (const who of ['shen', 'wu']) {
      const file = await f.services.cases.exportCase(f.actor(who), { id: caseId, format: 'csv' });
      expect([file.contentType, file.fileName.endsWith('.csv')]).toEqual(['text/csv; charset=utf-8', true]);
      expect(file.content.split('\r\n')[0]).toBe(CSV_COLUMNS.join(','));
      const e = readCaseEvidence(file.content);
      expect(e.evidence.case.id).toBe(caseId);
      expect([verifyCaseEvidence(e, f.trust).ok, verifyCaseEvidence(e, f.trust).problems]).toEqual([true, []]);
      expect(verifyExport(parseExport(file.content), f.trust).ok).toBe(true);

      // a readable column changed: the record no longer agrees with what its hash covers
      const rows = file.content.split('\r\n');
      const at = rows.findIndex((l) => l.includes('alerts.comment'));
      const seq = Number(rows[at]!.split(',')[1]);
      const forgedRow = [...rows];
      forgedRow[at] = rows[at]!.replace('alerts.comment', 'alerts.get');
      expect(verifyCaseEvidence(readCaseEvidence(forgedRow.join('\r\n')), f.trust).problems).toEqual([`audit record ${seq} is modified`]);

      // the case in the #proof row changed
      const forgedCase = file.content.replace('封禁源地址', '无需处理');
      expect(forgedCase).not.toBe(file.content);
      expect(verifyCaseEvidence(readCaseEvidence(forgedCase), f.trust).problems[0]).toBe(`case ${caseId}: its content does not match its hash`);
    }
  });

  it('prints as an HTML report with everything escaped and the verification result', async () => {
    const html = (await exported('html')).content;
    expect(html).toContain('校验通过 / Verified');
    expect(html).toContain('暴力破解 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('封禁源地址');
  });
});

describe("an analyst's case export under attack", () => {
  it("masks personal data in an analyst's export in every form (JSON, CSV, HTML), the raw line included", async () => {
    const phone = '13912345678';
    const [base] = fixtureEvents().filter((x) => x.event?.id === 'e01');
    await f.events.write([
      {
        ...base!,
        event: { ...base!.event, id: 'pii-1', original: `login ok user=张三 phone=${phone}` },
        message: `login ok user=张三 phone=${phone}`,
        citysoc: { ...(base!.citysoc ?? {}), person: { phone, name: '张三' } },
      } as never,
    ]);
    await f.services.cases.linkEvents(f.actor('wu'), { id: caseId, eventIds: ['pii-1'] });
    const e = readCaseEvidence((await f.services.cases.exportCase(f.actor('wu'), { id: caseId })).content);
    // the event travels, masked (not left out)
    expect(e.evidence.events.map((x) => x.event?.id)).toContain('pii-1');
    expect(JSON.stringify(e.evidence.events)).toContain('phone=139****5678');
    for (const format of ['json', 'csv', 'html'] as const) {
      const file = await f.services.cases.exportCase(f.actor('wu'), { id: caseId, format });
      expect([format, file.content.includes(phone), file.content.includes('张三')]).toEqual([format, false, false]);
    }
  });
  it("carries no record of another department's failed attempt on the case (a bad input is a failure, not a deny)", async () => {
    // li (公安) may not read the case; a malformed call naming it fails before the PDP judges it
    await expect(f.services.cases.exportCase(f.actor('li'), { id: caseId, format: 'pdf' as 'json' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    const [probe] = await f.policy.audit.query({ size: 1 });
    expect([probe!.actor, probe!.resource, probe!.decision]).toEqual(['li', `case:${caseId}`, 'failure']);
    const e = readCaseEvidence((await f.services.cases.exportCase(f.actor('wu'), { id: caseId })).content);
    expect(e.records.filter((r) => r.actor === 'li').map((r) => [r.action, r.decision, r.sourceIp ?? null])).toEqual([]);
    expect(verifyCaseEvidence(e, f.trust).ok).toBe(true);
  });

  it('escapes spreadsheet formulas in every CSV cell and the CSV still verifies', async () => {
    await f.services.cases.update(f.actor('wu'), { id: caseId, change: { kind: 'add_task', title: '=HYPERLINK("http://x","y")' } });
    await f.services.alerts.comment(f.actor('wu'), { id: 'cg-1', comment: '@SUM(1+1)\r\n=cmd|" /C calc"!A0' });
    const file = await f.services.cases.exportCase(f.actor('wu'), { id: caseId, format: 'csv' });
    // no cell (unquoted or quoted) begins with = + - @
    const cells = file.content.match(/(?:^|,)("(?:[^"]|"")*"|[^,\r\n]*)/gm) ?? [];
    const starts = cells.map((c) => c.replace(/^,/, '').replace(/^"/, '')).filter((c) => /^[=+\-@]/.test(c));
    expect(starts).toEqual([]);
    const e = readCaseEvidence(file.content);
    expect([verifyCaseEvidence(e, f.trust).ok, verifyCaseEvidence(e, f.trust).problems]).toEqual([true, []]);
  });
});

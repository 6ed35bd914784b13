/**
 * End to end without the server: the loghub OpenSSH sample through the ingest pipeline and the
 * shipped detection rules into the stores, the brute-force alert into a case that is worked and
 * resolved, its KPIs, its evidence verified and tampered with, and department isolation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CorrelationEngine } from '../analytics/correlation/engine';
import { Detector } from '../analytics/detector';
import { loadContent } from '../analytics/engine/content';
import { getPipeline } from '../analytics/sigma/pipelines';
import { fileInputs } from '../collectors/pipeline/file-lines';
import { Pipeline } from '../collectors/pipeline/pipeline';
import type { EcsEvent } from '../core/event';
import { sharedPath } from '../core/shared-data';
import { verifyExport } from '../policy/audit/verify-export';
import { type CaseEvidence, verifyCaseEvidence } from './evidence';
import { casesFixture, type CasesFixture } from './test-support';

const LOG = sharedPath('data', 'loghub', 'OpenSSH', 'OpenSSH_2k.log');
const RULES = path.resolve(__dirname, '..', 'rules');
const BRUTE_FORCE = 'ad814613-1f7e-4fdb-880b-033b3f69c4b8';

/** The independent answer: addresses with ≥ 10 "Failed password" lines within 5 minutes, by a plain regex. */
function bruteForceIps(lines: readonly string[]): string[] {
  const byIp = new Map<string, number[]>();
  for (const l of lines) {
    const m = /^(\w{3}\s+\d+ \d\d:\d\d:\d\d) \S+ sshd\[\d+\]: Failed password for (?:invalid user )?\S+ from (\d+\.\d+\.\d+\.\d+)/.exec(l);
    if (m) byIp.set(m[2]!, [...(byIp.get(m[2]!) ?? []), Date.parse(`${m[1]} 2026 UTC`)]);
  }
  return [...byIp]
    .filter(([, ts]) => ts.some((t) => ts.filter((u) => u >= t && u < t + 300_000).length >= 10))
    .map(([ip]) => ip)
    .sort();
}

let f: CasesFixture;
beforeAll(async () => {
  f = await casesFixture();
  // the sample's lines are of 10 December; the analysts work the next morning (10:00 in Beijing)
  f.policy.now = new Date('2026-12-11T02:00:00.000Z');
  const pipeline = new Pipeline();
  const content = loadContent([RULES], { pipelines: [getPipeline('citysoc')] });
  const detector = new Detector({ ruleSet: content.ruleSet, correlations: new CorrelationEngine(content.correlations), store: f.alerts });
  for await (const batch of fileInputs(LOG, 'openssh', 'e2e-collector')) {
    const events: EcsEvent[] = [];
    for (const i of batch) {
      const r = pipeline.process(i.raw, { ...i.hint, department: '城管', receivedAt: new Date('2026-12-11T00:00:00Z') });
      if (r.ok) events.push(r.event);
    }
    await f.events.write(events);
    for (const e of events) detector.onEvent(e);
  }
  await detector.idle();
}, 120_000);
afterAll(() => f.close());

describe('OpenSSH brute force, from log line to verified evidence', () => {
  let alertId: string;
  let caseId: string;

  it('detection raises brute-force alerts for exactly the attacking addresses the independent count finds', async () => {
    const q = await f.services.alerts.list(f.actor('zhao'), { ruleId: BRUTE_FORCE, size: 100 });
    // an attack longer than the suppression window (1 h) is a second alert of the same address
    const ips = [...new Set(q.alerts.map((a) => a.entities.find((e) => e.type === 'ip')!.value))].sort();
    expect(ips).toEqual(bruteForceIps(readFileSync(LOG, 'utf8').split('\n')));
    expect(ips.length).toBeGreaterThan(0);
    alertId = q.alerts.find((a) => a.entities.some((e) => e.value === ips[0]))!.id;
  });

  it('an analyst opens a case from it, adds a task and an observable, and resolves it', async () => {
    const zhao = f.actor('zhao');
    const c = await f.services.cases.openFromAlert(zhao, { alertId });
    caseId = c.id;
    expect([c.id, c.departments, c.alertIds, c.severity]).toEqual(['CASE-2026-00001', ['城管'], [alertId], 'medium']);
    expect(c.eventIds.length).toBeGreaterThanOrEqual(10);
    await f.services.cases.update(zhao, {
      id: caseId,
      change: { kind: 'add_task', title: '在边界防火墙封禁源地址', owner: 'wu', dueAt: '2026-12-11T18:00:00+08:00' },
    });
    await f.services.cases.update(zhao, { id: caseId, change: { kind: 'add_observable', type: 'host', value: 'LabSZ' } });
    f.advance(12);
    await f.services.cases.update(f.actor('wu'), { id: caseId, change: { kind: 'status', to: 'in_progress' } });
    await f.services.cases.update(f.actor('wu'), { id: caseId, change: { kind: 'update_task', taskId: 'T1', status: 'done' } });
    f.advance(45);
    const done = await f.services.cases.update(f.actor('wu'), {
      id: caseId,
      change: { kind: 'status', to: 'resolved', resolution: 'true_positive', note: '已封禁' },
    });
    expect([done.status, done.acknowledgedAt, done.resolvedAt, done.slaColour]).toEqual([
      'resolved',
      '2026-12-11T02:12:00.000Z',
      '2026-12-11T02:57:00.000Z',
      'green',
    ]);
    await f.policy.services.checkpoints.checkpoint();
  });

  it("the department's KPIs show the case's MTTA and MTTR", async () => {
    const k = await f.services.cases.kpis(f.actor('wu'), { from: '2026-12-01T00:00:00+08:00', to: '2027-01-01T00:00:00+08:00', department: '城管' });
    expect(k.cases).toMatchObject({ opened: 1, acknowledged: 1, resolved: 1, mttaMinutes: 12, mttrMinutes: 57, slaMet: 1, slaAttainment: 1, closureRate: 1 });
  });

  it('the exported case verifies offline, and a tampered export fails naming the record', async () => {
    const file = await f.services.cases.exportCase(f.actor('shen'), { id: caseId });
    const e = JSON.parse(file.content) as CaseEvidence;
    expect(verifyExport(e, f.trust)).toMatchObject({ ok: true, checkpointsVerified: 1 });
    expect(verifyCaseEvidence(e, f.trust)).toMatchObject({ ok: true, problems: [] });
    expect(e.evidence.events.length).toBe(e.evidence.case.eventIds.length);
    const target = e.records.find((r) => r.resource === `case:${caseId}` && r.details?.change === 'status')!;
    (target as { actor: string }).actor = 'someone-else';
    const v = verifyCaseEvidence(e, f.trust);
    expect([v.ok, v.problems[0]]).toEqual([false, `audit record ${target.seq} is modified`]);
    expect(verifyExport(e, f.trust)).toMatchObject({ ok: false, firstBad: { seq: target.seq, problem: 'modified' } });
  });

  it('an analyst of another department sees neither the case nor its alerts; one of 城管 sees the case', async () => {
    const li = f.actor('li');
    expect((await f.services.cases.list(li, {})).total).toBe(0);
    await expect(f.services.cases.get(li, { id: caseId })).rejects.toThrow(`no case ${caseId}`);
    expect((await f.services.alerts.list(li, { includeSuppressed: true })).total).toBe(0);
    await expect(f.services.alerts.get(li, { id: alertId })).rejects.toThrow(`no alert ${alertId}`);
    expect((await f.services.cases.list(f.actor('wu'), {})).cases.map((c) => c.id)).toEqual([caseId]);
  });
});

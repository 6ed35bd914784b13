import { sampleAlert } from '../core/contracts/alert-store.contract';
import { casesFixture, type CasesFixture } from './test-support';

let f: CasesFixture;
const seen = { firstSeen: '2026-11-20T01:00:00.000Z', lastSeen: '2026-11-20T01:30:00.000Z' };
const fpRule = { id: 'r-odd-hour', name: 'Odd hour', type: 'ueba' as const, severity: 'low' as const, tags: [] };

beforeEach(async () => {
  f = await casesFixture();
  await f.alerts.upsert(sampleAlert('cg-1', { dedupKey: 'k1', ...seen }), 0);
  await f.alerts.upsert(sampleAlert('cg-2', { dedupKey: 'k2', ...seen, rule: fpRule }), 0);
  await f.alerts.upsert(sampleAlert('cg-3', { dedupKey: 'k3', ...seen, rule: fpRule }), 0);
  await f.alerts.upsert(sampleAlert('cg-4', { dedupKey: 'k4', ...seen, rule: fpRule }), 0);
  await f.alerts.upsert(sampleAlert('cg-old', { dedupKey: 'k5' }), 0);
  await f.alerts.upsert(sampleAlert('ga-1', { dedupKey: 'k6', ...seen, department: '公安' }), 0);
  const wu = f.actor('wu');
  await f.services.alerts.falsePositive(wu, { id: 'cg-2' });
  await f.services.alerts.falsePositive(wu, { id: 'cg-3' });
  await f.services.alerts.transition(wu, { id: 'cg-4', to: 'closed', resolution: 'benign_positive' });
  // case A: acknowledged after 10 minutes, resolved after 50, within the high targets (60 min / 24 h)
  const a = await f.services.cases.openFromAlert(wu, { alertId: 'cg-1' });
  f.advance(10);
  await f.services.cases.update(wu, { id: a.id, change: { kind: 'status', to: 'in_progress' } });
  f.advance(40);
  await f.services.cases.update(wu, { id: a.id, change: { kind: 'status', to: 'resolved', resolution: 'true_positive' } });
  await f.services.alerts.transition(wu, { id: 'cg-1', to: 'closed', resolution: 'true_positive' });
  // case B: critical, not acknowledged within 15 minutes
  await f.services.cases.create(wu, { title: 'data export', severity: 'critical', departments: ['城管'] });
  // case C: 公安's, counted only for 公安
  await f.services.cases.create(f.actor('li'), { title: 'x', severity: 'low', departments: ['公安'] });
  f.advance(20);
});
afterEach(() => f.close());

const period = { from: '2026-11-20T00:00:00+08:00', to: '2026-11-21T00:00:00+08:00' };

describe('KPIs per department and period', () => {
  it("shows 城管's alerts by outcome, false positives per rule, and MTTA, MTTR, SLA attainment and closure of its cases", async () => {
    const r = await f.services.cases.kpis(f.actor('wu'), period);
    expect(r.alerts).toEqual({
      total: 4,
      byOutcome: [
        { status: 'closed', resolution: 'benign_positive', count: 1 },
        { status: 'closed', resolution: 'false_positive', count: 2 },
        { status: 'closed', resolution: 'true_positive', count: 1 },
      ],
      falsePositivesByRule: [
        { ruleId: 'r-odd-hour', closed: 3, falsePositives: 2, rate: 0.6667 },
        { ruleId: 'ssh-bruteforce', closed: 1, falsePositives: 0, rate: 0 },
      ],
    });
    expect(r.cases).toEqual({
      opened: 2,
      acknowledged: 1,
      resolved: 1,
      closed: 0,
      mttaMinutes: 10,
      mttrMinutes: 50,
      slaMet: 1,
      slaBreached: 1,
      slaAttainment: 0.5,
      closureRate: 0.5,
      merged: 0,
      bySeverity: [
        {
          severity: 'critical',
          opened: 1,
          acknowledged: 0,
          resolved: 0,
          closed: 0,
          mttaMinutes: null,
          mttrMinutes: null,
          slaMet: 0,
          slaBreached: 1,
          slaAttainment: 0,
          closureRate: 0,
        },
        {
          severity: 'high',
          opened: 1,
          acknowledged: 1,
          resolved: 1,
          closed: 0,
          mttaMinutes: 10,
          mttrMinutes: 50,
          slaMet: 1,
          slaBreached: 0,
          slaAttainment: 1,
          closureRate: 1,
        },
      ],
    });
  });

  it('counts for each department only what it may see, whatever department it names', async () => {
    const li = await f.services.cases.kpis(f.actor('li'), period);
    expect([li.alerts.total, li.cases.opened]).toEqual([1, 1]);
    const prying = await f.services.cases.kpis(f.actor('li'), { ...period, department: '城管' });
    expect([prying.alerts.total, prying.cases.opened]).toEqual([0, 0]);
    const central = await f.services.cases.kpis(f.actor('zhao'), { ...period, department: '城管' });
    expect([central.alerts.total, central.cases.opened, central.cases.mttaMinutes]).toEqual([4, 2, 10]);
  });

  it('exports the figures as CSV, one row per figure', async () => {
    const csv = await f.services.cases.kpisCsv(f.actor('wu'), { ...period, department: '城管' });
    const rows = csv.trimEnd().split('\r\n');
    const p = '城管,2026-11-19T16:00:00.000Z,2026-11-20T16:00:00.000Z';
    expect(rows[0]).toBe('metric,department,from,to,group,value');
    expect(rows).toContain(`alerts.false_positive_rate,${p},r-odd-hour,0.6667`);
    expect(rows).toContain(`alerts.outcome,${p},closed/false_positive,2`);
    expect(rows).toContain(`cases.mttaMinutes,${p},,10`);
    expect(rows).toContain(`cases.mttrMinutes,${p},high,50`);
    expect(rows).toContain(`cases.mttaMinutes,${p},critical,`);
    expect(rows).toHaveLength(1 + 1 + 3 + 2 + 10 + 1 + 2 * 10);
  });

  it('keeps a rule id that a spreadsheet would run as a formula from running', async () => {
    await f.alerts.upsert(sampleAlert('cg-x', { dedupKey: 'kx', ...seen, rule: { ...fpRule, id: '=HYPERLINK("http://x","y")' } }), 0);
    await f.services.alerts.falsePositive(f.actor('wu'), { id: 'cg-x' });
    const csv = await f.services.cases.kpisCsv(f.actor('wu'), period);
    expect(csv).toContain(`alerts.false_positive_rate,,2026-11-19T16:00:00.000Z,2026-11-20T16:00:00.000Z,"'=HYPERLINK(""http://x"",""y"")",1\r\n`);
  });

  it('refuses a period that is empty or longer than a year', async () => {
    await expect(f.services.cases.kpis(f.actor('wu'), { from: period.to, to: period.from })).rejects.toThrow(
      'the period must be positive and at most 366 days',
    );
    await expect(f.services.cases.kpis(f.actor('wu'), { from: '2025-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z' })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
    });
  });
});

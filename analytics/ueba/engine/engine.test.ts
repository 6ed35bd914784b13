import type { Doc } from '../../../core/doc';
import { defaultUebaConfig } from '../config';
import { FeatureEngine, HOUR } from './engine';
import { anomaliesOfRow, type Anomaly, type HourRow } from './rows';

/** A small world: baselines converge after 5 active hours, first contacts count after a day, silence of 3 days is dormancy. */
const cfg = defaultUebaConfig({
  latenessMinutes: 0,
  baseline: { window: 8, minObservations: 5 },
  hourOfWeek: { minObservations: 8 },
  rarity: { learningDays: 1 },
  dormancy: { days: 3 },
});

let seq = 0;
interface E {
  user?: string;
  dept?: string;
  dataset?: string;
  action?: string;
  records?: number;
  bytes?: number;
  classification?: string;
  owner?: string;
  host?: string;
  ip?: string;
  outcome?: string;
  eventAction?: string;
}
/** An ECS event as the pipeline hands it on (time in the city's +08:00). */
function ev(local: string, e: E = {}): Doc {
  seq++;
  return {
    '@timestamp': `${local}.000+08:00`,
    event: { id: `e${seq}`, outcome: e.outcome ?? 'success', ...(e.eventAction ? { action: e.eventAction } : {}) },
    user: { name: e.user ?? 'li', roles: ['analyst'] },
    ...(e.host ? { host: { name: e.host } } : {}),
    ...(e.ip ? { source: { ip: e.ip } } : {}),
    citysoc: {
      identity: { department: e.dept ?? '城管' },
      ...(e.dataset || e.action
        ? {
            data: {
              ...(e.dataset ? { dataset: e.dataset } : {}),
              action: e.action ?? 'read',
              ...(e.records !== undefined ? { records: e.records } : {}),
              ...(e.bytes !== undefined ? { bytes: e.bytes } : {}),
              ...(e.classification ? { classification: e.classification } : {}),
              ...(e.owner ? { owner_department: e.owner } : {}),
            },
          }
        : {}),
    },
  };
}

/** Weekday working hours from Monday 2026-06-01, 09:00 on. */
function workHour(i: number): string {
  const day = Math.floor(i / 8);
  const h = 9 + (i % 8);
  return `2026-06-${String(1 + day + Math.floor(day / 5) * 2).padStart(2, '0')}T${String(h).padStart(2, '0')}`;
}

function run(events: Doc[]): { rows: HourRow[]; anomalies: Anomaly[]; engine: FeatureEngine } {
  const engine = new FeatureEngine(cfg);
  const anomalies: Anomaly[] = [];
  const rows: HourRow[] = [];
  for (const e of events) {
    engine.process(e);
    const out = engine.drain();
    rows.push(...out.rows);
    anomalies.push(...out.anomalies);
  }
  engine.flush();
  const out = engine.drain();
  return { rows: [...rows, ...out.rows], anomalies: [...anomalies, ...out.anomalies], engine };
}

const userRows = (rows: HourRow[], user = 'li') => rows.filter((r) => r.entityType === 'user' && r.entity === user);

describe('the embedded UEBA engine', () => {
  test("an hour's row holds counts by action, record sums, distinct values and the highest classification", () => {
    const { rows } = run([
      ev('2026-06-01T10:05:00', { dataset: 'ga.hukou', records: 120, classification: '敏感', owner: '公安', ip: '10.1.1.5' }),
      ev('2026-06-01T10:20:00', { dataset: 'ga.hukou', records: 30, classification: '敏感', owner: '公安', ip: '10.1.1.5' }),
      ev('2026-06-01T10:40:00', { dataset: 'cg.tanfan', action: 'export', records: 500, bytes: 90_000, classification: '内部', owner: '城管', ip: '10.1.2.9' }),
      ev('2026-06-01T10:59:59', { dataset: 'ga.zaitao', records: 1, classification: '涉密', owner: '公安', outcome: 'failure' }),
    ]);
    const [row] = userRows(rows);
    expect(row!.hour).toBe(Date.parse('2026-06-01T10:00:00+08:00'));
    expect(row!.hourOfWeek).toBe(10); // Monday 10:00
    expect(row!.department).toBe('城管');
    expect(row!.role).toBe('analyst');
    expect(row!.values).toMatchObject({
      events: 3, // the failed read is not the user's doing
      data_reads: 2,
      exports: 1,
      records_read: 150,
      records_exported: 500,
      bytes_exported: 90_000,
      distinct_datasets: 2,
      distinct_source_subnets: 2,
      distinct_owner_departments: 2,
      foreign_reads: 2,
      sensitive_reads: 2,
      classified_reads: 0,
      max_classification: 3,
    });
    const dataset = rows.find((r) => r.entityType === 'dataset' && r.entity === 'ga.hukou')!;
    expect(dataset.values).toMatchObject({ accesses: 2, records_read: 150, distinct_users: 1, max_classification: 3 });
    expect(dataset.department).toBe('公安');
  });

  test('a value far above its baseline is reported by the event that crosses the threshold, and again with the final value when the hour closes', () => {
    const history = Array.from({ length: 6 }, (_, i) => ev(`${workHour(i)}:10:00`, { dataset: 'cg.tanfan', action: 'export', records: 100 }));
    const spike = [
      ev('2026-06-02T15:05:00', { dataset: 'cg.tanfan', action: 'export', records: 100 }),
      ev('2026-06-02T15:06:00', { dataset: 'cg.tanfan', action: 'export', records: 90_000 }),
      ev('2026-06-02T15:30:00', { dataset: 'cg.tanfan', action: 'export', records: 90_000 }),
    ];
    const { rows, anomalies } = run([...history, ...spike]);
    const exported = anomalies.filter((a) => a.entityType === 'user' && a.feature === 'records_exported');
    expect(exported).toHaveLength(2);
    const [early, final] = exported as [Anomaly, Anomaly];
    expect(early.id).toBe(final.id);
    expect(early.at).toBe(Date.parse('2026-06-02T15:06:00+08:00'));
    expect(early.eventIds).toEqual([String((spike[1]!.event as Doc).id)]);
    expect(early.observed).toBe(90_100);
    expect(early.final).toBeUndefined();
    // The final version keeps the time of the event that crossed: the risk rises then, not at the hour's start.
    expect(final).toMatchObject({ final: true, observed: 180_100, at: early.at });
    expect(final.baseline!.n).toBe(6);
    expect(final.baseline!.mean).toBeCloseTo(Math.log(101), 12);
    expect(final.baseline!.std).toBe(0.75); // the floor: six equal hours have no spread of their own
    expect(final.baseline!.z).toBeCloseTo((Math.log(180_101) - Math.log(101)) / 0.75, 10);
    const row = userRows(rows).find((r) => r.hour === Date.parse('2026-06-02T15:00:00+08:00'))!;
    expect(row.flagged).toContain('records_exported');
    expect(anomaliesOfRow(row).map((a) => a.id)).toContain(early.id);
  });

  test('no numeric anomaly before the baseline has its minimum of active hours', () => {
    const events = [
      ...Array.from({ length: 4 }, (_, i) => ev(`${workHour(i)}:10:00`, { dataset: 'cg.tanfan', records: 10 })),
      ev(`${workHour(4)}:10:00`, { dataset: 'cg.tanfan', records: 1_000_000 }),
    ];
    const { rows, anomalies } = run(events);
    expect(anomalies.filter((a) => a.kind === 'numeric')).toEqual([]);
    expect(userRows(rows).at(-1)!.stats.records_read).toBeNull();
    expect(userRows(rows).at(-1)!.nPrev).toBe(4);
  });

  test('activity after a silence longer than the dormancy period is a dormant anomaly measured in hours', () => {
    const { anomalies } = run([ev('2026-06-01T10:00:00', { dataset: 'cg.tanfan' }), ev('2026-06-05T14:30:00', { dataset: 'cg.tanfan' })]);
    const idle = anomalies.filter((a) => a.kind === 'dormant' && a.entityType === 'user');
    expect(idle.map((a) => [a.feature, a.observed])).toEqual([
      ['idle_hours', 100],
      ['idle_hours', 100],
    ]);
  });

  test('work at an hour of the week never worked around is rare; an hour next to the usual ones is not', () => {
    const week = Array.from({ length: 8 }, (_, i) => ev(`${workHour(i)}:15:00`, { dataset: 'cg.tanfan' }));
    const { anomalies } = run([...week, ev('2026-06-02T17:10:00', { dataset: 'cg.tanfan' }), ev('2026-06-03T03:10:00', { dataset: 'cg.tanfan' })]);
    const rare = anomalies.filter((a) => a.kind === 'rare_hour' && a.entityType === 'user');
    // Wednesday 03:00 = 2 × 24 + 3; Tuesday 17:00 sits next to 16:00, which Monday worked.
    expect([...new Set(rare.map((a) => a.observed))]).toEqual([51]);
  });

  test('a first contact counts once the learning period is over, once per value, with the dataset’s classification', () => {
    const { anomalies } = run([
      ev('2026-06-01T10:00:00', { dataset: 'cg.tanfan', ip: '10.1.1.5' }),
      ev('2026-06-01T11:00:00', { dataset: 'cg.weijian', ip: '10.1.1.5' }), // still learning
      ev('2026-06-02T10:30:00', { dataset: 'ga.zaitao', classification: '涉密', owner: '公安', ip: '10.1.1.5' }),
      ev('2026-06-02T10:40:00', { dataset: 'ga.zaitao', classification: '涉密', owner: '公安', ip: '10.1.1.5' }),
    ]);
    const first = anomalies.filter((a) => a.kind === 'first_seen');
    expect(first.map((a) => [a.feature, a.value, a.classification ?? null])).toEqual([
      ['new_dataset', 'ga.zaitao', '涉密'],
      ['new_owner_department', '公安', null],
    ]);
  });

  test('an event for an hour already final is counted as late and changes nothing', () => {
    const engine = new FeatureEngine(cfg);
    engine.process(ev('2026-06-01T10:00:00', { dataset: 'cg.tanfan' }));
    engine.process(ev('2026-06-01T12:00:00', { dataset: 'cg.tanfan' }));
    const before = engine.drain().rows.filter((r) => r.entityType === 'user');
    engine.process(ev('2026-06-01T10:30:00', { dataset: 'cg.tanfan' }));
    engine.flush();
    const after = engine.drain().rows.filter((r) => r.entityType === 'user');
    expect(before.map((r) => r.values.events)).toEqual([1]);
    expect(after.map((r) => r.hour)).toEqual([Date.parse('2026-06-01T12:00:00+08:00')]);
    expect(engine.counters.late).toBeGreaterThanOrEqual(1);
  });

  test('events a little out of order inside the lateness land in their own hour', () => {
    const engine = new FeatureEngine(defaultUebaConfig({ latenessMinutes: 10 }));
    for (const t of ['2026-06-01T10:58:00', '2026-06-01T11:02:00', '2026-06-01T10:59:30', '2026-06-01T11:30:00'])
      engine.process(ev(t, { dataset: 'cg.tanfan' }));
    engine.flush();
    const rows = engine.drain().rows.filter((r) => r.entityType === 'user');
    expect(rows.map((r) => [r.hour - Date.parse('2026-06-01T10:00:00+08:00'), r.values.events])).toEqual([
      [0, 2],
      [HOUR, 2],
    ]);
    expect(engine.counters.late).toBe(0);
  });
});

import { defaultUebaConfig } from '../config';
import type { HourRow } from '../engine/rows';
import { comparePeers } from './compare';
import { computePeers } from './groups';
import { ProfileStore } from './profiles';

// Sixteen users in clusters of about eight: two clusters.
const cfg = defaultUebaConfig({ peers: { minGroupSize: 3, clusterSize: 8, topPeers: 5, components: 4 } });
const H = 3_600_000;
const t0 = Date.parse('2026-06-01T01:00:00Z');

function row(user: string, hour: number, values: Record<string, number>, department: string, role: string): HourRow {
  return {
    entityType: 'user',
    entity: user,
    hour,
    hourOfWeek: 0,
    department,
    role,
    values,
    nPrev: 0,
    stats: {},
    flagged: [],
    gapHours: 0,
    dormant: false,
    nearPrior: 0,
    rareHour: false,
  };
}

/** Two teams: 公安 analysts on the population tables, 交通 officers on traffic data (who also export). */
function city(): ProfileStore {
  const store = new ProfileStore(cfg, 8 * H);
  const teams = [
    { prefix: 'ga', dept: '公安', role: 'analyst', datasets: ['ga.hukou', 'ga.jingqing'], exports: 0 },
    { prefix: 'jt', dept: '交通', role: 'officer', datasets: ['jt.liuliang', 'jt.gongjiao'], exports: 300 },
  ];
  for (const team of teams)
    for (let i = 0; i < 8; i++) {
      const user = `${team.prefix}${i}`;
      for (let h = 0; h < 40; h++) {
        const hour = t0 + h * H;
        store.addRow(
          row(
            user,
            hour,
            { events: 5 + (i % 3), records_exported: h % 10 === 0 ? team.exports : 0, exports: h % 10 === 0 && team.exports ? 1 : 0 },
            team.dept,
            team.role,
          ),
        );
        store.addDatasetHour({ user, dataset: team.datasets[h % 2]!, hour, events: 3 });
      }
    }
  return store;
}

describe('peer groups', () => {
  test('users who use the same datasets in the same department and role are each other’s top peers, with what they share', () => {
    const store = city();
    const model = computePeers(store, cfg, t0 + 41 * H);
    const ga0 = model.users.get('ga0')!;
    expect(ga0.peers).toHaveLength(5);
    expect(ga0.peers.every((p) => p.user.startsWith('ga'))).toBe(true);
    expect(ga0.peers[0]!.shared).toEqual(expect.arrayContaining(['dataset:ga.hukou']));
    expect(ga0.staticGroup).toBe('公安/analyst');
    // The behaviour clusters separate the two teams.
    expect(new Set(['ga1', 'ga2', 'ga3'].map((u) => model.users.get(u)!.cluster))).toEqual(new Set([ga0.cluster]));
    expect(model.users.get('jt0')!.cluster).not.toBe(ga0.cluster);
    expect(model.clusterSizes.every((s) => s >= cfg.peers.minGroupSize)).toBe(true);
  });

  test('recomputing over the same profiles gives the same groups', () => {
    const a = computePeers(city(), cfg, t0 + 41 * H);
    const b = computePeers(city(), cfg, t0 + 41 * H);
    expect([...b.users]).toEqual([...a.users]);
  });

  test('an export is common among peers who export about as much, and uncommon among peers who never export', () => {
    const store = city();
    const model = computePeers(store, cfg, t0 + 41 * H);
    const anomaly = (user: string, observed: number) => ({
      id: 'a',
      entityType: 'user' as const,
      entity: user,
      department: null,
      hour: t0 + 41 * H,
      at: t0 + 41 * H,
      kind: 'numeric' as const,
      feature: 'records_exported',
      observed,
      baseline: { mean: 0, std: 0.75, n: 40, z: 8 },
      eventIds: [],
    });
    const common = comparePeers(anomaly('jt0', 320), model, store, cfg, () => undefined)!;
    expect(common).toMatchObject({ verdict: 'common', peerMean: 300 });
    expect(common.doing).toBe(5);
    const huge = comparePeers(anomaly('jt0', 80_000), model, store, cfg, () => undefined)!;
    expect(huge.verdict).toBe('uncommon');
    expect(huge.peerZ).toBeGreaterThan(cfg.baseline.zThreshold);
    const unheard = comparePeers(anomaly('ga0', 300), model, store, cfg, () => undefined)!;
    expect(unheard).toMatchObject({ verdict: 'uncommon', doing: 0 });
  });

  test('a first access to a dataset the peers use is common; to one none of them uses, uncommon', () => {
    const store = city();
    const model = computePeers(store, cfg, t0 + 41 * H);
    const first = (value: string) => ({
      id: 'f',
      entityType: 'user' as const,
      entity: 'ga0',
      department: '公安',
      hour: t0,
      at: t0,
      kind: 'first_seen' as const,
      feature: 'new_dataset',
      observed: value,
      value,
      eventIds: [],
    });
    expect(comparePeers(first('ga.jingqing'), model, store, cfg, () => undefined)!.verdict).toBe('common');
    expect(comparePeers(first('jt.liuliang'), model, store, cfg, () => undefined)).toMatchObject({ verdict: 'uncommon', doing: 0 });
  });
});

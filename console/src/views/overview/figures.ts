/**
 * The figures the overview and the 大屏 draw, fetched together and refreshed on a timer: event
 * rates from eventAggregations, alert figures from the alert list (the API has no alert
 * aggregations yet, so the newest 1,000 alerts are counted here).
 */
import { graphql } from '../../data/graphql';
import { aggregateEvents } from '../../data/events';
import { intervalFor } from '../hunt/timeRange';
import { SEVERITIES } from '../../data/alerts';
import { usePolling } from '../live/usePolling';

const ALERT_SAMPLE = 1000;

export interface SocFigures {
  at: Date;
  eventsPerSecond: { t: number; v: number }[];
  eventsLastHour: number;
  eventsByDepartment: { name: string; value: number }[];
  topSources: { name: string; value: number }[];
  openAlerts: number;
  alertsTotal: number;
  /** Alerts by severity per time bucket of their first sighting (newest 1,000 alerts). */
  alertsBySeverity: { buckets: number[]; series: Record<string, number[]> };
  topRules: { name: string; value: number }[];
  alertsByDepartment: { name: string; value: number }[];
}

const ALERTS = /* GraphQL */ `
  query OverviewAlerts($size: Int) {
    all: alerts(size: $size) {
      total
      alerts {
        rule {
          name
          severity
        }
        firstSeen
        department
        count
      }
    }
    open: alerts(status: [open], size: 1) {
      total
    }
  }
`;

interface AlertSlim {
  rule: { name: string; severity: string };
  firstSeen: string;
  department: string | null;
  count: number;
}

function top(map: Map<string, number>, n: number): { name: string; value: number }[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, value]) => ({ name, value }));
}

const BUCKET_MS: Record<string, number> = {
  '1s': 1e3,
  '5s': 5e3,
  '10s': 1e4,
  '30s': 3e4,
  '1m': 6e4,
  '5m': 3e5,
  '10m': 6e5,
  '30m': 18e5,
  '1h': 36e5,
  '3h': 108e5,
  '6h': 216e5,
  '12h': 432e5,
  '1d': 864e5,
  '7d': 6048e5,
  '30d': 2592e6,
};

export function bySeverityOverTime(alerts: AlertSlim[]): SocFigures['alertsBySeverity'] {
  if (alerts.length === 0) return { buckets: [], series: Object.fromEntries(SEVERITIES.map((s) => [s, []])) };
  const times = alerts.map((a) => Date.parse(a.firstSeen));
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const step = BUCKET_MS[intervalFor(Math.max(hi - lo, 60_000), 30)]!;
  const start = Math.floor(lo / step) * step;
  const n = Math.floor((hi - start) / step) + 1;
  const buckets = Array.from({ length: n }, (_v, i) => start + i * step);
  const series: Record<string, number[]> = Object.fromEntries(SEVERITIES.map((s) => [s, new Array<number>(n).fill(0)]));
  alerts.forEach((a, i) => {
    const row = series[a.rule.severity];
    if (row) row[Math.floor((times[i]! - start) / step)]! += 1;
  });
  return { buckets, series };
}

export async function fetchFigures(now = new Date()): Promise<SocFigures> {
  const hourAgo = new Date(now.getTime() - 3_600_000).toISOString();
  const [ev, al] = await Promise.all([
    aggregateEvents(undefined, { from: hourAgo, to: now.toISOString() }, [
      { name: 'perMinute', type: 'date_histogram', interval: '1m' },
      { name: 'department', type: 'terms', field: 'organization.name', size: 8 },
      { name: 'source', type: 'terms', field: 'source.ip', size: 8 },
    ]),
    graphql<{ all: { total: number; alerts: AlertSlim[] }; open: { total: number } }>(ALERTS, { size: ALERT_SAMPLE }),
  ]);
  const agg = (name: string) => ev.aggs.find((a) => a.name === name)?.buckets ?? [];
  const rules = new Map<string, number>();
  const depts = new Map<string, number>();
  for (const a of al.all.alerts) {
    rules.set(a.rule.name, (rules.get(a.rule.name) ?? 0) + 1);
    const d = a.department ?? '—';
    depts.set(d, (depts.get(d) ?? 0) + 1);
  }
  return {
    at: now,
    eventsPerSecond: agg('perMinute').map((b) => ({
      t: typeof b.key === 'number' ? b.key : Date.parse(String(b.key)),
      v: Math.round((b.count / 60) * 100) / 100,
    })),
    eventsLastHour: ev.total,
    eventsByDepartment: agg('department').map((b) => ({ name: String(b.key), value: b.count })),
    topSources: agg('source').map((b) => ({ name: String(b.key), value: b.count })),
    openAlerts: al.open.total,
    alertsTotal: al.all.total,
    alertsBySeverity: bySeverityOverTime(al.all.alerts),
    topRules: top(rules, 8),
    alertsByDepartment: top(depts, 8),
  };
}

/**
 * The figures, fetched now, every `refreshMs` and whenever `reload()` is called (the 大屏 calls it
 * from the live alert feed); the last good figures stay on screen while a refresh fails.
 */
export function useFigures(refreshMs: number, enabled = true): { figures: SocFigures | null; error: unknown; reload: () => void } {
  const { data, error, reload } = usePolling(() => fetchFigures(), refreshMs, enabled);
  return { figures: data, error, reload };
}

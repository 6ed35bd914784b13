/**
 * UEBA measured against a simulation's answer key: which injected scenarios a risk alert found
 * (an alert on one of the scenario's entities, from its start until a day after its end, whose
 * explanation names the behaviour injected), and how many alerts found nothing that was injected.
 */
import type { Signal } from '../../core/signal';
import type { AnswerKeyEntry, ScenarioName } from './simulator/scenarios';

/** The features whose presence in an alert's explanation means it describes the scenario. */
export const EXPLAINED_BY: Readonly<Record<ScenarioName, readonly string[]>> = {
  mass_export: ['records_exported', 'bytes_exported', 'exports'],
  off_hours_secret: ['hour_of_week', 'classified_reads', 'sensitive_reads'],
  cross_department: ['new_owner_department', 'foreign_reads', 'distinct_owner_departments', 'new_dataset'],
  dormant_reactivated: ['idle_hours'],
  concurrent_sessions: ['distinct_source_subnets', 'new_source_subnet'],
  slow_exfiltration: ['records_exported', 'bytes_exported', 'exports'],
  privilege_self_grant: ['self_grants', 'grants'],
  password_spray: ['failed_logins', 'distinct_failed_users'],
  departing_download: ['distinct_datasets', 'records_read', 'records_exported', 'bytes_exported', 'exports', 'new_dataset', 'data_reads', 'sensitive_reads'],
};

const HOUR = 3_600_000;
/** An alert up to this long after a scenario ends still belongs to it (the risk stays high). */
const AFTERMATH = 7 * 24 * HOUR;

export interface ScenarioResult {
  readonly id: string;
  readonly scenario: ScenarioName;
  readonly user: string | null;
  readonly detected: boolean;
  /** The alert's explanation names one of the behaviour's features. */
  readonly explained: boolean;
  /** Minutes from the scenario's start to the first alert. */
  readonly delayMinutes?: number;
  readonly features?: readonly string[];
}

export interface Evaluation {
  readonly scenarios: readonly ScenarioResult[];
  readonly recall: number;
  readonly explainedRecall: number;
  readonly byType: Readonly<Record<string, { readonly injected: number; readonly detected: number; readonly explained: number }>>;
  readonly alerts: number;
  readonly falseAlerts: number;
  readonly userDays: number;
  readonly falsePer100UserDays: number;
  /** The alerts that matched nothing: entity and time, for inspection. */
  readonly unmatched: readonly { readonly entity: string; readonly time: string; readonly features: readonly string[] }[];
}

function featuresOf(s: Signal): string[] {
  const c = (s.reason?.contributions ?? []) as { feature: string }[];
  return [...new Set(c.map((x) => x.feature))];
}

export function evaluate(key: readonly AnswerKeyEntry[], alerts: readonly Signal[], userDays: number): Evaluation {
  const matched = new Set<string>();
  const scenarios: ScenarioResult[] = key.map((k) => {
    const start = Date.parse(k.start);
    const end = Date.parse(k.end);
    const hits = alerts.filter((s) => {
      const t = Date.parse(s.time);
      // The alert's own entity must be one of the scenario's (a user's alert naming a dataset it read is not a dataset alert).
      const own = s.entities[0]!;
      return t >= start - HOUR && t <= end + AFTERMATH && k.entities.some((e) => e.type === own.type && e.value === own.value);
    });
    for (const h of hits) matched.add(h.id);
    const inWindow = hits.filter((s) => Date.parse(s.time) <= end + 24 * HOUR);
    const explaining = inWindow.find((s) => featuresOf(s).some((f) => EXPLAINED_BY[k.scenario].includes(f)));
    const first = inWindow.sort((a, b) => Date.parse(a.time) - Date.parse(b.time))[0];
    return {
      id: k.id,
      scenario: k.scenario,
      user: k.user,
      detected: first !== undefined,
      explained: explaining !== undefined,
      ...(first ? { delayMinutes: Math.round((Date.parse(first.time) - start) / 60_000), features: featuresOf(explaining ?? first) } : {}),
    };
  });
  const byType: Record<string, { injected: number; detected: number; explained: number }> = {};
  for (const r of scenarios) {
    const t = (byType[r.scenario] ??= { injected: 0, detected: 0, explained: 0 });
    t.injected++;
    if (r.detected) t.detected++;
    if (r.explained) t.explained++;
  }
  const unmatchedAlerts = alerts.filter((s) => !matched.has(s.id));
  const n = scenarios.length || 1;
  return {
    scenarios,
    recall: scenarios.filter((r) => r.detected).length / n,
    explainedRecall: scenarios.filter((r) => r.explained).length / n,
    byType,
    alerts: alerts.length,
    falseAlerts: unmatchedAlerts.length,
    userDays,
    falsePer100UserDays: (100 * unmatchedAlerts.length) / userDays,
    unmatched: unmatchedAlerts.map((s) => ({ entity: `${s.entities[0]!.type}:${s.entities[0]!.value}`, time: s.time, features: featuresOf(s) })),
  };
}

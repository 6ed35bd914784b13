/**
 * Insider and account-misuse scenarios injected into the simulated city, each with its entry in
 * the answer key (who, when, what) that a detector is measured against. Scenarios are planned
 * once from the seed, before any day is generated; each names the days on which the person's
 * ordinary activity stops (a dormant or departed account) and adds its own activities.
 */
import type { Activity } from './activity';
import { CITY_OFFSET_MS, pad } from './activity';
import { apiCall, hiveQuery, mysqlGrant, mysqlSelects, mysqlSession, pgStatements, sshFailure, sshSession, useDataset, who } from './acts';
import { dayStart, weekday, type CityIndex } from './behaviour';
import { SPRAY_NAMES } from './catalog';
import type { City, Dataset, Person } from './city';
import { PLATFORM_HOSTS } from './city';
import { Random } from './random';

export const SCENARIOS = [
  'mass_export',
  'off_hours_secret',
  'cross_department',
  'dormant_reactivated',
  'concurrent_sessions',
  'slow_exfiltration',
  'privilege_self_grant',
  'password_spray',
  'departing_download',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface KeyEntity {
  readonly type: 'user' | 'host' | 'ip' | 'dataset';
  readonly value: string;
}

export interface AnswerKeyEntry {
  readonly id: string;
  readonly scenario: ScenarioName;
  /** The account misused; null when the actor is an address (a password spray). */
  readonly user: string | null;
  /** Everything a detection may name to count as finding this scenario. */
  readonly entities: readonly KeyEntity[];
  /** ISO 8601 in the city's time. */
  readonly start: string;
  readonly end: string;
  readonly description: { readonly zh: string; readonly en: string };
}

export interface Injection {
  readonly entry: AnswerKeyEntry;
  /** The person whose ordinary activity the scenario changes, if any. */
  readonly person?: string;
  /** Days on which that person's ordinary activity does not happen. */
  readonly silent?: (day: number) => boolean;
  /** The scenario's own activities on a day. */
  activities(day: number): Activity[];
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

export function isoLocal(t: number): string {
  const l = new Date(t + CITY_OFFSET_MS);
  return `${l.getUTCFullYear()}-${pad(l.getUTCMonth() + 1)}-${pad(l.getUTCDate())}T${pad(l.getUTCHours())}:${pad(l.getUTCMinutes())}:${pad(l.getUTCSeconds())}+08:00`;
}

/** Days in [from, to] that are weekdays. */
function weekdays(city: City, from: number, to: number): number[] {
  const out: number[] = [];
  for (let d = Math.max(0, from); d <= Math.min(city.days - 1, to); d++) {
    const w = weekday(city, d);
    if (w !== 0 && w !== 6) out.push(d);
  }
  return out;
}

function pickDay(rnd: Random, days: readonly number[]): number | undefined {
  return days.length === 0 ? undefined : rnd.pick(days);
}

/** Scenarios need this many days of ordinary behaviour before them (the detectors' learning time). */
export const LEARNING_DAYS = 10;

interface Planner {
  readonly city: City;
  readonly idx: CityIndex;
  readonly rnd: Random;
  /** Takes an eligible person nobody else's scenario uses; undefined when none is left. */
  take(eligible: (p: Person) => boolean): Person | undefined;
  seq: number;
}

type Plan = (pl: Planner) => Injection | undefined;

const steady = (p: Person, days: number) => p.firstDay === 0 && p.lastDay === days - 1 && !p.vacation && p.role !== 'duty';
const uses = (p: Person) => p.role === 'analyst' || p.role === 'officer' || p.role === 'manager';

function entry(
  pl: Planner,
  scenario: ScenarioName,
  user: string | null,
  entities: KeyEntity[],
  start: number,
  end: number,
  zh: string,
  en: string,
): AnswerKeyEntry {
  pl.seq++;
  return {
    id: `${scenario}-${String(pl.seq).padStart(3, '0')}`,
    scenario,
    user,
    entities,
    start: isoLocal(start),
    end: isoLocal(end),
    description: { zh, en },
  };
}

const userEntity = (p: Person): KeyEntity => ({ type: 'user', value: p.name });

const massExport: Plan = (pl) => {
  const p = pl.take((x) => steady(x, pl.city.days) && uses(x));
  if (!p) return undefined;
  const { city, rnd, idx } = pl;
  const day = pickDay(rnd, weekdays(city, LEARNING_DAYS, city.days - 2));
  if (day === undefined) return undefined;
  const candidates = [...p.datasets, ...p.shared].map((id) => idx.datasets.get(id)!).filter((d) => d.classification === '敏感' || d.classification === '涉密');
  const d = candidates.length > 0 ? rnd.pick(candidates) : idx.datasets.get(p.datasets[0]!)!;
  const start = dayStart(city, day) + rnd.int(10, 15) * HOUR + rnd.int(0, 20) * MINUTE;
  const calls = rnd.int(4, 8);
  const acts: Activity[] = [];
  for (let i = 0; i < calls; i++) acts.push(apiCall(rnd, start + i * rnd.int(3, 6) * MINUTE, who(p), d, 'export', rnd.logNormal(80_000, 0.4), 'open-data'));
  const end = acts[acts.length - 1]!.t;
  return {
    entry: entry(
      pl,
      'mass_export',
      p.name,
      [userEntity(p), { type: 'dataset', value: d.id }],
      start,
      end,
      `${p.name} 在一小时内批量导出 ${d.label}（${d.classification}）`,
      `${p.name} exports ${d.id} (${d.classification}) in bulk within an hour`,
    ),
    person: p.name,
    activities: (dd) => (dd === day ? acts : []),
  };
};

const offHoursSecret: Plan = (pl) => {
  const { city, rnd, idx } = pl;
  const p = pl.take((x) => steady(x, city.days) && x.role !== 'ops' && (idx.byDept.get(x.deptCode) ?? []).some((d) => d.classification === '涉密'));
  if (!p) return undefined;
  const d = rnd.pick(idx.byDept.get(p.deptCode)!.filter((x) => x.classification === '涉密'));
  const day = rnd.int(LEARNING_DAYS, city.days - 2);
  const start = dayStart(city, day) + rnd.int(1, 2) * HOUR + rnd.int(0, 40) * MINUTE;
  const u = who(p);
  const acts: Activity[] = [];
  const n = rnd.int(6, 12);
  for (let i = 0; i < n; i++) {
    const t = start + i * rnd.int(4, 9) * MINUTE;
    acts.push(...(d.platform === 'hive' ? hiveQuery(rnd, t, u, d) : useDataset(rnd, t, u, d)));
  }
  acts.push(apiCall(rnd, start + n * 9 * MINUTE, u, d, 'read', rnd.logNormal(2_000, 0.5)));
  const end = Math.max(...acts.map((a) => a.t));
  return {
    entry: entry(
      pl,
      'off_hours_secret',
      p.name,
      [userEntity(p), { type: 'dataset', value: d.id }],
      start,
      end,
      `${p.name} 凌晨访问涉密数据 ${d.label}`,
      `${p.name} reads the 涉密 dataset ${d.id} in the middle of the night`,
    ),
    person: p.name,
    activities: (dd) => (dd === day ? acts : []),
  };
};

const crossDepartment: Plan = (pl) => {
  const { city, rnd } = pl;
  const p = pl.take((x) => steady(x, city.days) && (x.role === 'analyst' || x.role === 'officer'));
  if (!p) return undefined;
  const granted = new Set(city.grants.filter((g) => g.deptCode === p.deptCode).map((g) => g.dataset));
  const foreign = city.datasets.filter((d) => d.deptCode !== p.deptCode && !granted.has(d.id) && d.classification !== '公开');
  const targets = rnd.sample(foreign, rnd.int(2, 4));
  const day = pickDay(rnd, weekdays(city, LEARNING_DAYS, city.days - 2));
  if (day === undefined) return undefined;
  const start = dayStart(city, day) + rnd.int(9, 15) * HOUR + rnd.int(0, 30) * MINUTE;
  const u = who(p);
  const acts: Activity[] = [];
  let t = start;
  for (const d of targets) {
    for (let i = 0; i < rnd.int(3, 6); i++) {
      t += rnd.int(2, 8) * MINUTE;
      acts.push(...(rnd.chance(0.5) ? [apiCall(rnd, t, u, d, 'read', rnd.logNormal(500, 0.6))] : useDataset(rnd, t, u, d)));
    }
  }
  return {
    entry: entry(
      pl,
      'cross_department',
      p.name,
      [userEntity(p), ...targets.map((d) => ({ type: 'dataset' as const, value: d.id }))],
      start,
      t,
      `${p.name} 在无共享授权的情况下访问其他部门数据：${targets.map((d) => d.label).join('、')}`,
      `${p.name} reads other departments' datasets without any grant: ${targets.map((d) => d.id).join(', ')}`,
    ),
    person: p.name,
    activities: (dd) => (dd === day ? acts : []),
  };
};

const dormantReactivated: Plan = (pl) => {
  const { city, rnd, idx } = pl;
  if (city.days < 28) return undefined;
  const p = pl.take((x) => steady(x, city.days) && x.role !== 'ops');
  if (!p) return undefined;
  const activeUntil = 3;
  const day = rnd.int(Math.max(26, activeUntil + 23), city.days - 1);
  const start = dayStart(city, day) + rnd.int(9, 16) * HOUR + rnd.int(0, 50) * MINUTE;
  const u = who(p);
  const acts: Activity[] = [];
  let t = start;
  const pool = [...p.datasets, ...p.shared].map((id) => idx.datasets.get(id)!);
  for (let i = 0; i < rnd.int(6, 12); i++) {
    t += rnd.int(2, 7) * MINUTE;
    const d = rnd.pick(pool);
    acts.push(...(rnd.chance(0.5) ? [apiCall(rnd, t, u, d, 'read', rnd.logNormal(800, 0.6))] : useDataset(rnd, t, u, d)));
  }
  acts.push(apiCall(rnd, t + 4 * MINUTE, u, rnd.pick(pool), 'export', rnd.logNormal(3_000, 0.5)));
  return {
    entry: entry(
      pl,
      'dormant_reactivated',
      p.name,
      [userEntity(p)],
      start,
      t + 4 * MINUTE,
      `沉寂账号 ${p.name} 在 ${day - activeUntil} 天未使用后突然重新活动`,
      `account ${p.name}, unused for ${day - activeUntil} days, is active again`,
    ),
    person: p.name,
    silent: (dd) => dd > activeUntil,
    activities: (dd) => (dd === day ? acts : []),
  };
};

const concurrentSessions: Plan = (pl) => {
  const { city, rnd, idx } = pl;
  const p = pl.take((x) => steady(x, city.days) && (x.role === 'developer' || x.role === 'ops') && x.sshHosts.length > 0);
  if (!p) return undefined;
  const day = pickDay(rnd, weekdays(city, LEARNING_DAYS, city.days - 2));
  if (day === undefined) return undefined;
  const start = dayStart(city, day) + rnd.int(10, 15) * HOUR + rnd.int(0, 30) * MINUTE;
  const other = `172.16.${rnd.int(100, 250)}.${rnd.int(2, 250)}`;
  const host = rnd.pick(p.sshHosts);
  const home = who(p);
  const away = who(p, other);
  const acts: Activity[] = [
    ...sshSession(rnd, start, host, p.name, p.ip, { minutes: 70 }),
    ...sshSession(rnd, start + rnd.int(5, 20) * MINUTE, host, p.name, other, { minutes: 40, method: 'password' }),
  ];
  const pool = p.datasets.map((id) => idx.datasets.get(id)!);
  for (let i = 0; i < rnd.int(4, 8); i++) {
    const t = start + rnd.int(5, 60) * MINUTE;
    acts.push(...useDataset(rnd, t, i % 2 === 0 ? home : away, rnd.pick(pool)));
  }
  const end = Math.max(...acts.map((a) => a.t));
  return {
    entry: entry(
      pl,
      'concurrent_sessions',
      p.name,
      [userEntity(p), { type: 'ip', value: other }, { type: 'host', value: host }],
      start,
      end,
      `账号 ${p.name} 同时从工位 ${p.ip} 与陌生地址 ${other} 登录使用`,
      `account ${p.name} is used at the same time from its workstation ${p.ip} and from ${other}`,
    ),
    person: p.name,
    activities: (dd) => (dd === day ? acts : []),
  };
};

const slowExfiltration: Plan = (pl) => {
  const { city, rnd, idx } = pl;
  const duration = Math.min(21, city.days - LEARNING_DAYS - 2);
  if (duration < 7) return undefined;
  const p = pl.take((x) => steady(x, city.days) && uses(x) && [...x.datasets, ...x.shared].some((id) => idx.datasets.get(id)!.classification === '敏感'));
  if (!p) return undefined;
  const d = rnd.pick([...p.datasets, ...p.shared].map((id) => idx.datasets.get(id)!).filter((x) => x.classification === '敏感'));
  const first = rnd.int(LEARNING_DAYS, city.days - duration - 1);
  const days = new Map<number, Activity[]>();
  const u = who(p);
  for (const day of weekdays(city, first, first + duration - 1)) {
    const acts: Activity[] = [];
    for (let i = 0; i < rnd.int(1, 2); i++)
      acts.push(
        apiCall(rnd, dayStart(city, day) + rnd.int(10, 17) * HOUR + rnd.int(0, 59) * MINUTE, u, d, 'export', rnd.logNormal(2_500, 0.3), 'report-center'),
      );
    days.set(day, acts);
  }
  const all = [...days.values()].flat();
  return {
    entry: entry(
      pl,
      'slow_exfiltration',
      p.name,
      [userEntity(p), { type: 'dataset', value: d.id }],
      Math.min(...all.map((a) => a.t)),
      Math.max(...all.map((a) => a.t)),
      `${p.name} 连续数周每天少量导出 ${d.label}`,
      `${p.name} exports a little of ${d.id} every working day for weeks`,
    ),
    person: p.name,
    activities: (dd) => days.get(dd) ?? [],
  };
};

const privilegeSelfGrant: Plan = (pl) => {
  const { city, rnd, idx } = pl;
  const database = (d: Dataset) => d.platform === 'mysql' || d.platform === 'postgresql';
  const p = pl.take((x) => steady(x, city.days) && (x.role === 'developer' || x.role === 'analyst') && (idx.byDept.get(x.deptCode) ?? []).some(database));
  if (!p) return undefined;
  const candidates = idx.byDept.get(p.deptCode)!.filter(database);
  const unused = candidates.filter((x) => !p.datasets.includes(x.id));
  const d = rnd.pick(unused.length > 0 ? unused : candidates);
  const day = pickDay(rnd, weekdays(city, LEARNING_DAYS, city.days - 2));
  if (day === undefined) return undefined;
  const start = dayStart(city, day) + rnd.int(10, 16) * HOUR + rnd.int(0, 30) * MINUTE;
  const u = who(p);
  const acts: Activity[] =
    d.platform === 'mysql'
      ? mysqlSession(rnd, start, u, d, [mysqlGrant(d, p.name), ...mysqlSelects(rnd, d, rnd.int(4, 8))])
      : [...pgStatements(rnd, start, u, d, 0, p.name), ...pgStatements(rnd, start + 2 * MINUTE, u, d, rnd.int(4, 8))];
  const end = Math.max(...acts.map((a) => a.t));
  return {
    entry: entry(
      pl,
      'privilege_self_grant',
      p.name,
      [userEntity(p), { type: 'dataset', value: d.id }],
      start,
      end,
      `${p.name} 给自己授予 ${d.label} 的访问权限并随即读取`,
      `${p.name} grants itself access to ${d.id} and reads it`,
    ),
    person: p.name,
    activities: (dd) => (dd === day ? acts : []),
  };
};

const passwordSpray: Plan = (pl) => {
  const { city, rnd } = pl;
  const day = rnd.int(LEARNING_DAYS, city.days - 1);
  const dept = rnd.pick(city.departments);
  const hosts = rnd.sample([...dept.appHosts, PLATFORM_HOSTS.bastion], rnd.int(2, 3));
  const ip = rnd.chance(0.5) ? `203.0.113.${rnd.int(2, 250)}` : `10.${20 + rnd.int(0, 9)}.${rnd.int(200, 250)}.${rnd.int(2, 250)}`;
  const start = dayStart(city, day) + rnd.int(0, 22) * HOUR + rnd.int(0, 50) * MINUTE;
  const span = rnd.int(20, 45) * MINUTE;
  const real = rnd.sample(city.people, rnd.int(20, 40)).map((p) => [p.name, true] as const);
  const made = rnd.sample(SPRAY_NAMES, rnd.int(8, 14)).map((n) => [n, false] as const);
  const acts: Activity[] = [];
  for (const [name, exists] of rnd.shuffle([...real, ...made])) {
    for (const host of hosts) acts.push(...sshFailure(rnd, start + Math.floor(rnd.next() * span), host, name, ip, exists));
  }
  return {
    entry: entry(
      pl,
      'password_spray',
      null,
      [{ type: 'ip', value: ip }, ...hosts.map((h) => ({ type: 'host' as const, value: h }))],
      start,
      start + span + 3000,
      `来自 ${ip} 的密码喷洒：${real.length + made.length} 个账号、${hosts.length} 台主机`,
      `password spray from ${ip}: ${real.length + made.length} accounts on ${hosts.length} hosts`,
    ),
    activities: (dd) => (dd === day ? acts : []),
  };
};

const departingDownload: Plan = (pl) => {
  const { city, rnd, idx } = pl;
  const p = pl.take((x) => steady(x, city.days) && (x.role === 'analyst' || x.role === 'developer' || x.role === 'officer'));
  if (!p) return undefined;
  const lastDay = pickDay(rnd, weekdays(city, LEARNING_DAYS + 4, city.days - 1));
  if (lastDay === undefined) return undefined;
  const spree = weekdays(city, lastDay - 6, lastDay).slice(-4);
  const u = who(p);
  const pool = [...idx.byDept.get(p.deptCode)!, ...p.shared.map((id) => idx.datasets.get(id)!)];
  const days = new Map<number, Activity[]>();
  for (const day of spree) {
    const acts: Activity[] = [];
    const base = dayStart(city, day) + 9 * HOUR;
    for (const d of rnd.sample(pool, rnd.int(Math.min(5, pool.length), pool.length))) {
      const t = base + rnd.int(0, 8 * 60) * MINUTE;
      acts.push(apiCall(rnd, t, u, d, 'read', rnd.logNormal(6_000, 0.5)));
      acts.push(...useDataset(rnd, t + 2 * MINUTE, u, d, 2));
    }
    for (let i = 0; i < rnd.int(2, 4); i++)
      acts.push(apiCall(rnd, base + rnd.int(0, 8 * 60) * MINUTE, u, rnd.pick(pool), 'export', rnd.logNormal(15_000, 0.5)));
    days.set(day, acts);
  }
  const all = [...days.values()].flat();
  return {
    entry: entry(
      pl,
      'departing_download',
      p.name,
      [userEntity(p)],
      Math.min(...all.map((a) => a.t)),
      Math.max(...all.map((a) => a.t)),
      `即将离职的 ${p.name} 在最后几天大量下载本部门及共享数据`,
      `${p.name}, about to leave, downloads much of the department's and shared data in the last days`,
    ),
    person: p.name,
    silent: (dd) => dd > lastDay,
    activities: (dd) => days.get(dd) ?? [],
  };
};

const PLANS: Readonly<Record<ScenarioName, Plan>> = {
  mass_export: massExport,
  off_hours_secret: offHoursSecret,
  cross_department: crossDepartment,
  dormant_reactivated: dormantReactivated,
  concurrent_sessions: concurrentSessions,
  slow_exfiltration: slowExfiltration,
  privilege_self_grant: privilegeSelfGrant,
  password_spray: passwordSpray,
  departing_download: departingDownload,
};

/** How many instances of each scenario a city of this size gets. */
export function instancesPerScenario(users: number): number {
  return Math.max(1, Math.ceil(users / 200));
}

export interface ScenarioPlan {
  readonly injections: readonly Injection[];
  /** Scenarios that could not be placed, with why (too few days, nobody eligible). */
  readonly skipped: readonly { readonly scenario: ScenarioName; readonly reason: string }[];
}

export function planScenarios(city: City, idx: CityIndex, perScenario = instancesPerScenario(city.people.length)): ScenarioPlan {
  const rnd = new Random(city.seed, 'scenarios');
  const used = new Set<string>();
  const pl: Planner = {
    city,
    idx,
    rnd,
    seq: 0,
    take(eligible) {
      const pool = city.people.filter((p) => !used.has(p.name) && eligible(p));
      if (pool.length === 0) return undefined;
      const p = rnd.pick(pool);
      used.add(p.name);
      return p;
    },
  };
  const injections: Injection[] = [];
  const skipped: { scenario: ScenarioName; reason: string }[] = [];
  if (city.days < LEARNING_DAYS + 4) {
    for (const s of SCENARIOS) skipped.push({ scenario: s, reason: `needs at least ${LEARNING_DAYS + 4} days (${LEARNING_DAYS} of ordinary behaviour first)` });
    return { injections, skipped };
  }
  for (let i = 0; i < perScenario; i++) {
    for (const s of SCENARIOS) {
      const inj = PLANS[s](pl);
      if (inj) injections.push(inj);
      else if (!skipped.some((x) => x.scenario === s))
        skipped.push({ scenario: s, reason: s === 'dormant_reactivated' && city.days < 28 ? 'needs at least 28 days' : 'no eligible person or day left' });
    }
  }
  return { injections, skipped };
}

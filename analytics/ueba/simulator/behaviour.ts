/**
 * An ordinary working day of one person: when they work (office hours with some overtime and the
 * odd weekend, a duty roster for 值班 roles, days off, holidays), how much (their role's rate
 * times their own intensity) and what (their usual datasets, the shared ones their department is
 * granted, SSH and sudo for engineers, grants for DBAs, the occasional export). A little noise
 * that real cities have is kept on purpose: typos at login, a denied query, a first look at a
 * dataset of one's own department, late evenings — a detector must live with it.
 */
import type { Activity } from './activity';
import { CITY_OFFSET_MS } from './activity';
import { apiCall, mysqlGrant, mysqlSelects, mysqlSession, pgStatements, sshSession, useDataset, who } from './acts';
import { ROLES, type ActivityKind } from './catalog';
import type { City, Dataset, Person } from './city';
import type { Random } from './random';

const MINUTE = 60_000;
const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Local midnight of a simulated day. */
export function dayStart(city: City, day: number): number {
  return city.start + day * DAY;
}

/** 0 = Sunday … 6 = Saturday, in the city's time. */
export function weekday(city: City, day: number): number {
  return new Date(dayStart(city, day) + CITY_OFFSET_MS + 12 * HOUR).getUTCDay();
}

export interface CityIndex {
  readonly datasets: ReadonlyMap<string, Dataset>;
  readonly byDept: ReadonlyMap<string, readonly Dataset[]>;
  readonly colleagues: ReadonlyMap<string, readonly Person[]>;
}

export function indexCity(city: City): CityIndex {
  const byDept = new Map<string, Dataset[]>();
  for (const d of city.datasets) byDept.set(d.deptCode, [...(byDept.get(d.deptCode) ?? []), d]);
  const colleagues = new Map<string, Person[]>();
  for (const p of city.people) colleagues.set(p.deptCode, [...(colleagues.get(p.deptCode) ?? []), p]);
  return { datasets: new Map(city.datasets.map((d) => [d.id, d])), byDept, colleagues };
}

/** [from, to) of the person's working time that day, in epoch ms, and how busy they are; null when off. */
export function workWindow(city: City, p: Person, day: number, rnd: Random): { from: number; to: number; load: number } | null {
  if (day < p.firstDay || day > p.lastDay) return null;
  if (p.vacation && day >= p.vacation[0] && day <= p.vacation[1]) return null;
  const midnight = dayStart(city, day);
  if (p.role === 'duty') {
    const phase = (day + p.shiftPhase) % 4;
    if (phase === 0) return { from: midnight + 8 * HOUR, to: midnight + 20 * HOUR, load: 1.2 };
    if (phase === 1) return { from: midnight + 20 * HOUR, to: midnight + 32 * HOUR, load: 0.8 };
    return null;
  }
  const dow = weekday(city, day);
  if (dow === 0 || dow === 6) {
    if (!rnd.chance(0.04)) return null;
    const from = midnight + rnd.int(9, 14) * HOUR + rnd.int(0, 59) * MINUTE;
    return { from, to: from + rnd.int(2, 5) * HOUR, load: 0.35 };
  }
  if (rnd.chance(0.03)) return null; // sick or on business elsewhere
  const from = midnight + (p.workStart + rnd.int(-15, 15)) * MINUTE;
  let to = midnight + (p.workEnd + rnd.int(-20, 20)) * MINUTE;
  if (rnd.chance(0.08)) to += rnd.int(60, 150) * MINUTE; // overtime
  return { from, to, load: 1 };
}

function instant(rnd: Random, from: number, to: number, midnight: number): number {
  let t = from + Math.floor(rnd.next() * (to - from));
  // Lunch (12:00–13:30) is mostly quiet.
  const minute = (t - midnight) / MINUTE;
  if (minute >= 720 && minute < 810 && rnd.chance(0.8)) t = from + Math.floor(rnd.next() * (to - from));
  return t;
}

const pickOwn = (rnd: Random, p: Person, idx: CityIndex): Dataset => {
  // Now and then a first look at another dataset of one's own department.
  if (rnd.chance(0.015)) return rnd.pick(idx.byDept.get(p.deptCode)!);
  return idx.datasets.get(rnd.zipf(p.datasets))!;
};

/** The activities of a person's ordinary day (empty when they do not work). */
export function ordinaryDay(city: City, idx: CityIndex, p: Person, day: number, rnd: Random): Activity[] {
  const w = workWindow(city, p, day, rnd);
  if (!w) return [];
  const profile = ROLES[p.role];
  const midnight = dayStart(city, day);
  const hours = (w.to - w.from) / HOUR;
  const n = rnd.poisson(profile.activitiesPerDay * p.intensity * w.load * Math.min(1.4, hours / 9));
  const u = who(p);
  const passwordUser = p.name.length % 5 === 0;
  const out: Activity[] = [];
  const kinds = (Object.entries(profile.mix) as [ActivityKind, number][]).filter(([, weight]) => weight > 0);
  for (let i = 0; i < n; i++) {
    const t = instant(rnd, w.from, w.to, midnight);
    let kind = rnd.weighted(kinds, ([, weight]) => weight)[0];
    if (kind === 'shared_api' && p.shared.length === 0) kind = 'dataset';
    if (kind === 'ssh' && p.sshHosts.length === 0) kind = 'dataset';
    switch (kind) {
      case 'dataset': {
        const d = pickOwn(rnd, p, idx);
        if (p.role === 'officer' || p.role === 'manager' || p.role === 'duty') out.push(apiCall(rnd, t, u, d, 'read', rnd.logNormal(60, 1)));
        else out.push(...useDataset(rnd, t, u, d, p.intensity));
        break;
      }
      case 'shared_api':
        out.push(apiCall(rnd, t, u, idx.datasets.get(rnd.zipf(p.shared))!, 'read', rnd.logNormal(150, 1)));
        break;
      case 'ssh':
        out.push(
          ...sshSession(rnd, t, rnd.zipf(p.sshHosts), p.name, p.ip, {
            sudo: p.role === 'ops' ? rnd.poisson(1.5) : 0,
            method: passwordUser ? 'password' : 'publickey',
            typo: passwordUser && rnd.chance(0.05),
          }),
        );
        break;
      case 'grant': {
        const own = idx.byDept.get(p.deptCode)!;
        const mine = own.filter((d) => d.platform === 'mysql' || d.platform === 'postgresql');
        const d = rnd.pick(mine.length > 0 ? mine : own);
        const others = idx.colleagues.get(p.deptCode)!.filter((c) => c.name !== p.name);
        const grantee = others.length > 0 ? rnd.pick(others).name : 'report_reader';
        if (d.platform === 'postgresql') out.push(...pgStatements(rnd, t, u, d, 1, grantee));
        else out.push(...mysqlSession(rnd, t, u, d, [...mysqlSelects(rnd, d, 1), mysqlGrant(d, grantee)]));
        break;
      }
    }
  }
  if (rnd.chance(profile.exportPerDay * w.load)) {
    const pool = [...p.datasets, ...p.shared];
    out.push(apiCall(rnd, instant(rnd, w.from, w.to, midnight), u, idx.datasets.get(rnd.pick(pool))!, 'export', rnd.logNormal(600, 0.8), 'report-center'));
  }
  return out;
}

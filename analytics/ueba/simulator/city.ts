/**
 * The simulated city: departments with their servers, datasets with classification and owner,
 * data-sharing grants between departments, and people with a role, a workstation, working hours
 * and habits. Built from the seed alone, so the same seed and size give the same city.
 */
import type { Classification } from '../../../core/event';
import { DEPARTMENTS, GIVEN, ROLES, ROLE_NAMES, SURNAMES, type DepartmentTemplate, type Platform, type RoleName } from './catalog';
import { Random } from './random';

export interface Department {
  readonly code: string;
  readonly name: string;
  readonly en: string;
  readonly index: number;
  readonly shifts: boolean;
  /** Application servers people of the department log in to. */
  readonly appHosts: readonly string[];
  readonly mysqlHost: string;
  readonly pgHost: string;
}

export interface Dataset {
  /** The id the parsers and the data catalog agree on: `<dept>.<name>`. */
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly deptCode: string;
  /** Owner department (Chinese name, as enrichment writes it). */
  readonly department: string;
  readonly classification: Classification;
  readonly platform: Platform;
  /** Resource prefixes that belong to it: Hive table, HDFS path, MySQL schema. */
  readonly resources: readonly string[];
  readonly columns: readonly string[];
}

export interface Grant {
  readonly id: string;
  readonly dataset: string;
  /** Grantee department (Chinese name). */
  readonly department: string;
  readonly deptCode: string;
}

export interface Host {
  readonly name: string;
  readonly ip: string;
  readonly department: string;
  readonly type: 'app' | 'mysql' | 'postgresql' | 'platform' | 'workstation';
  readonly criticality: 'low' | 'medium' | 'high' | 'critical';
  readonly owner?: string;
}

export interface Person {
  readonly name: string;
  readonly fullName: string;
  readonly uid: number;
  readonly deptCode: string;
  readonly department: string;
  readonly role: RoleName;
  /** Workstation address. */
  readonly ip: string;
  readonly workstation: string;
  /** Minutes after local midnight. */
  readonly workStart: number;
  readonly workEnd: number;
  /** Multiplier of the role's activity rate (some people simply do more). */
  readonly intensity: number;
  /** Own department's datasets this person works with, most used first. */
  readonly datasets: readonly string[];
  /** Other departments' datasets granted to this person's department that they use. */
  readonly shared: readonly string[];
  readonly sshHosts: readonly string[];
  /** First and last simulated day the person works (joiners start late, leavers stop early). */
  readonly firstDay: number;
  readonly lastDay: number;
  /** Days off [from, to], inclusive. */
  readonly vacation?: readonly [number, number];
  /** Duty roster phase: day shift, night shift, two days off (duty role only). */
  readonly shiftPhase: number;
}

export interface City {
  readonly seed: number;
  readonly days: number;
  /** Local midnight (+08:00) of day 0, epoch ms. */
  readonly start: number;
  readonly departments: readonly Department[];
  readonly datasets: readonly Dataset[];
  readonly grants: readonly Grant[];
  readonly hosts: readonly Host[];
  readonly people: readonly Person[];
}

/** The platform's shared servers: HiveServer2, the HDFS NameNode, the data-sharing API gateway, the bastion. */
export const PLATFORM_HOSTS = { hive: 'hs2-01', namenode: 'nn-01', gateway: 'api-gw-01', bastion: 'bastion-01' } as const;

const CLASS_WEIGHTS: readonly (readonly [Classification, number])[] = [
  ['公开', 0.15],
  ['内部', 0.5],
  ['敏感', 0.3],
  ['涉密', 0.05],
];
const PLATFORMS: readonly Platform[] = ['hive', 'hive', 'hdfs', 'mysql', 'postgresql'];

function datasetOf(t: { name: string; label: string; classification: Classification; platform: Platform }, d: DepartmentTemplate): Dataset {
  const id = `${d.code}.${t.name}`;
  const resources =
    t.platform === 'hive'
      ? [id, `/warehouse/tablespace/managed/hive/${d.code}.db/${t.name}`]
      : t.platform === 'hdfs'
        ? [`/data/${d.code}/${t.name}`]
        : t.platform === 'mysql'
          ? [`${d.code}_${t.name}`]
          : [id];
  const columns = ['id', 'name', 'id_no', 'phone', 'address', 'updated_at'].slice(0, 3 + (t.name.length % 4));
  return { id, name: t.name, label: t.label, deptCode: d.code, department: d.name, classification: t.classification, platform: t.platform, resources, columns };
}

/** Splits n into parts proportional to weights, summing exactly to n. */
function apportion(n: number, weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (n * w) / total);
  const out = raw.map(Math.floor);
  let left = n - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
}

export function buildCity(opts: { seed: number; users: number; days: number; start: number }): City {
  const rnd = new Random(opts.seed, 'city');
  const departments: Department[] = DEPARTMENTS.map((d, index) => ({
    code: d.code,
    name: d.name,
    en: d.en,
    index,
    shifts: d.shifts,
    appHosts: [`${d.code}-app-01`, `${d.code}-app-02`],
    mysqlHost: `${d.code}-mysql-01`,
    pgHost: `${d.code}-pg-01`,
  }));
  const net = (d: Department) => `10.${20 + d.index}`;
  const hosts: Host[] = [
    { name: PLATFORM_HOSTS.bastion, ip: '10.10.0.10', department: '大数据局', type: 'platform', criticality: 'critical' },
    { name: PLATFORM_HOSTS.hive, ip: '10.10.0.11', department: '大数据局', type: 'platform', criticality: 'critical' },
    { name: PLATFORM_HOSTS.namenode, ip: '10.10.0.12', department: '大数据局', type: 'platform', criticality: 'critical' },
    { name: PLATFORM_HOSTS.gateway, ip: '10.10.0.13', department: '大数据局', type: 'platform', criticality: 'high' },
  ];
  for (const d of departments) {
    d.appHosts.forEach((h, i) => hosts.push({ name: h, ip: `${net(d)}.0.${11 + i}`, department: d.name, type: 'app', criticality: 'medium' }));
    hosts.push({ name: d.mysqlHost, ip: `${net(d)}.0.21`, department: d.name, type: 'mysql', criticality: 'high' });
    hosts.push({ name: d.pgHost, ip: `${net(d)}.0.22`, department: d.name, type: 'postgresql', criticality: 'high' });
  }

  // Larger cities hold more data: topic datasets (专题库) beside the named ones.
  const extraPerDept = Math.floor(opts.users / 800);
  const datasets: Dataset[] = [];
  for (const t of DEPARTMENTS) {
    for (const x of t.datasets) datasets.push(datasetOf(x, t));
    for (let k = 1; k <= extraPerDept; k++) {
      const classification = rnd.weighted(CLASS_WEIGHTS, ([, w]) => w)[0];
      datasets.push(datasetOf({ name: `zt${String(k).padStart(2, '0')}`, label: `专题库${k}`, classification, platform: rnd.pick(PLATFORMS) }, t));
    }
  }
  const byDept = (code: string) => datasets.filter((x) => x.deptCode === code);

  // Sharing agreements: each department is granted a few datasets of the departments it consumes.
  const grants: Grant[] = [];
  for (const t of DEPARTMENTS) {
    for (const c of t.consumes) {
      const offered = byDept(c).filter((x) => x.classification !== '涉密');
      for (const x of rnd.sample(offered, rnd.int(1, 2))) grants.push({ id: `grant-${t.code}-${x.id}`, dataset: x.id, department: t.name, deptCode: t.code });
    }
  }

  const counts = apportion(
    opts.users,
    DEPARTMENTS.map((d) => d.weight),
  );
  const people: Person[] = [];
  const taken = new Set<string>();
  let uid = 1001;
  departments.forEach((d, di) => {
    const roles = ROLE_NAMES.filter((r) => r !== 'duty' || d.shifts);
    const perRole = apportion(
      counts[di]!,
      roles.map((r) => ROLES[r].share),
    );
    let seat = 0;
    roles.forEach((role, ri) => {
      for (let k = 0; k < perRole[ri]!; k++) {
        let name = `${rnd.pick(SURNAMES)}${rnd.pick(GIVEN)}`;
        if (taken.has(name)) {
          let n = 2;
          while (taken.has(`${name}${String(n).padStart(2, '0')}`)) n++;
          name = `${name}${String(n).padStart(2, '0')}`;
        }
        taken.add(name);
        const own = byDept(d.code);
        const preferOwn = role === 'developer' || role === 'dba' ? own.filter((x) => x.platform === 'mysql' || x.platform === 'postgresql') : own;
        const pool = preferOwn.length > 0 ? [...rnd.shuffle(preferOwn), ...rnd.shuffle(own.filter((x) => !preferOwn.includes(x)))] : rnd.shuffle(own);
        const mine = pool.slice(0, Math.min(pool.length, rnd.int(2, 4 + Math.floor(extraPerDept / 3))));
        const granted = grants.filter((g) => g.deptCode === d.code).map((g) => g.dataset);
        const shared = role === 'ops' || role === 'dba' ? [] : rnd.sample(granted, rnd.int(1, 3));
        const sshHosts =
          role === 'ops'
            ? [...d.appHosts, d.mysqlHost, d.pgHost, ...(d.code === 'dsj' ? [PLATFORM_HOSTS.hive, PLATFORM_HOSTS.namenode, PLATFORM_HOSTS.gateway] : [])]
            : role === 'developer'
              ? [...d.appHosts]
              : role === 'dba'
                ? [d.mysqlHost, d.pgHost]
                : [];
        const workStart = 480 + 15 * rnd.int(0, 6);
        const joiner = rnd.chance(0.03) && opts.days > 14;
        const leaver = !joiner && rnd.chance(0.01) && opts.days > 14;
        const vacationLength = rnd.int(3, 9);
        // Leave may begin before the simulated days or run past them: a short simulation does not
        // put everyone with leave on leave for all of it.
        const vacationStart = rnd.int(1 - vacationLength, opts.days - 1);
        const ws = `${net(d)}.${1 + Math.floor(seat / 240)}.${10 + (seat % 240)}`;
        seat++;
        const person: Person = {
          name,
          fullName: `${name}（${d.name}${ROLES[role].label}）`,
          uid: uid++,
          deptCode: d.code,
          department: d.name,
          role,
          ip: ws,
          workstation: `ws-${name}`,
          workStart,
          workEnd: workStart + 510 + 15 * rnd.int(0, 4),
          intensity: rnd.logNormal(1, 0.35),
          datasets: mine.map((x) => x.id),
          shared,
          sshHosts,
          firstDay: joiner ? rnd.int(5, opts.days - 7) : 0,
          lastDay: leaver ? rnd.int(Math.floor(opts.days / 2), opts.days - 2) : opts.days - 1,
          ...(rnd.chance(0.3) ? { vacation: [vacationStart, vacationStart + vacationLength - 1] as const } : {}),
          shiftPhase: rnd.int(0, 3),
        };
        people.push(person);
        hosts.push({ name: person.workstation, ip: ws, department: d.name, type: 'workstation', criticality: 'low', owner: name });
      }
    });
  });
  return { seed: opts.seed, days: opts.days, start: opts.start, departments, datasets, grants, hosts, people };
}

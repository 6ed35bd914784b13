/**
 * The alert queue with 1,000,000 alerts and 100,000 cases stored: p50/p95/p99 of the queue a
 * department analyst opens (its department, high and critical, not closed, newest first, 50 per
 * page, with the exact total), on the embedded store directly and through the door (PDP row
 * filter, suppressions, one audit record per call), and on Elasticsearch; plus the case list of
 * a department. Target: queue p95 ≤ 100 ms embedded.
 *
 *   npx tsx bench/cases.ts                                   # embedded and Elasticsearch
 *   BENCH_ALERTS=200000 BENCH_CASES=20000 BENCH_ENGINES=embedded npx tsx bench/cases.ts
 *
 * Alerts are seeded with the rows AlertStore.upsert writes (the same columns and document), in
 * batch transactions on SQLite and with _bulk on Elasticsearch: seeding a million alerts one
 * upsert at a time would only measure seeding. Cases are created through CaseStore.create on
 * SQLite and bulk-indexed on Elasticsearch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteAlertStore } from '../adapters/sqlite/alert-store';
import { SqliteCaseStore } from '../adapters/sqlite/case-store';
import { openDatabase } from '../adapters/sqlite/database';
import { SqliteEventStore } from '../adapters/sqlite/event-store';
import { SqliteStateStore } from '../adapters/sqlite/state-store';
import { SearchAlertStore } from '../adapters/search/alert-store';
import { SearchCaseStore } from '../adapters/search/case-store';
import { elasticsearchApi } from '../adapters/search/engine-api';
import type { Actor } from '../core/actor';
import { type Alert, ALERT_STATUSES, type Severity } from '../core/alert';
import { type Case, newCase } from '../core/case';
import { Door } from '../core/door';
import type { AlertQuery } from '../core/ports/alert-store';
import { caseId } from '../core/ports/case-store';
import { DEFAULT_CASES_CONFIG, slaPolicy } from '../cases/config';
import { createCasesServices } from '../cases/service';
import { policyFixture } from '../policy/test-support';

const ALERTS = Number(process.env.BENCH_ALERTS ?? 1_000_000);
const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const ENGINES = (process.env.BENCH_ENGINES ?? 'embedded,elasticsearch').split(',');
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const DEPARTMENTS = Array.from({ length: 20 }, (_, i) => `部门${String(i + 1).padStart(2, '0')}`);
const END = Date.parse('2026-11-20T00:00:00Z');
const SPAN = 180 * 86_400_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;

function severityOf(x: number): Severity {
  return x < 0.3 ? 'informational' : x < 0.6 ? 'low' : x < 0.85 ? 'medium' : x < 0.97 ? 'high' : 'critical';
}

function makeAlert(i: number, r: () => number): Alert {
  const last = END - Math.floor(r() * SPAN);
  const ip = `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`;
  const ruleNo = Math.floor(r() * 200);
  const status = pick(r, ALERT_STATUSES);
  return {
    id: `a-${i}`,
    dedupKey: `rule-${ruleNo}|${ip}`,
    rule: { id: `rule-${ruleNo}`, name: `Rule ${ruleNo}`, type: ruleNo % 3 === 0 ? 'correlation' : 'sigma', severity: severityOf(r()), tags: ['attack.t1110'] },
    entities: [
      { type: 'ip', value: ip },
      { type: 'user', value: `user${Math.floor(r() * 5000)}` },
    ],
    eventIds: [`e-${i}-1`, `e-${i}-2`],
    firstSeen: new Date(last - 600_000).toISOString(),
    lastSeen: new Date(last).toISOString(),
    count: 1 + Math.floor(r() * 50),
    risk: Math.floor(r() * 100),
    department: pick(r, DEPARTMENTS),
    status,
    ...(status === 'closed' ? { resolution: 'true_positive' as const } : {}),
    history: [],
  };
}

function makeCase(i: number, r: () => number): Omit<Case, 'id' | 'version'> {
  const at = new Date(END - Math.floor(r() * SPAN));
  return newCase(
    { title: `Case ${i}`, severity: severityOf(r()), departments: [pick(r, DEPARTMENTS)], tags: ['bench'] },
    { actor: 'bench', at },
    slaPolicy(DEFAULT_CASES_CONFIG),
  );
}

function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

interface Timing {
  readonly label: string;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly meanTotal: number;
}

async function measure(label: string, run: (i: number) => Promise<number>): Promise<Timing> {
  for (let i = 0; i < 20; i++) await run(i);
  const ms: number[] = [];
  let totals = 0;
  for (let i = 0; i < QUERIES; i++) {
    const t0 = performance.now();
    totals += await run(i);
    ms.push(performance.now() - t0);
  }
  const t: Timing = { label, p50: pct(ms, 50), p95: pct(ms, 95), p99: pct(ms, 99), meanTotal: Math.round(totals / QUERIES) };
  console.log(
    `${label.padEnd(44)} p50 ${t.p50.toFixed(1).padStart(7)} ms  p95 ${t.p95.toFixed(1).padStart(7)} ms  p99 ${t.p99.toFixed(1).padStart(7)} ms  (mean total ${t.meanTotal})`,
  );
  return t;
}

const queueQuery = (i: number): AlertQuery => ({
  department: DEPARTMENTS[i % DEPARTMENTS.length]!,
  severity: ['high', 'critical'],
  status: ['open', 'acknowledged', 'in_progress'],
  size: 50,
});

async function seedSqliteAlerts(file: string): Promise<void> {
  await new SqliteAlertStore(file).close();
  const db = openDatabase(file);
  const ins = db.prepare(
    'INSERT INTO alerts (id, dedup_key, status, department, rule_id, assignee, last_seen, doc) VALUES (@id, @dedupKey, @status, @department, @ruleId, NULL, @lastSeen, @doc)',
  );
  const r = rng(7);
  const tx = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const a = makeAlert(i, r);
      ins.run({
        id: a.id,
        dedupKey: a.dedupKey,
        status: a.status,
        department: a.department,
        ruleId: a.rule.id,
        lastSeen: Date.parse(a.lastSeen),
        doc: JSON.stringify(a),
      });
    }
  });
  for (let i = 0; i < ALERTS; i += 10_000) tx(i, Math.min(ALERTS, i + 10_000));
  db.close();
}

async function embedded(): Promise<Timing[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-bench-cases-'));
  const policy = await policyFixture();
  try {
    let t0 = performance.now();
    await seedSqliteAlerts(path.join(dir, 'alerts.db'));
    console.log(`embedded: seeded ${ALERTS.toLocaleString()} alerts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const alerts = new SqliteAlertStore(path.join(dir, 'alerts.db'));
    const cases = new SqliteCaseStore(path.join(dir, 'cases.db'));
    t0 = performance.now();
    const r = rng(11);
    for (let i = 0; i < CASES; i++) await cases.create(makeCase(i, r));
    console.log(
      `embedded: created ${CASES.toLocaleString()} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s (CaseStore.create, one transaction each)`,
    );
    const door = new Door({ authorizer: policy.services.authorizer, audit: policy.audit, clock: () => policy.now });
    const events = new SqliteEventStore(path.join(dir, 'events.db'));
    const state = new SqliteStateStore(path.join(dir, 'state.db'));
    const services = createCasesServices({ door, alerts, cases, events, state, audit: policy.audit, users: () => null, config: DEFAULT_CASES_CONFIG });
    const analyst = (i: number): Actor => {
      const d = DEPARTMENTS[i % DEPARTMENTS.length]!;
      return { kind: 'user', name: `analyst-${i % DEPARTMENTS.length}`, roles: ['analyst'], department: d, person: `analyst-${i % DEPARTMENTS.length}` };
    };
    const out = [
      await measure('embedded AlertStore.list (queue query)', async (i) => (await alerts.list(queueQuery(i))).total),
      await measure(
        'embedded alerts.list through the door',
        async (i) =>
          (await services.alerts.list(analyst(i), { severity: ['high', 'critical'], status: ['open', 'acknowledged', 'in_progress'], size: 50 })).total,
      ),
      await measure(
        'embedded cases.list through the door',
        async (i) => (await services.cases.list(analyst(i), { status: ['open', 'in_progress'], size: 50 })).total,
      ),
    ];
    await Promise.all([alerts.close(), cases.close(), events.close(), state.close()]);
    return out;
  } finally {
    await policy.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function elasticsearch(): Promise<Timing[]> {
  const prefix = `bench-cases-${Date.now().toString(36)}`;
  const api = () => elasticsearchApi({ node: [process.env.CITYSOC_ES_URL ?? 'http://127.0.0.1:9200'] });
  const admin = api();
  const alerts = new SearchAlertStore(api(), { prefix });
  const cases = new SearchCaseStore(api(), { prefix });
  try {
    await alerts.list({ size: 1 });
    await cases.list({ size: 1 });
    const t0 = performance.now();
    const r = rng(7);
    for (let i = 0; i < ALERTS; i += 2000) {
      const ops: unknown[] = [];
      for (let k = i; k < Math.min(ALERTS, i + 2000); k++) {
        const a = makeAlert(k, r);
        ops.push({ index: { _index: `${prefix}-alerts`, _id: a.id } }, a);
      }
      const failed = (await admin.bulk(ops)).filter((x) => x.status >= 300);
      if (failed.length) throw new Error(`bulk: ${failed.length} alerts refused: ${failed[0]!.error?.reason}`);
    }
    const rc = rng(11);
    for (let i = 0; i < CASES; i += 2000) {
      const ops: unknown[] = [];
      for (let k = i; k < Math.min(CASES, i + 2000); k++) {
        const c = { ...makeCase(k, rc), id: caseId(2026, k + 1), version: 1 };
        ops.push({ index: { _index: `${prefix}-cases`, _id: c.id } }, c);
      }
      const failed = (await admin.bulk(ops)).filter((x) => x.status >= 300);
      if (failed.length) throw new Error(`bulk: ${failed.length} cases refused: ${failed[0]!.error?.reason}`);
    }
    await admin.refresh(`${prefix}-*`);
    console.log(
      `elasticsearch: indexed ${ALERTS.toLocaleString()} alerts and ${CASES.toLocaleString()} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s (_bulk)`,
    );
    return [await measure('elasticsearch AlertStore.list (queue query)', async (i) => (await alerts.list(queueQuery(i))).total)];
  } finally {
    await admin.deleteIndices((await admin.listIndices(`${prefix}-*`)).map((x) => x.index));
    await Promise.all([alerts.close(), cases.close(), admin.close()]);
  }
}

async function main(): Promise<void> {
  console.log(
    `alert queue: ${ALERTS.toLocaleString()} alerts, ${CASES.toLocaleString()} cases, ${DEPARTMENTS.length} departments; ${QUERIES} queries after 20 warm-up`,
  );
  const results: Timing[] = [];
  if (ENGINES.includes('embedded')) results.push(...(await embedded()));
  if (ENGINES.includes('elasticsearch')) results.push(...(await elasticsearch()));
  const store = results.find((t) => t.label.startsWith('embedded AlertStore'));
  const door = results.find((t) => t.label.startsWith('embedded alerts.list'));
  const es = results.find((t) => t.label.startsWith('elasticsearch'));
  if (store) console.log(`embedded queue p95 / 100 ms target: ${(store.p95 / 100).toFixed(2)}`);
  if (store && door) console.log(`through the door / store alone (p95): ${(door.p95 / store.p95).toFixed(2)}`);
  if (store && es) console.log(`elasticsearch / embedded (p95): ${(es.p95 / store.p95).toFixed(2)}`);
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

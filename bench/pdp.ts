/**
 * PDP throughput and latency on one core for 50 departments × 200 datasets × 20 roles, with and
 * without obligations (row filter + field treatments), the audit append rate with chaining, and
 * the decision rate when every decision is also appended to the audit trail.
 * Run: npx tsx bench/pdp.ts        (prints figures; no assertions)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteAuditLog } from '../core/adapters/sqlite/audit-log';
import { decisionAuditRecord } from '../policy/audit/decision-audit';
import type { DecisionRequest } from '../policy/decision';
import { policyFixture } from '../policy/test-support';

const DEPTS = 50;
const DATASETS = 200;
const ROLES = 20;

function policyFiles(dir: string): void {
  const lines: string[] = ['p, deny-secret-off-command-net, *, *, *, *, classification=涉密 & zone!=指挥网, deny'];
  for (let r = 0; r < ROLES; r++) {
    // Each role reads a slice of every department's datasets, some only by day or below 敏感.
    for (let d = 0; d < DEPTS; d++)
      lines.push(
        `p, r${r}-d${d}, role${r}, dept${d}, dataset/domain${d}/ds${(r * 10) % DATASETS}/*, read|export, ${r % 3 === 0 ? 'classification<=内部' : r % 3 === 1 ? 'hours=08:00-20:00' : ''}, allow`,
      );
    lines.push(`p, r${r}-events, role${r}, *, events, read, , allow`);
    lines.push(`p2, r${r}-mask, role${r}, *, events, citysoc.person.phone, mask, phone`);
  }
  for (let d = 0; d < DEPTS; d++)
    for (let s = 0; s < DATASETS; s += 20) lines.push(`p, deny-d${d}-s${s}, *, dept${d}, dataset/domain${d}/ds${s}/secret/*, *, zone=互联网, deny`);
  writeFileSync(path.join(dir, 'bench.csv'), lines.join('\n'));
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function main(): Promise<void> {
  const pdir = mkdtempSync(path.join(tmpdir(), 'citysoc-bench-policy-'));
  policyFiles(pdir);
  const f = await policyFixture({ policyDir: pdir });
  const pdp = f.services.pdp;
  let seed = 1;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const concrete: DecisionRequest[] = [];
  const searches: DecisionRequest[] = [];
  for (let i = 0; i < 20_000; i++) {
    const d = rnd(DEPTS);
    const subject = { user: `user${rnd(5000)}`, roles: [`role${rnd(ROLES)}`, `role${rnd(ROLES)}`], department: `dept${d}` };
    const time = new Date(Date.UTC(2026, 10, 20, rnd(24)));
    concrete.push({
      subject,
      resource: {
        type: 'dataset',
        domain: `domain${d}`,
        dataset: `ds${rnd(DATASETS)}`,
        table: 't1',
        department: `dept${rnd(DEPTS)}`,
        classification: (['公开', '内部', '敏感'] as const)[rnd(3)],
      },
      action: 'read',
      context: { zone: '政务外网', time },
    });
    searches.push({ subject, resource: { type: 'events' }, action: 'read', context: { zone: '政务外网', time } });
  }
  const run = (label: string, reqs: DecisionRequest[], rounds: number, each?: (r: DecisionRequest, d: ReturnType<typeof pdp.decide>) => void) => {
    for (const r of reqs.slice(0, 2000)) pdp.decide(r); // warm up
    const lat: number[] = [];
    let allowed = 0;
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < rounds; k++)
      for (const r of reqs) {
        const s = process.hrtime.bigint();
        const d = pdp.decide(r);
        each?.(r, d);
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (d.decision === 'allow') allowed++;
      }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const rate = lat.length / secs;
    console.log(
      `${label}: ${Math.round(rate).toLocaleString('en')} decisions/s, p50 ${percentile(lat, 50).toFixed(4)} ms, p99 ${percentile(lat, 99).toFixed(4)} ms (${lat.length} decisions, ${((100 * allowed) / lat.length).toFixed(1)}% allow)`,
    );
    return rate;
  };
  console.log(`policy: ${f.services.policies.list().length} lines (${DEPTS} departments × ${DATASETS} datasets × ${ROLES} roles)`);
  run('concrete dataset decisions, no obligations', concrete, 5);
  const plain = run('event searches, with obligations (row filter + field masks)', searches, 5);

  const adir = mkdtempSync(path.join(tmpdir(), 'citysoc-bench-audit-'));
  const audit = new SqliteAuditLog(path.join(adir, 'audit.db'));
  const n = 5000;
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++)
    await audit.append({ actor: `user${i}`, actorType: 'user', action: 'authz.decide', resource: 'events', decision: 'allow', reason: 'bench' });
  const appendRate = n / (Number(process.hrtime.bigint() - t0) / 1e9);
  console.log(`audit append with SHA-256 chaining (SQLite, synchronous=FULL, one transaction each): ${Math.round(appendRate).toLocaleString('en')} records/s`);
  const sub = searches.slice(0, 3000);
  const pending: Promise<unknown>[] = [];
  t0 = process.hrtime.bigint();
  for (const r of sub) {
    const d = pdp.decide(r);
    pending.push(audit.append(decisionAuditRecord(r, d, { name: r.subject.user, type: 'user' })));
  }
  await Promise.all(pending);
  const auditedRate = sub.length / (Number(process.hrtime.bigint() - t0) / 1e9);
  console.log(
    `event searches, each decision appended to the audit trail: ${Math.round(auditedRate).toLocaleString('en')} decisions/s; ratio audited/unaudited = ${(auditedRate / plain).toFixed(3)}`,
  );
  await audit.close();
  await f.close();
  rmSync(adir, { recursive: true, force: true });
  rmSync(pdir, { recursive: true, force: true });
  rmSync(f.dir, { recursive: true, force: true });
}

void main();

/**
 * PDP throughput and latency on one core for 50 departments × 200 datasets × 20 roles, with and
 * without obligations (row filter + field treatments), the audit append rate with chaining, and
 * the decision rate when every decision is also appended to the audit trail. The trail is
 * written by its own thread, so that last figure needs a second core: do not pin this process
 * to one (taskset -c 0 would put the writer thread on the deciding core too). The audited rounds
 * run twice, with SHA-256 + Ed25519 and with SM3 + SM2, checkpoints signed every 1,000 records.
 * Run: npx tsx bench/pdp.ts        (prints figures; no assertions)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteAuditLog } from '../adapters/sqlite/audit-log';
import { type AuditSuite, generateSigningKeyPem, signerFromPem } from '../core/audit-crypto';
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

/**
 * CPU time in ms of the deciding thread and of the whole process (every thread), where Linux
 * tells (/proc, in clock ticks of 10 ms): what the decisions cost whether or not other work on
 * the machine left the writer thread a core of its own.
 */
function cpuTimes(): { deciding: number; process: number } | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const usage = process.cpuUsage();
    return { deciding: (Number(fields[11]) + Number(fields[12])) * 10, process: (usage.user + usage.system) / 1000 };
  } catch {
    return null;
  }
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
  run('event searches, with obligations (row filter + field masks)', searches, 5);

  const adir = mkdtempSync(path.join(tmpdir(), 'citysoc-bench-audit-'));
  // As deployed: checkpoints signed every 1,000 records (same write) by the writer thread.
  const trail = (suite: AuditSuite) =>
    new SqliteAuditLog(path.join(adir, `audit-${suite}.db`), {
      suite,
      signer: signerFromPem(generateSigningKeyPem(suite)),
      cadence: { everyRecords: 1000, everyMs: 600_000 },
    });
  const audit = trail('international');
  const smAudit = trail('sm');
  const secondsSince = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;
  const record = (r: DecisionRequest, d: ReturnType<typeof pdp.decide>) => decisionAuditRecord(r, d, { name: r.subject.user, type: 'user' });
  const n = 2000;
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++)
    await audit.append({ actor: `user${i}`, actorType: 'user', action: 'authz.decide', resource: 'events', decision: 'allow', reason: 'bench' });
  console.log(
    `audit append with SHA-256 chaining (SQLite, synchronous=FULL), one at a time, each awaited (one transaction each): ${Math.round(n / secondsSince(t0)).toLocaleString('en')} records/s`,
  );
  const records = searches.map((r) => record(r, pdp.decide(r)));
  await Promise.all(records.slice(0, 2000).map((x) => audit.append(x))); // warm up the writer thread
  t0 = process.hrtime.bigint();
  await Promise.all(records.map((x) => audit.append(x)));
  console.log(
    `audit append, ${records.length} decision records issued together, all awaited (group commit on the writer thread): ${Math.round(records.length / secondsSince(t0)).toLocaleString('en')} records/s`,
  );

  // As a PDP server does it: each decision is answered at once and its record appended without
  // waiting; at the end every append must have resolved, i.e. be on disk. The same loop without
  // the audit trail is the reference, and the two alternate so that both see the same machine.
  const cpu = { plain: 0, audited: 0, auditedOthers: 0, sm: 0 };
  const decideOnly = () => {
    const c = cpuTimes();
    const t = process.hrtime.bigint();
    for (const r of searches) pdp.decide(r);
    const rate = searches.length / secondsSince(t);
    const c1 = cpuTimes();
    if (c && c1) cpu.plain += c1.deciding - c.deciding;
    return rate;
  };
  const decideAudited = async (log = audit) => {
    const c = cpuTimes();
    const t = process.hrtime.bigint();
    const pending: Promise<unknown>[] = [];
    for (const r of searches) pending.push(log.append(record(r, pdp.decide(r))));
    await Promise.all(pending);
    const rate = searches.length / secondsSince(t);
    const c1 = cpuTimes();
    if (c && c1 && log === audit) {
      cpu.audited += c1.deciding - c.deciding;
      cpu.auditedOthers += c1.process - c.process - (c1.deciding - c.deciding);
    } else if (c && c1) cpu.sm += c1.deciding - c.deciding;
    return rate;
  };
  await Promise.all(records.slice(0, 2000).map((x) => smAudit.append(x))); // warm up the SM writer thread
  const load = loadavg()[0]!;
  const rounds: { plain: number; audited: number; sm: number }[] = [];
  for (let k = 0; k < 5; k++) rounds.push({ plain: decideOnly(), audited: await decideAudited(), sm: await decideAudited(smAudit) });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const plainRate = median(rounds.map((x) => x.plain));
  const auditedRate = median(rounds.map((x) => x.audited));
  const ratio = median(rounds.map((x) => x.audited / x.plain));
  const fmt = (x: number) => Math.round(x).toLocaleString('en');
  console.log(
    `event searches, ${searches.length} per round, median of ${rounds.length} alternating rounds: unaudited ${fmt(plainRate)} decisions/s; ` +
      `each decision appended to the audit trail (writer thread on another core, ${availableParallelism()} cores here) ${fmt(auditedRate)} decisions/s; ` +
      `ratio audited/unaudited = ${ratio.toFixed(3)} (rounds: ${rounds.map((x) => (x.audited / x.plain).toFixed(3)).join(', ')}); ` +
      `with SM3 + SM2 ${fmt(median(rounds.map((x) => x.sm)))} decisions/s, ratio ${median(rounds.map((x) => x.sm / x.plain)).toFixed(3)}`,
  );
  const us = (ms: number) => ((ms * 1000) / (rounds.length * searches.length)).toFixed(1);
  if (cpuTimes())
    console.log(
      `  CPU per decision: deciding thread ${us(cpu.plain)} µs unaudited, ${us(cpu.audited)} µs audited (ratio ${(cpu.plain / cpu.audited).toFixed(3)}, ` +
        `the rates' ratio when the other threads have the other core to themselves and need no more of it than the deciding thread does of its own); ` +
        `writer and other threads ${us(cpu.auditedOthers)} µs; deciding thread with the SM3 + SM2 trail ${us(cpu.sm)} µs (ratio ${(cpu.plain / cpu.sm).toFixed(3)}); 1-min load average before the rounds ${load.toFixed(2)}`,
    );
  for (const log of [audit, smAudit]) {
    const check = await log.verify();
    if (!check.ok) throw new Error(`benchmark trail does not verify: ${JSON.stringify(check)}`);
    await log.close();
  }
  await f.close();
  rmSync(adir, { recursive: true, force: true });
  rmSync(pdir, { recursive: true, force: true });
  rmSync(f.dir, { recursive: true, force: true });
}

void main();

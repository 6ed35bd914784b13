/**
 * Verification speed of a large audit trail, records/s, in both suites:
 *   - generated: a 10,000,000-record chain (checkpoints every 1,000, signed) built in memory and
 *     streamed through the verifier, so the figure is the verifier's own cost (hashing each record's
 *     canonical JSON, chaining, checking 10,000 signatures and cadence);
 *   - SQLite: a trail of --sqlite N records (default 1,000,000) written by the real writer and
 *     verified from the file (storage reads included).
 * Run: npx tsx bench/audit-verify.ts [--records 10000000] [--sqlite 1000000]   (prints figures; no assertions)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteAuditLog } from '../adapters/sqlite/audit-log';
import type { AuditCheckpoint, AuditRecord } from '../core/audit';
import { GENESIS_HASH, merkleRoot, sealRecord, signCheckpoint } from '../core/audit-chain';
import { type AuditSuite, generateSigningKeyPem, signerFromPem } from '../core/audit-crypto';
import type { AuditLog, ChainScan } from '../core/ports/audit-log';
import { resolveTrust } from '../policy/audit/trust';
import { verifyTrail } from '../policy/audit/verify-trail';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg('records', 10_000_000);
const SQLITE_N = arg('sqlite', 1_000_000);
const EVERY = 1000;

/** Progress on stderr (the figures go to stdout): each tenth of a phase. */
function progress(phase: string, done: number, total: number): void {
  const step = Math.max(1, Math.floor(total / 10));
  if (done % step === 0 || done === total) process.stderr.write(`  ${phase}: ${done.toLocaleString('en')} of ${total.toLocaleString('en')}\n`);
}

function record(seq: number, prevHash: string): Omit<AuditRecord, 'hash'> {
  return {
    seq,
    at: new Date(Date.UTC(2026, 10, 20) + seq * 10).toISOString(),
    actor: `user${seq % 5000}`,
    actorType: 'user',
    action: 'authz.decide',
    resource: `dataset:domain${seq % 50}.ds${seq % 200}@dept${seq % 50}`,
    decision: seq % 9 ? 'allow' : 'deny',
    reason: `policy r${seq % 20}-d${seq % 50}`,
    sourceIp: `10.${seq % 250}.${(seq >> 8) % 250}.${seq % 7}`,
    details: { subject: `user${seq % 5000}`, action: 'read', matched: [`r${seq % 20}-d${seq % 50}`], department: `dept${seq % 50}` },
    prevHash,
  };
}

/** The chain and its checkpoints, made once (the checkpoints are what the verifier needs up front). */
function generate(suite: AuditSuite, n: number) {
  const signer = signerFromPem(generateSigningKeyPem(suite));
  const checkpoints: AuditCheckpoint[] = [];
  let prev = GENESIS_HASH;
  let window: string[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const r = record(seq, prev);
    prev = sealRecord(r, suite).hash;
    window.push(prev);
    progress(`${suite}: building the chain`, seq, n);
    if (seq % EVERY === 0) {
      checkpoints.push(
        signCheckpoint(signer, {
          chain: 'local',
          from: seq - EVERY + 1,
          seq,
          hash: prev,
          root: merkleRoot(suite, window),
          at: r.at,
          signedAt: r.at,
          reason: 'count',
          everyRecords: EVERY,
          everyMs: 600_000,
        }),
      );
      window = [];
    }
  }
  return { signer, checkpoints };
}

/** An AuditLog whose records are generated again as the verifier reads them. */
function generatedTrail(suite: AuditSuite, n: number, checkpoints: AuditCheckpoint[], publicKey: string): AuditLog {
  const none = async () => {
    throw new Error('not used');
  };
  return {
    suite,
    async *scan(): AsyncGenerator<ChainScan> {
      function* records(): Generator<AuditRecord> {
        let prev = GENESIS_HASH;
        for (let seq = 1; seq <= n; seq++) {
          const r = record(seq, prev);
          const { hash } = sealRecord(r, suite);
          prev = hash;
          progress(`${suite}: verifying`, seq, n);
          yield { ...r, hash };
        }
      }
      yield { chain: 'local', records: records() };
    },
    checkpoints: async () => checkpoints,
    seals: async () => [],
    publicKeys: async () => [publicKey],
    append: none,
    query: none,
    verify: none,
    checkpoint: none,
    prune: none,
    close: async () => undefined,
  };
}

async function main(): Promise<void> {
  for (const suite of ['international', 'sm'] as const) {
    let t = process.hrtime.bigint();
    const { signer, checkpoints } = generate(suite, N);
    const made = Number(process.hrtime.bigint() - t) / 1e9;
    const trust = resolveTrust({ fingerprints: [signer.publicKey.fingerprint], keys: [] }, [signer.publicKey.pem]);
    t = process.hrtime.bigint();
    const r = await verifyTrail(generatedTrail(suite, N, checkpoints, signer.publicKey.pem), { trust });
    const secs = Number(process.hrtime.bigint() - t) / 1e9;
    if (!r.ok) throw new Error(`generated trail does not verify: ${JSON.stringify(r.firstBad)}`);
    console.log(
      `${suite}: verified ${r.checked.toLocaleString('en')} generated records and ${r.checkpointsVerified.toLocaleString('en')} signed checkpoints in ${secs.toFixed(1)} s = ${Math.round(r.checked / secs).toLocaleString('en')} records/s (generating them again while reading is included; building the chain took ${made.toFixed(1)} s)`,
    );
  }
  for (const suite of ['international', 'sm'] as const) {
    const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-bench-verify-'));
    const signer = signerFromPem(generateSigningKeyPem(suite));
    const log = new SqliteAuditLog(path.join(dir, 'audit.db'), { suite, signer, cadence: { everyRecords: EVERY, everyMs: 3_600_000 } });
    const BATCH = 10_000;
    let t = process.hrtime.bigint();
    for (let i = 0; i < SQLITE_N; i += BATCH) {
      const batch: Promise<unknown>[] = [];
      for (let k = i; k < Math.min(SQLITE_N, i + BATCH); k++) {
        const { seq: _s, prevHash: _p, at: _a, ...input } = record(k + 1, '');
        batch.push(log.append(input));
      }
      await Promise.all(batch);
      progress(`${suite}: writing the SQLite trail`, Math.min(SQLITE_N, i + BATCH), SQLITE_N);
    }
    const wrote = Number(process.hrtime.bigint() - t) / 1e9;
    const trust = resolveTrust({ fingerprints: [signer.publicKey.fingerprint], keys: [] }, await log.publicKeys());
    t = process.hrtime.bigint();
    const r = await verifyTrail(log, { trust });
    const secs = Number(process.hrtime.bigint() - t) / 1e9;
    if (!r.ok) throw new Error(`SQLite trail does not verify: ${JSON.stringify(r.firstBad)}`);
    console.log(
      `${suite}: SQLite trail of ${r.checked.toLocaleString('en')} records (${r.checkpointsVerified} checkpoints) verified from the file in ${secs.toFixed(1)} s = ${Math.round(r.checked / secs).toLocaleString('en')} records/s (written at ${Math.round(SQLITE_N / wrote).toLocaleString('en')} records/s)`,
    );
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();

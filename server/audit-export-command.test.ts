import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteAuditLog } from '../adapters/sqlite/audit-log';
import type { AuditRecord } from '../core/audit';
import { loadOrCreateSigningKey } from '../policy/audit/signing-key';
import { runCli } from './test-support/run-cli';

interface Exported {
  records: AuditRecord[];
  proofs?: unknown[];
  filter?: Record<string, string>;
}

/**
 * `citysoc audit export` filters as GraphQL auditExport does: by actor, action, resource, decision
 * and time, each selected record with its inclusion proof; a value it cannot use exits 2.
 */
describe('citysoc audit export filters', () => {
  let dir: string;
  let configFile: string;
  let fingerprint: string;
  // 24 records a minute apart from 02:00: actors li/zhang/wu in turn, actions alternate, every 4th a deny.
  const actors = ['li', 'zhang', 'wu'];
  const at = (i: number) => new Date(Date.parse('2026-11-20T02:00:00Z') + (i - 1) * 60_000);
  const expected = (keep: (i: number) => boolean) => Array.from({ length: 24 }, (_, k) => k + 1).filter(keep);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'citysoc-audit-export-cli-'));
    const key = loadOrCreateSigningKey(dir);
    fingerprint = key.fingerprint;
    configFile = path.join(dir, 'citysoc.json');
    writeFileSync(configFile, JSON.stringify({ dataDir: dir, audit: { trustedKeyFingerprint: fingerprint, checkpoint: { everyRecords: 5 } } }));
    let now = at(1);
    const log = new SqliteAuditLog(path.join(dir, 'audit.db'), { signer: key, cadence: { everyRecords: 5, everyMs: 600_000 }, clock: () => now });
    for (let i = 1; i <= 24; i++) {
      now = at(i);
      await log.append({
        actor: actors[i % 3]!,
        actorType: 'user',
        action: i % 2 ? 'events.search' : 'alerts.transition',
        resource: i % 2 ? 'events' : `alert:a${i}`,
        decision: i % 4 === 0 ? 'deny' : 'allow',
        reason: `p${i}`,
      });
    }
    await log.close();
  });

  const exportWith = async (...args: string[]) => {
    const r = await runCli('--config', configFile, 'audit', 'export', ...args);
    return { ...r, parsed: r.code === 0 && !args.includes('csv') ? (JSON.parse(r.out) as Exported) : null };
  };
  const verifies = async (text: string, name: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return runCli('audit', 'verify-export', '--trusted-key', fingerprint, file);
  };

  it('--action and --decision select exactly the matching records, each with an inclusion proof that verifies offline', async () => {
    const r = await exportWith('--action', 'alerts.transition', '--decision', 'deny');
    expect(r.code).toBe(0);
    const seqs = expected((i) => i % 2 === 0 && i % 4 === 0);
    expect(r.parsed!.records.map((x) => x.seq)).toEqual(seqs);
    expect(seqs).toEqual([4, 8, 12, 16, 20, 24]);
    expect(r.parsed!.proofs).toHaveLength(6);
    expect(r.parsed!.filter).toEqual({ action: 'alerts.transition', decision: 'deny' });
    expect(r.err).toBe('exported 6 records with their inclusion proofs and 5 signed checkpoints (international)\n');
    expect(await verifies(r.out, 'deny.json')).toMatchObject({ code: 0, out: expect.stringContaining('6 records') });
    const csv = await exportWith('--action', 'alerts.transition', '--decision', 'deny', '--format', 'csv');
    expect(csv.code).toBe(0);
    expect(await verifies(csv.out, 'deny.csv')).toMatchObject({ code: 0, out: expect.stringContaining('6 inclusion proofs') });
  });

  it('--actor, --resource, --from and --to combine with them as GraphQL auditExport does', async () => {
    const r = await exportWith('--actor', 'wu', '--action', 'alerts.transition', '--from', at(5).toISOString(), '--to', at(21).toISOString());
    // wu acts at i % 3 == 2; alerts.transition at even i; from 5 (inclusive) to 21 (exclusive)
    expect(r.parsed!.records.map((x) => x.seq)).toEqual(expected((i) => i % 3 === 2 && i % 2 === 0 && i >= 5 && i < 21));
    expect(r.parsed!.records.map((x) => x.seq)).toEqual([8, 14, 20]);
    const one = await exportWith('--resource', 'alert:a10', '--decision', 'allow');
    expect(one.parsed!.records.map((x) => x.seq)).toEqual([10]);
    expect(await verifies(one.out, 'one.json')).toMatchObject({ code: 0 });
    const none = await exportWith('--resource', 'alert:a12', '--decision', 'allow');
    expect(none.parsed!.records).toEqual([]);
  });

  it.each([
    [['--decision', 'DENY'], '--decision: DENY is not one of allow, deny, success, failure, info'],
    [['--decision', 'allow OR 1=1'], '--decision: allow OR 1=1 is not one of allow, deny, success, failure, info'],
    [['--action', ''], '--action: needs a value'],
    [['--actor', '  '], '--actor: needs a value'],
    [['--from', 'yesterday'], '--from: yesterday is not a time (ISO 8601)'],
    [['--to', '2026-13-45'], '--to: 2026-13-45 is not a time (ISO 8601)'],
    [['--from-seq', 'ten'], '--from-seq: expected a record number (1 or more)'],
    [['--to-seq', '0'], '--to-seq: expected a record number (1 or more)'],
    [['--actor', 'li', '--from-seq', '3'], '--from-seq/--to-seq: export a range of records or filter them'],
  ])('%j exits 2 with a clear error and exports nothing', async (args, message) => {
    const r = await exportWith(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(message);
  });
});

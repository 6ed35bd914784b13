/** `citysoc audit verify|export|verify-export`: the embedded trail, checked and exported with its proof. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SqliteAuditLog } from '../adapters/sqlite/audit-log';
import type { Config } from '../core/config';
import { CitySocError } from '../core/errors';
import { AuditCheckpoints } from '../policy/audit/checkpoints';
import { type AuditExport, exportTrail, toCsv } from '../policy/audit/export';
import { loadOrCreateSigningKey, PRIVATE_KEY_FILE } from '../policy/audit/signing-key';
import { verifyExport } from '../policy/audit/verify-export';

interface Io {
  out(s: string): void;
  err(s: string): void;
}

function openTrail(config: Config): SqliteAuditLog {
  if (config.profile !== 'embedded')
    throw new CitySocError(
      'NOT_IMPLEMENTED',
      'the audit commands read the embedded trail; in the cluster profile run them on the node whose data directory holds it',
    );
  const file = path.join(config.dataDir, 'audit.db');
  if (!existsSync(file)) throw new CitySocError('INPUT_INVALID', `no audit trail in ${config.dataDir} (audit.db is missing): is --data-dir right?`);
  return new SqliteAuditLog(file);
}

export async function auditVerify(config: Config, io: Io): Promise<number> {
  const log = openTrail(config);
  try {
    const v = await log.verify();
    if (v.ok) {
      io.out(`audit trail intact: ${v.checked} records verified\n`);
      return 0;
    }
    io.err(`audit trail TAMPERED: record ${v.firstBad!.seq} is ${v.firstBad!.problem} (${v.checked} records before it verified)\n`);
    return 1;
  } finally {
    await log.close();
  }
}

export async function auditExport(config: Config, opts: { format: 'json' | 'csv'; fromSeq?: number; toSeq?: number }, io: Io): Promise<number> {
  if (!existsSync(path.join(config.dataDir, PRIVATE_KEY_FILE)))
    throw new CitySocError('INPUT_INVALID', `no audit signing key in ${config.dataDir}: start the platform once to create it`);
  const log = openTrail(config);
  const key = loadOrCreateSigningKey(config.dataDir);
  const checkpoints = new AuditCheckpoints(path.join(config.dataDir, 'audit-checkpoints.db'), log, key);
  try {
    const e = await exportTrail(log, checkpoints, key.publicKeyPem, {
      ...(opts.fromSeq ? { fromSeq: opts.fromSeq } : {}),
      ...(opts.toSeq ? { toSeq: opts.toSeq } : {}),
    });
    io.out(opts.format === 'csv' ? toCsv(e) : JSON.stringify(e, null, 1) + '\n');
    io.err(`exported ${e.records.length} records and ${e.checkpoints.length} signed checkpoints\n`);
    return 0;
  } finally {
    checkpoints.close();
    await log.close();
  }
}

export function auditVerifyExport(file: string, io: Io): number {
  let e: AuditExport;
  try {
    e = JSON.parse(readFileSync(file, 'utf8')) as AuditExport;
  } catch (err) {
    throw new CitySocError('INPUT_INVALID', `${file}: not a readable JSON audit export (${(err as Error).message})`);
  }
  const v = verifyExport(e);
  if (v.ok) {
    io.out(`export intact: ${v.checked} records, ${v.checkpointsVerified} signed checkpoints verified\n`);
    return 0;
  }
  io.err(
    `export TAMPERED: ${v.badCheckpoint ? `checkpoint ${v.badCheckpoint.seq} ${v.badCheckpoint.problem}` : `record ${v.firstBad!.seq} is ${v.firstBad!.problem}`}\n`,
  );
  return 1;
}

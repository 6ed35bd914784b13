/** A PDP over the shipped default policies in a temporary directory, for tests and the benchmark. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteAuditLog } from '../adapters/sqlite/audit-log';
import { SqliteStateStore } from '../adapters/sqlite/state-store';
import { openPolicyServices, type PolicyServices } from './services';
import { loadOrCreateSigningKey } from './audit/signing-key';

export interface PolicyFixture {
  readonly dir: string;
  readonly audit: SqliteAuditLog;
  readonly services: PolicyServices;
  readonly revoked: string[];
  now: Date;
  close(): Promise<void>;
}

export async function policyFixture(opts: { approversRequired?: 1 | 2; policyDir?: string } = {}): Promise<PolicyFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-policy-'));
  const audit = new SqliteAuditLog(path.join(dir, 'audit.db'), { clock: () => f.now, signer: loadOrCreateSigningKey(dir) });
  const revoked: string[] = [];
  const state = new SqliteStateStore(path.join(dir, 'state.db'));
  const f: PolicyFixture = {
    dir,
    audit,
    revoked,
    now: new Date('2026-11-20T02:00:00Z'),
    services: undefined as never,
    async close() {
      await f.services.close();
      await state.close();
      await audit.close();
    },
  };
  (f as { services: PolicyServices }).services = await openPolicyServices({
    dataDir: dir,
    audit,
    state,
    clock: () => f.now,
    revoker: { revokeAll: (u) => (revoked.push(u), { sessions: 1, tokens: 0 }) },
    ...(opts.approversRequired ? { approversRequired: opts.approversRequired } : {}),
    ...(opts.policyDir ? { policyDir: opts.policyDir } : {}),
  });
  return f;
}

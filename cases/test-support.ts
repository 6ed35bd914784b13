/**
 * The cases services over real parts, for tests and the benchmark: the shipped policies in the
 * PDP, a Door over a SQLite audit trail with signed checkpoints, SQLite alert, case, event and
 * state stores, a user table, and a rules folder that exceptions are written into.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SqliteAlertStore } from '../adapters/sqlite/alert-store';
import { SqliteCaseStore } from '../adapters/sqlite/case-store';
import { SqliteEventStore } from '../adapters/sqlite/event-store';
import { SqliteStateStore } from '../adapters/sqlite/state-store';
import type { Actor } from '../core/actor';
import { Door } from '../core/door';
import type { Role } from '../core/roles';
import { exportTrail } from '../policy/audit/export';
import { loadOrCreateSigningKey } from '../policy/audit/signing-key';
import type { TrustAnchor } from '../policy/audit/trust';
import { policyFixture, type PolicyFixture } from '../policy/test-support';
import { type CasesConfig, DEFAULT_CASES_CONFIG } from './config';
import type { CasesDeps } from './deps';
import { createCasesServices, type CasesServices } from './service';
import { exportRecordsWithProofs } from './trail-records';

export interface CasesFixture {
  /** The trail's signing key, trusted when an export is verified. */
  readonly trust: TrustAnchor;
  readonly policy: PolicyFixture;
  readonly deps: CasesDeps;
  readonly services: CasesServices;
  readonly door: Door;
  readonly alerts: SqliteAlertStore;
  readonly cases: SqliteCaseStore;
  readonly events: SqliteEventStore;
  readonly rulesDir: string;
  readonly users: Map<string, { roles: Role[]; department?: string; displayName?: string }>;
  /** Users of the table whose accounts are disabled: unknown to assignment and the picker. */
  readonly disabled: Set<string>;
  /** An actor for a user of the table. */
  actor(name: string): Actor;
  /** Moves the fake clock on. */
  advance(minutes: number): void;
  close(): Promise<void>;
}

export async function casesFixture(config: CasesConfig = DEFAULT_CASES_CONFIG): Promise<CasesFixture> {
  const policy = await policyFixture();
  const dir = policy.dir;
  const clock = () => policy.now;
  const door = new Door({ authorizer: policy.services.authorizer, audit: policy.audit, clock });
  const alerts = new SqliteAlertStore(path.join(dir, 'alerts.db'), clock);
  const cases = new SqliteCaseStore(path.join(dir, 'cases.db'));
  const events = new SqliteEventStore(path.join(dir, 'events.db'));
  const state = new SqliteStateStore(path.join(dir, 'cases-state.db'));
  // the key the fixture's trail signs its checkpoints with
  const signingKey = loadOrCreateSigningKey(dir);
  const rulesDir = path.join(dir, 'rules');
  mkdirSync(rulesDir, { recursive: true });
  const users = new Map<string, { roles: Role[]; department?: string; displayName?: string }>([
    ['wu', { roles: ['analyst'], department: '城管' }],
    ['chen', { roles: ['analyst'], department: '城管' }],
    ['li', { roles: ['analyst'], department: '公安' }],
    ['zhao', { roles: ['security_lead'] }],
    ['admin', { roles: ['admin'] }],
    ['shen', { roles: ['auditor'] }],
    ['fb', { roles: ['collector'] }],
  ]);
  const disabled = new Set<string>();
  const deps: CasesDeps = {
    door,
    alerts,
    cases,
    events,
    state,
    audit: policy.audit,
    users: (u) => (disabled.has(u) ? null : (users.get(u) ?? null)),
    directory: () => [...users].filter(([u]) => !disabled.has(u)).map(([username, u]) => ({ username, ...u })),
    rules: {
      async addFilter(f) {
        const file = path.join(rulesDir, f.fileName);
        writeFileSync(file, f.yaml, { flag: 'wx' });
        return { file: path.relative(dir, file) };
      },
    },
    trail: {
      fingerprint: signingKey.fingerprint,
      export: (range) => exportTrail(policy.audit, { ...range, signer: signingKey, signHead: false, clock }),
      exportRecords: (records) => exportRecordsWithProofs(policy.audit, records, { signer: signingKey, clock }),
      async checkpointAtOrAfter(seq) {
        const found = (await policy.audit.checkpoints({ fromSeq: seq }))[0];
        return found ? found.seq : ((await policy.audit.checkpoint('manual'))?.seq ?? null);
      },
    },
    config,
  };
  return {
    trust: { fingerprints: [signingKey.fingerprint], keys: [] },
    policy,
    deps,
    services: createCasesServices(deps),
    door,
    alerts,
    cases,
    events,
    rulesDir,
    users,
    disabled,
    actor(name) {
      const u = users.get(name);
      if (!u) throw new Error(`no test user ${name}`);
      return { kind: 'user', name, roles: u.roles, ...(u.department ? { department: u.department } : {}), person: name, sourceIp: '10.0.0.5' };
    },
    advance(minutes) {
      policy.now = new Date(policy.now.getTime() + minutes * 60_000);
    },
    async close() {
      await Promise.all([alerts.close(), cases.close(), events.close(), state.close()]);
      await policy.close();
    },
  };
}

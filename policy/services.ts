/**
 * Opens everything policy/ provides over a data directory, for the composition root: the
 * policy (SQLite adapter, seeded from policies/), the PDP, isolation, emergency grants, the
 * control channel that keeps replicas in step, and the audit trail's signed checkpoints.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AuditLog } from '../core/ports/audit-log';
import type { Bus } from '../core/ports/bus';
import { AuditCheckpoints } from './audit/checkpoints';
import { loadOrCreateSigningKey, type SigningKey } from './audit/signing-key';
import { EmergencyGrants } from './emergency';
import { AccountIsolation, type CredentialRevoker } from './isolation';
import { tokenizer } from './masking';
import { PolicyDecisionPoint } from './pdp';
import { DEFAULT_POLICY_DIR, loadPolicyDir } from './policy-file';
import { PolicyService } from './policy-service';
import { BusPolicyWatcher, ControlChannel } from './store/bus-watcher';
import { DEFAULT_ZONES, type ZoneMap, zoneOf } from './zones';
import { SqliteStateStore } from '../adapters/sqlite/state-store';
import type { StateStore } from '../core/ports/state-store';
import type { Authorizer } from '../core/authz';
import { StatePolicyAdapter } from './store/state-adapter';

export interface PolicyServices {
  /** The PDP, isolation and zones as the application services' door sees them. */
  readonly authorizer: Authorizer;
  readonly policies: PolicyService;
  readonly pdp: PolicyDecisionPoint;
  readonly isolation: AccountIsolation;
  readonly grants: EmergencyGrants;
  readonly checkpoints: AuditCheckpoints;
  readonly signingKey: SigningKey;
  /** The network zone of a caller's address, for zone= conditions. */
  zoneOf(ip: string | undefined): string;
  close(): Promise<void>;
}

export interface PolicyServiceOptions {
  readonly dataDir: string;
  readonly audit: AuditLog;
  readonly bus?: Bus;
  readonly revoker: CredentialRevoker;
  readonly clock?: () => Date;
  readonly approversRequired?: 1 | 2;
  readonly checkpointEveryRecords?: number;
  readonly checkpointEveryMinutes?: number;
  readonly policyDir?: string;
  readonly zones?: ZoneMap;
  /**
   * Where policy lines, isolations and emergency grants live: the profile's shared store, so
   * every replica sees the same. Absent: a SQLite file in the data directory (one process).
   */
  readonly state?: StateStore;
  /** Tells other replicas of changes; given by the caller (who starts and stops it) or made here from the bus. */
  readonly channel?: ControlChannel;
}

/** The HMAC key of deterministic tokens: random per deployment, never logged, mode 0600. */
function tokenSecret(dir: string): Buffer {
  const file = path.join(dir, 'token-secret.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

export async function openPolicyServices(o: PolicyServiceOptions): Promise<PolicyServices> {
  const clock = o.clock ?? (() => new Date());
  const ownChannel = !o.channel && o.bus ? new ControlChannel(o.bus, randomUUID()) : undefined;
  const channel = o.channel ?? ownChannel;
  const state = o.state ?? new SqliteStateStore(path.join(o.dataDir, 'state.db'));
  const adapter = new StatePolicyAdapter(state);
  const policies = await PolicyService.open(adapter, o.audit, () => loadPolicyDir(o.policyDir ?? DEFAULT_POLICY_DIR));
  if (channel) {
    const watcher = new BusPolicyWatcher(channel);
    policies.enforcer.setWatcher(watcher);
    watcher.setUpdateCallback(() => void policies.reload());
  }
  const isolation = await AccountIsolation.open(state, { audit: o.audit, revoker: o.revoker, clock, ...(channel ? { channel } : {}) });
  const grants = await EmergencyGrants.open(state, {
    audit: o.audit,
    clock,
    approversRequired: o.approversRequired ?? 1,
    ...(channel ? { channel } : {}),
    // Designated approvers: whoever the policy lets approve emergency access into the department.
    canApprove: (subject, department) =>
      pdp.decide({ subject, resource: { type: 'emergency', department }, action: 'approve', context: {} }).decision === 'allow',
  });
  const pdp: PolicyDecisionPoint = new PolicyDecisionPoint({
    policy: () => policies.compiled(),
    isolation,
    grants,
    clock,
    tokenizer: tokenizer(tokenSecret(o.dataDir)),
  });
  const signingKey = loadOrCreateSigningKey(o.dataDir);
  const checkpoints = new AuditCheckpoints(path.join(o.dataDir, 'audit-checkpoints.db'), o.audit, signingKey, {
    ...(o.checkpointEveryRecords ? { everyRecords: o.checkpointEveryRecords } : {}),
    ...(o.checkpointEveryMinutes ? { everyMinutes: o.checkpointEveryMinutes } : {}),
    clock,
  });
  await ownChannel?.start();
  const zones = o.zones ?? DEFAULT_ZONES;
  const authorizer: Authorizer = {
    decide: (req) => pdp.decide(req),
    treat: (doc, fields) => pdp.treat(doc, fields),
    isolation: (user, now) => isolation.isolation(user, now),
    zoneOf: (ip) => zoneOf(ip, zones),
  };
  return {
    authorizer,
    policies,
    pdp,
    isolation,
    grants,
    checkpoints,
    signingKey,
    zoneOf: authorizer.zoneOf,
    async close() {
      await ownChannel?.stop();
      checkpoints.close();
      if (!o.state) await state.close();
    },
  };
}

/**
 * Opens everything policy/ provides over a data directory, for the composition root: the
 * policy (SQLite adapter, seeded from policies/), the PDP, isolation, emergency grants, the
 * control channel that keeps replicas in step, and the audit trail's signed checkpoints.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
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
import { ControlChannel } from '../core/control';
import { BusPolicyWatcher } from './store/bus-watcher';
import { DEFAULT_ZONES, type ZoneMap, zoneOf } from './zones';
import type { StateStore } from '../core/ports/state-store';
import type { Authorizer } from '../core/authz';
import { StatePolicyAdapter } from './store/state-adapter';
import { EventView, indexPreparation } from './view';

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
  /** What the indexer adds to an event before storing it: tokens and redacted text of its personal data. */
  readonly prepareForIndex: <T extends Record<string, unknown>>(event: T) => T;
  close(): Promise<void>;
}

export interface PolicyServiceOptions {
  readonly dataDir: string;
  readonly audit: AuditLog;
  readonly bus?: Bus;
  readonly revoker: CredentialRevoker;
  readonly clock?: () => Date;
  readonly approversRequired?: 1 | 2;
  readonly policyDir?: string;
  readonly zones?: ZoneMap;
  /** Where policy lines, isolations and emergency grants live: the profile's shared store, so every replica sees the same. */
  readonly state: StateStore;
  /** Tells other replicas of changes; given by the caller (who starts and stops it) or made here from the bus. */
  readonly channel?: ControlChannel;
}

/**
 * The HMAC key of deterministic tokens: random per deployment, never logged, and shared by every
 * replica through the StateStore (a token must mean the same value on every replica, or a search
 * by token made on one would miss events stored by another). A key file of an earlier version in
 * the data directory is adopted on first start.
 */
async function tokenSecret(state: StateStore, dir: string): Promise<Buffer> {
  const file = path.join(dir, 'token-secret.key');
  const legacy = existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  await state.create('secrets', 'token-secret', { key: legacy ?? randomBytes(32).toString('base64') });
  const doc = (await state.get('secrets', 'token-secret')) as { key: string } | null;
  if (!doc) throw new Error('the token secret could not be read back from the state store');
  return Buffer.from(doc.key, 'base64');
}

/** What the indexer applies to every event before storing it, for processes that do not run the PDP (CLI ingest). */
export async function openIndexPreparation(state: StateStore, dataDir: string): Promise<<T extends Record<string, unknown>>(event: T) => T> {
  return indexPreparation(tokenizer(await tokenSecret(state, dataDir)));
}

export async function openPolicyServices(o: PolicyServiceOptions): Promise<PolicyServices> {
  const clock = o.clock ?? (() => new Date());
  const ownChannel = !o.channel && o.bus ? new ControlChannel(o.bus, randomUUID()) : undefined;
  const channel = o.channel ?? ownChannel;
  const state = o.state;
  const adapter = new StatePolicyAdapter(state);
  const policies = await PolicyService.open(adapter, o.audit, () => loadPolicyDir(o.policyDir ?? DEFAULT_POLICY_DIR));
  if (channel) {
    const watcher = new BusPolicyWatcher(channel);
    policies.enforcer.setWatcher(watcher);
    watcher.setUpdateCallback(() => void policies.reload());
  }
  const isolation = await AccountIsolation.open(state, { revoker: o.revoker, clock, ...(channel ? { channel } : {}) });
  const grants = await EmergencyGrants.open(state, {
    audit: o.audit,
    clock,
    approversRequired: o.approversRequired ?? 1,
    ...(channel ? { channel } : {}),
    // Designated approvers: whoever the policy lets approve emergency access into the department.
    canApprove: (subject, department) =>
      pdp.decide({ subject, resource: { type: 'emergency', department }, action: 'approve', context: {} }).decision === 'allow',
  });
  const tokenize = tokenizer(await tokenSecret(state, o.dataDir));
  const pdp: PolicyDecisionPoint = new PolicyDecisionPoint({
    policy: () => policies.compiled(),
    isolation,
    grants,
    clock,
    tokenizer: tokenize,
  });
  const signingKey = loadOrCreateSigningKey(o.dataDir, o.audit.suite);
  const checkpoints = new AuditCheckpoints(o.audit);
  await ownChannel?.start();
  const zones = o.zones ?? DEFAULT_ZONES;
  const authorizer: Authorizer = {
    decide: (req) => pdp.decide(req),
    view: (fields) => new EventView(fields ?? [], tokenize),
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
    prepareForIndex: indexPreparation(tokenize),
    async close() {
      await ownChannel?.stop();
    },
  };
}

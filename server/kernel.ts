/**
 * The platform's kernel: what the door needs before any module can start — who callers are (the
 * identity store and the department catalogue), what they may do (the PDP, isolation, grants),
 * limits on how often they may call, and the door itself, which authorizes, performs and audits
 * every action exactly once. Replicas hear each other's changes on the control channel.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AnonymousAuditGate } from '../core/anonymous-audit';
import type { Config } from '../core/config';
import { ControlChannel } from '../core/control';
import { Door } from '../core/door';
import type { Logger } from '../core/logging';
import type { PlatformPorts } from '../core/module';
import { RateLimiter } from '../core/rate-limit';
import { DepartmentCatalogue } from '../identity/departments';
import { IdentityStore } from '../identity/store';
import { openPolicyServices, type PolicyServices } from '../policy/services';

export interface Kernel {
  readonly identity: IdentityStore;
  readonly departments: DepartmentCatalogue;
  readonly policy: PolicyServices;
  readonly door: Door;
  readonly limiter: RateLimiter;
  readonly anonymousAudit: AnonymousAuditGate;
  readonly channel: ControlChannel;
  /** This replica's stable id (its data directory's). */
  readonly replicaId: string;
  close(): Promise<void>;
}

/** A replica keeps one id for good, so its control-channel consumer group is reused across restarts. */
export function replicaId(dataDir: string): string {
  const file = path.join(dataDir, 'replica-id');
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f-]{36}$/.test(id)) return id;
  }
  const id = randomUUID();
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}

const LOGIN = new Set(['auth.login']);

export interface KernelOptions {
  readonly clock?: () => Date;
  /**
   * Whether to consume citysoc.control (a running replica must; a one-shot command only tells the
   * replicas of its changes and must not join the replica's consumer group).
   */
  readonly listen?: boolean;
}

export async function openKernel(config: Config, ports: PlatformPorts, log: Logger, opts: KernelOptions = {}): Promise<Kernel> {
  const clock = opts.clock ?? (() => new Date());
  const id = replicaId(config.dataDir);
  const channel = new ControlChannel(ports.bus, id);
  const departments = await DepartmentCatalogue.open(ports.state, undefined, () => channel.publish({ kind: 'departments.changed', origin: id }));
  channel.on(async (m) => {
    if (m.kind === 'departments.changed') await departments.reload();
  });
  const identity = await IdentityStore.open(ports.state, {
    sessionTtlMinutes: config.auth.sessionTtlMinutes,
    maxFailedLogins: config.auth.maxFailedLogins,
    lockoutMinutes: config.auth.lockoutMinutes,
    ...(config.auth.maxTokenDays ? { maxTokenDays: config.auth.maxTokenDays } : {}),
    channel,
    clock,
  });
  const policy = await openPolicyServices({
    dataDir: config.dataDir,
    audit: ports.audit,
    bus: ports.bus,
    state: ports.state,
    channel,
    clock,
    revoker: { revokeAll: async (user) => ({ sessions: await identity.revokeSessions(user), tokens: await identity.revokeApiTokensCreatedBy(user) }) },
    approversRequired: config.policy.approversRequired as 1 | 2,
    ...(config.policy.dir ? { policyDir: config.policy.dir } : {}),
    ...(config.policy.zones ? { zones: config.policy.zones } : {}),
  });
  const l = config.server.limits;
  const limiter = new RateLimiter([
    { name: 'login', applies: (a) => LOGIN.has(a), per: 'ip', capacity: l.loginPerMinute, perSecond: l.loginPerMinute / 60 },
    {
      name: 'anonymous',
      applies: (a, actor) => actor === null && !LOGIN.has(a),
      per: 'ip',
      capacity: l.anonymousPerMinute,
      perSecond: l.anonymousPerMinute / 60,
    },
    {
      name: 'decisions',
      applies: (a, actor) => actor !== null && a === 'authz.decide_external',
      per: 'actor',
      capacity: l.decisionsPerSecond * 10,
      perSecond: l.decisionsPerSecond,
    },
    {
      name: 'calls',
      applies: (a, actor) => actor !== null && a !== 'authz.decide_external',
      per: 'actor',
      capacity: l.callsPerSecond * 10,
      perSecond: l.callsPerSecond,
    },
  ]);
  const anonymousAudit = new AnonymousAuditGate(ports.audit);
  const door = new Door({
    authorizer: policy.authorizer,
    audit: ports.audit,
    clock,
    limiter,
    anonymousAudit,
    onInternalError: (err, action) => log.error({ err, action }, 'an action failed with an internal error'),
  });
  if (opts.listen !== false) await channel.start();
  return {
    identity,
    departments,
    policy,
    door,
    limiter,
    anonymousAudit,
    channel,
    replicaId: id,
    async close() {
      await anonymousAudit.flush().catch((err: unknown) => log.error({ err }, 'summary of refused anonymous calls not written'));
      await policy.close();
      await channel.stop();
    },
  };
}

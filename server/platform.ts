/**
 * The composition root: opens the profile's ports, the identity store, the indexer and the
 * retention job, serves HTTP, and shuts down without losing anything that was accepted.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../core/config';
import type { Logger } from '../core/logging';
import type { Subscription } from '../core/ports';
import { countingStore } from '../collectors/gateway/counting-store';
import { createIngestGateway, type IngestGateway } from '../collectors/gateway/gateway';
import type { SyslogListeners } from '../collectors/gateway/syslog-server';
import { openPolicyServices, type PolicyServices } from '../policy/services';
import { randomUUID } from 'node:crypto';
import { ControlChannel } from '../policy/store/bus-watcher';
import { IdentityStore } from './auth/identity';
import { can } from '../core/roles';
import { createHandler } from './http';
import { type Detection, shippedRulesDir, startDetection } from './detection';
import { indexerDrained, startIndexer } from './indexer';
import { openPorts, type Ports } from './profiles';

export interface Platform {
  readonly url: string;
  readonly ports: Ports;
  readonly identity: IdentityStore;
  /** Policy decisions, isolation, emergency grants, audit checkpoints (policy/). */
  readonly policy: PolicyServices;
  /** The ingest gateway: pipeline (with its onEvent hook), metrics, reference-data reload. */
  readonly gateway: IngestGateway;
  /** Sigma detection and correlation on every accepted event; null when turned off. */
  readonly detection: Detection | null;
  /** Bound syslog listeners, when configured. */
  readonly syslog?: SyslogListeners;
  enforceRetention(now?: Date): Promise<number>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where the one-time admin password is shown; never the log. */
  readonly announce: (text: string) => void;
}

export async function startPlatform(config: Config, log: Logger, opts: StartOptions): Promise<Platform> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  const ports = await openPorts(config, log);
  // One channel per replica for everything other replicas must hear of: policy, isolation,
  // grants, identity changes.
  const channel = new ControlChannel(ports.bus, randomUUID());
  const identity = await IdentityStore.open(ports.state, { ...config.auth, channel });
  const admin = await identity.bootstrapAdmin();
  if (admin) {
    await ports.audit.append({
      actor: 'system',
      actorType: 'system',
      action: 'auth.bootstrap',
      resource: 'user:admin',
      decision: 'success',
      reason: 'first start: admin created with a one-time password',
    });
    opts.announce(
      [
        '',
        'CitySOC first start: the administrator account was created.',
        `  user:               ${admin.username}`,
        `  one-time password:  ${admin.password}`,
        'It is shown only now. Sign in and change it (mutation changePassword); nothing else works until you do.',
        '',
      ].join('\n'),
    );
  }

  const policy = await openPolicyServices({
    dataDir: config.dataDir,
    audit: ports.audit,
    bus: ports.bus,
    state: ports.state,
    channel,
    revoker: { revokeAll: async (user) => ({ sessions: await identity.revokeSessions(user), tokens: await identity.revokeApiTokensCreatedBy(user) }) },
    approversRequired: config.policy.approversRequired as 1 | 2,
    ...(config.policy.dir ? { policyDir: config.policy.dir } : {}),
    ...(config.policy.zones ? { zones: config.policy.zones } : {}),
    ...(config.policy.checkpointEveryRecords ? { checkpointEveryRecords: config.policy.checkpointEveryRecords } : {}),
    ...(config.policy.checkpointEveryMinutes ? { checkpointEveryMinutes: config.policy.checkpointEveryMinutes } : {}),
  });
  await channel.start();
  policy.checkpoints.start((err) => log.error({ err }, 'audit checkpoint failed; it is retried at the next interval'));
  const grantSweep = setInterval(() => void policy.grants.sweep().catch((err: unknown) => log.error({ err }, 'emergency grant report failed')), 60_000);
  grantSweep.unref();
  const gateway = createIngestGateway({
    config,
    bus: ports.bus,
    log,
    backlogBytes: ports.backlogBytes,
    authorize: (token) => {
      const who = identity.authenticate(token);
      if (!who) return null;
      return can(who.roles, 'events:ingest') ? who.name : 'forbidden';
    },
  });
  const rulesFolders = config.detection.rules ?? [shippedRulesDir()].filter((d): d is string => d !== null);
  const detection: Detection | null =
    config.detection.enabled && rulesFolders.length > 0
      ? await startDetection({ folders: rulesFolders, dataDir: config.dataDir, alerts: ports.alerts, log })
      : null;
  if (detection) gateway.pipeline.onEvent(detection.onEvent);
  const indexer: Subscription = await startIndexer(
    ports.bus,
    countingStore(ports.events, (r) => gateway.metrics.written(r.written)),
    log,
  );
  const enforceRetention = async (now = new Date()) => {
    const { deleted } = await ports.events.enforceRetention(now, config.retention.eventsDays);
    const audit = await ports.audit.prune(new Date(now.getTime() - config.retention.auditDays * 86_400_000));
    const sessions = await identity.purgeExpiredSessions();
    await ports.audit.append({
      actor: 'system',
      actorType: 'system',
      action: 'retention.enforce',
      resource: 'events',
      decision: 'success',
      reason: `retention: events ${config.retention.eventsDays} days, audit ${config.retention.auditDays} days`,
      details: { deleted, auditDeleted: audit.deleted, expiredSessions: sessions },
    });
    log.info({ deleted, days: config.retention.eventsDays }, 'retention enforced');
    return deleted;
  };
  await enforceRetention();
  const retentionTimer = setInterval(() => {
    enforceRetention().catch((err: unknown) => log.error({ err }, 'retention job failed; it runs again at the next interval'));
  }, config.retention.intervalMinutes * 60_000);
  retentionTimer.unref();

  let ready = false;
  const server: Server = createServer(
    createHandler({
      ports,
      identity,
      log,
      isReady: () => ready,
      gateway: gateway.routes,
      policy,
    }),
  );
  server.requestTimeout = 60_000;
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  const syslog = await gateway.startSyslog();
  // SIGHUP re-reads the enrichment files, as daemons do with their configuration.
  const onHangup = () => gateway.reloadReferenceData();
  process.on('SIGHUP', onHangup);
  ready = true;
  log.info({ url, profile: config.profile, dataDir: config.dataDir }, 'CitySOC is up');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      ready = false;
      clearInterval(retentionTimer);
      process.off('SIGHUP', onHangup);
      await gateway.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
      // Let the indexer catch up with what was accepted; the spool keeps the rest for next start.
      await indexerDrained(ports.bus, 15_000);
      clearInterval(grantSweep);
      await policy.close();
      await indexer.stop();
      await detection?.close();
      await ports.bus.close();
      await ports.events.close();
      await ports.alerts.close();
      await ports.audit.close();
      await channel.stop();
      await ports.state.close();
      log.info('CitySOC stopped');
    })());

  return { url, ports, identity, policy, gateway, detection, syslog, enforceRetention, close };
}

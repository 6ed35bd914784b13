/**
 * The composition root: opens the profile's ports, the identity store, the indexer and the
 * retention job, serves HTTP, and shuts down without losing anything that was accepted.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Config } from '../core/config';
import type { Logger } from '../core/logging';
import type { Subscription } from '../core/ports';
import { IdentityStore } from './auth/identity';
import { createHandler } from './http';
import { startIndexer } from './indexer';
import { openPorts, type Ports } from './profiles';

export interface Platform {
  readonly url: string;
  readonly ports: Ports;
  readonly identity: IdentityStore;
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
  const identity = new IdentityStore(path.join(config.dataDir, 'identity.db'), config.auth);
  const admin = await identity.bootstrapAdmin();
  if (admin) {
    await ports.audit.append({ actor: 'system', actorType: 'system', action: 'auth.bootstrap', resource: 'user:admin', decision: 'success', reason: 'first start: admin created with a one-time password' });
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

  const indexer: Subscription = await startIndexer(ports.bus, ports.events, log);
  const enforceRetention = async (now = new Date()) => {
    const { deleted } = await ports.events.enforceRetention(now, config.retention.eventsDays);
    await ports.audit.append({ actor: 'system', actorType: 'system', action: 'retention.enforce', resource: 'events', decision: 'success', reason: `retention ${config.retention.eventsDays} days`, details: { deleted } });
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
    createHandler({ ports, identity, log, maxRequestBytes: config.ingest.maxRequestBytes, spoolMaxBytes: config.ingest.spoolMaxBytes, isReady: () => ready }),
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
  ready = true;
  log.info({ url, profile: config.profile, dataDir: config.dataDir }, 'CitySOC is up');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      ready = false;
      clearInterval(retentionTimer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
      // Let the indexer catch up with what was accepted; the spool keeps the rest for next start.
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && (await ports.bus.lag('citysoc.events', 'indexer')) > 0) await new Promise((r) => setTimeout(r, 50));
      await indexer.stop();
      await ports.bus.close();
      await ports.events.close();
      await ports.alerts.close();
      await ports.audit.close();
      identity.close();
      log.info('CitySOC stopped');
    })());

  return { url, ports, identity, enforceRetention, close };
}

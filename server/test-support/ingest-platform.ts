/** A real platform with the ingest gateway's listeners on ephemeral ports and a collector token. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config';
import type { EcsEvent } from '../../core/event';
import { createLogger } from '../../core/logging';
import { indexerDrained } from '../../events/indexer';
import { type Platform, startPlatform } from '../platform';

export interface IngestPlatform {
  readonly platform: Platform;
  readonly dir: string;
  readonly token: string;
  /** A token without the collector role. */
  readonly analystToken: string;
  // The answer's shape differs per endpoint; tests assert it field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  post(pathname: string, body: string | Buffer, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: any }>;
  /** Waits until the indexer has stored everything accepted, then searches. */
  search(query: string, size?: number): Promise<{ total: number; events: EcsEvent[] }>;
  drained(): Promise<void>;
  stop(): Promise<void>;
}

export async function startIngestPlatform(
  overrides: Record<string, unknown> = {},
  dir = mkdtempSync(path.join(tmpdir(), 'citysoc-ingest-')),
): Promise<IngestPlatform> {
  const config = loadConfig({ env: {}, overrides: { dataDir: dir, 'server.port': 0, 'log.level': 'silent', ...overrides } });
  const platform = await startPlatform(config, createLogger('silent'), { announce: () => {} });
  const token = (await platform.identity.issueApiToken('fluent-bit-01', ['collector'], 'test')).token;
  const analystToken = (await platform.identity.issueApiToken('not-a-collector', ['analyst'], 'test')).token;
  const drained = async () => {
    if (!(await indexerDrained(platform.ports.bus, 20_000))) throw new Error('the indexer did not catch up within 20 s');
    await platform.ports.events.refresh();
  };
  return {
    platform,
    dir,
    token,
    analystToken,
    drained,
    async post(pathname, body, headers = {}) {
      const res = await fetch(`${platform.url}${pathname}`, {
        method: 'POST',
        body: body as BodyInit,
        headers: { authorization: `Bearer ${token}`, ...headers },
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
    },
    async search(query, size = 100) {
      await drained();
      return platform.ports.events.search({ query, size });
    },
    async stop() {
      await platform.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

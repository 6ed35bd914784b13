/**
 * A test platform (as harness.ts starts one) with the live feed of playbook runs and approvals
 * added to the platform's modules, and playbooks on. Once the platform's module list carries
 * livePlaybooksModule itself, startTestPlatform does the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logging';
import { livePlaybooksModule } from '../live-playbooks-module';
import { MODULES, moduleSections, startPlatform } from '../platform';
import type { Running } from './harness';

export const LIVE_MODULES = MODULES.some((m) => m.name === livePlaybooksModule.name) ? MODULES : [...MODULES, livePlaybooksModule];

export async function startLivePlatform(
  overrides: Record<string, unknown> = {},
  dir = mkdtempSync(path.join(tmpdir(), 'citysoc-platform-')),
): Promise<Running> {
  const config = loadConfig({
    sections: moduleSections(LIVE_MODULES),
    env: {},
    overrides: { dataDir: dir, 'server.port': 0, 'log.level': 'silent', 'playbooks.enabled': true, ...overrides },
  });
  let announced = '';
  const platform = await startPlatform(config, createLogger('silent'), { announce: (t) => void (announced += t), modules: LIVE_MODULES });
  const adminPassword = /one-time password:\s+(\S+)/.exec(announced)?.[1] ?? '';
  return {
    platform,
    dir,
    adminPassword,
    async gql(query, variables, token) {
      const res = await fetch(`${platform.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as never;
    },
    async stop() {
      await platform.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import * as path from 'node:path';
import { stackStatus, stackUp, type EngineName } from './index';

/**
 * Starts the real engines once for the integration project. Engines that were already running
 * (a developer's own `citysoc stack up`) are used as they are and left running afterwards.
 *
 * CITYSOC_STACK_ONLY=es,kafka limits the engines started; CITYSOC_STACK_KEEP=1 leaves the ones
 * started here running after the tests, which makes repeated local runs fast.
 */
export default async function globalSetup(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const only = process.env.CITYSOC_STACK_ONLY?.split(',')
    .map((s) => s.trim())
    .filter((s): s is EngineName => s.length > 0);
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const before = await stackStatus({ root, only });
  const statuses = await stackUp({ root, only, log });
  const unhealthy = statuses.filter((s) => !s.healthy);
  if (unhealthy.length > 0) {
    throw new Error(`stack not healthy:\n${unhealthy.map((s) => `  ${s.component} ${s.url}: ${s.detail ?? 'unhealthy'}`).join('\n')}`);
  }
  // Every test run creates indices of its own prefix and leaves them for inspection: on engines
  // kept running between runs they add up past the default 1,000 shards per node.
  for (const s of statuses)
    if ((s.engine === 'es' || s.engine === 'opensearch') && s.url.startsWith('http')) {
      const res = await fetch(`${s.url}/_cluster/settings`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ persistent: { 'cluster.max_shards_per_node': 20_000 } }),
      });
      if (!res.ok) throw new Error(`${s.component} ${s.url}: raising cluster.max_shards_per_node failed: ${res.status} ${await res.text()}`);
    }
  const startedHere = [...new Set(before.filter((s) => !s.healthy).map((s) => s.engine))];
  (globalThis as { __citysocStackStarted?: EngineName[] }).__citysocStackStarted = startedHere;
}

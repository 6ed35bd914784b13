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
  const startedHere = [...new Set(before.filter((s) => !s.healthy).map((s) => s.engine))];
  (globalThis as { __citysocStackStarted?: EngineName[] }).__citysocStackStarted = startedHere;
}

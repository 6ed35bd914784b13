import * as path from 'node:path';
import { stackDown, type EngineName } from './index';

/** Stops only the engines the global setup started (see jest-global-setup.ts). */
export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as { __citysocStackStarted?: EngineName[] }).__citysocStackStarted ?? [];
  if (started.length === 0 || process.env.CITYSOC_STACK_KEEP === '1') return;
  await stackDown({ root: path.resolve(__dirname, '..'), only: started });
}

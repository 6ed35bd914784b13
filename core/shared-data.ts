/**
 * The shared sample data beside the checkout (`../shared`): loghub logs, the SigmaHQ corpus and
 * the Sigma specification, read in place by tests and benchmarks, never copied in.
 */
import * as path from 'node:path';

export const SHARED_DIR = path.resolve(__dirname, '../../shared');

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DIR, ...parts);
}

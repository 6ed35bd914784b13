/** Where a simulation writes what, relative to its output folder. */
import path from 'node:path';
import type { SourceName } from './activity';

export const LAYOUT = {
  manifest: 'manifest.json',
  answerKey: 'answer-key.json',
  city: 'city.json',
  config: 'citysoc.yaml',
  assets: path.join('enrichment', 'assets.yaml'),
  identities: path.join('enrichment', 'identities.yaml'),
  datasets: path.join('enrichment', 'datasets.yaml'),
} as const;

/** One file per source and local day, as the products roll their logs. */
export function logFile(source: SourceName, date: string): string {
  return path.join('logs', source, `${date}.log`);
}

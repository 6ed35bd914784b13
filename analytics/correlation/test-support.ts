// Builders for correlation tests: a correlation rule from its `correlation:` body, timed events.
import type { SigmaCorrelationRule } from '../sigma/model';
import { parseSigmaYaml } from '../sigma/parse';

export function correlation(body: string, meta = ''): SigmaCorrelationRule {
  const doc = parseSigmaYaml(`title: Test correlation\n${meta}correlation:\n${body.replace(/^\n/, '')}`, 'test.yml').documents[0];
  if (doc?.kind !== 'correlation') throw new Error('expected a correlation rule');
  return doc;
}

export const T0 = Date.parse('2026-03-01T08:00:00Z');
export const at = (seconds: number): number => T0 + seconds * 1000;

// Builders shared by the Sigma tests: a rule from a detection snippet, and its JS matcher.
import { JsMatcherBackend, type SigmaEvent } from '../backends/js';
import type { SigmaRule } from '../model';
import { parseSigmaYaml } from '../parse';
import type { ProcessingPipeline } from '../pipeline';
import { sharedPath } from '../../../core/shared-data';

export const CORPUS = sharedPath('data/sigma');

/** A process_creation rule around a YAML `detection:` body (indented by 4). */
export function ruleFrom(detection: string, logsource = 'category: process_creation\n    product: windows'): SigmaRule {
  const text = `title: Test rule\nid: 00000000-0000-4000-8000-000000000001\nlevel: high\nlogsource:\n    ${logsource}\ndetection:\n${detection.replace(/^\n/, '')}`;
  const doc = parseSigmaYaml(text, 'test.yml').documents[0];
  if (doc?.kind !== 'rule') throw new Error('expected a detection rule');
  return doc;
}

export function matcher(detection: string, pipelines: ProcessingPipeline[] = []): (event: SigmaEvent) => boolean {
  return new JsMatcherBackend(pipelines).compile(ruleFrom(detection)).match;
}

// The registry of shipped pipelines: listable by name, so CLI and API can offer them.
import { SigmaParseError } from '../errors';
import type { ProcessingPipeline } from '../pipeline';
import { citysocPipeline } from './citysoc';
import { ecsPipeline } from './ecs';
import { windowsPipeline } from './windows';

const registry = new Map<string, ProcessingPipeline>([
  [ecsPipeline.name, ecsPipeline],
  [windowsPipeline.name, windowsPipeline],
  [citysocPipeline.name, citysocPipeline],
]);

export function listPipelines(): { name: string; description: string }[] {
  return [...registry.values()].map((p) => ({ name: p.name, description: p.description }));
}

export function getPipeline(name: string): ProcessingPipeline {
  const p = registry.get(name);
  if (!p) throw new SigmaParseError('unknown-pipeline', `unknown pipeline '${name}' (known: ${[...registry.keys()].join(', ')})`);
  return p;
}

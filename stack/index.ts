import type { Engine, EngineName, EngineStatus } from './engine';
import { elasticsearch } from './elasticsearch';
import { flink } from './flink';
import { kafka } from './kafka';
import { opensearch } from './opensearch';
import { errorMessage, makeContext } from './process';

export type { Engine, EngineName, EngineStatus } from './engine';

export interface StackOptions {
  /** repo root; .stack lives under it */
  root: string;
  only?: EngineName[];
  log?: (line: string) => void;
}

// Start order: one engine at a time, since two cores cannot start two JVMs quickly at once.
const ENGINES: readonly Engine[] = [elasticsearch, opensearch, kafka, flink];

export const ENGINE_NAMES: readonly EngineName[] = ENGINES.map((e) => e.name);

function selected(opts: StackOptions): Engine[] {
  const unknown = (opts.only ?? []).filter((n) => !ENGINE_NAMES.includes(n));
  if (unknown.length > 0) throw new Error(`unknown engine(s): ${unknown.join(', ')} (known: ${ENGINE_NAMES.join(', ')})`);
  return opts.only && opts.only.length > 0 ? ENGINES.filter((e) => opts.only?.includes(e.name)) : [...ENGINES];
}

/**
 * Fetches (first time only) and starts the selected engines one after another, waiting for each
 * to be healthy. Idempotent: healthy engines are left as they are. An engine that fails to come
 * up does not stop the others; its statuses are returned unhealthy with the error in detail.
 */
export async function stackUp(opts: StackOptions): Promise<EngineStatus[]> {
  const ctx = makeContext(opts.root, opts.log);
  const result: EngineStatus[] = [];
  for (const engine of selected(opts)) {
    const before = await engine.health(ctx);
    if (before.every((s) => s.healthy)) {
      ctx.log(`[stack] ${engine.name} already healthy`);
      result.push(...before);
      continue;
    }
    const t0 = Date.now();
    try {
      await engine.fetch(ctx);
      await engine.start(ctx);
      ctx.log(`[stack] ${engine.name} healthy after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      result.push(...(await engine.health(ctx)));
    } catch (e) {
      const message = errorMessage(e);
      ctx.log(`[stack] ${engine.name} failed: ${message}`);
      const after = await engine.health(ctx);
      result.push(...after.map((s) => (s.healthy ? s : { ...s, detail: message })));
    }
  }
  return result;
}

/** Stops every process the stack started for the selected engines, in reverse start order. */
export async function stackDown(opts: StackOptions): Promise<void> {
  const ctx = makeContext(opts.root, opts.log);
  for (const engine of selected(opts).reverse()) await engine.stop(ctx);
}

export async function stackStatus(opts: StackOptions): Promise<EngineStatus[]> {
  const ctx = makeContext(opts.root, opts.log);
  const statuses = await Promise.all(selected(opts).map((e) => e.health(ctx)));
  return statuses.flat();
}

// `citysoc detect --rules <dir>... [--pipeline <name>] <file>...`: offline detection and
// correlation over files, alerts as JSON lines on stdout, diagnostics on stderr.
import { CorrelationEngine } from '../correlation/engine';
import type { Detection } from '../alerts';
import { Detector } from '../detector';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadContent } from '../engine/content';
import { CompiledRuleCache } from '../engine/rule-cache';
import { SigmaError } from '../sigma/errors';
import type { ProcessingPipeline } from '../sigma/pipeline';
import { getPipeline } from '../sigma/pipelines';
import { readEvents, type InputEvent } from './event-input';
import { EXIT, type CommandIo } from './io';

export interface DetectOptions {
  rules: string[];
  pipeline?: string;
  files: string[];
  /**
   * Directory of the compiled-rule cache (analytics/engine/rule-cache.ts); null turns it off.
   * Default: $CITYSOC_CACHE_DIR, else $XDG_CACHE_HOME/citysoc, else ~/.cache/citysoc.
   */
  cacheDir?: string | null;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CITYSOC_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'citysoc');
}

/** One alert line: what fired, on what, and for correlations the group. */
export function detectionLine(d: Detection, ref?: string): Record<string, unknown> {
  if (d.kind === 'sigma') {
    return {
      type: 'sigma',
      rule_id: d.match.ruleId,
      title: d.match.title,
      level: d.match.level ?? null,
      tags: d.match.tags,
      event_id: d.eventId ?? ref ?? null,
      matched_fields: d.match.matchedFields,
      timestamp: new Date(d.time).toISOString(),
    };
  }
  const f = d.firing;
  return {
    type: 'correlation',
    rule_id: f.ruleId,
    title: f.rule.title,
    level: f.rule.level ?? null,
    tags: f.rule.tags,
    correlation_type: f.rule.type,
    group_key: f.groupKey,
    group: f.group,
    value: f.value,
    event_count: f.eventCount,
    event_ids: f.eventIds,
    first_seen: new Date(f.firstSeen).toISOString(),
    last_seen: new Date(f.lastSeen).toISOString(),
  };
}

export async function runDetect(opts: DetectOptions, io: CommandIo): Promise<number> {
  if (opts.rules.length === 0 || opts.files.length === 0) {
    io.err('detect: needs --rules <dir>... and at least one input file');
    return EXIT.usage;
  }
  // Our own content (product: citysoc) always gets its pipeline; the user's pipeline is for the rest.
  const pipelines: ProcessingPipeline[] = [getPipeline('citysoc')];
  try {
    if (opts.pipeline) pipelines.push(getPipeline(opts.pipeline));
  } catch (e) {
    io.err(`detect: ${(e as Error).message}`);
    return EXIT.usage;
  }
  let content;
  let engine;
  try {
    const cacheDir = opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir;
    const cache = cacheDir === null ? undefined : new CompiledRuleCache({ dir: cacheDir, onWarning: (m) => io.err(`detect: ${m}`) });
    content = loadContent(opts.rules, { pipelines, ...(cache ? { cache } : {}) });
    engine = new CorrelationEngine(content.correlations);
  } catch (e) {
    if (!(e instanceof SigmaError) && !(e as NodeJS.ErrnoException).code) throw e;
    io.err(`detect: cannot load rules: ${(e as Error).message}`);
    return EXIT.usage;
  }
  for (const r of content.rejected) io.err(`detect: rule skipped: ${r.reason}`);
  if (content.ruleSet.size === 0) {
    io.err(`detect: no usable detection rule under ${opts.rules.join(', ')}`);
    return EXIT.usage;
  }
  const detector = new Detector({ ruleSet: content.ruleSet, correlations: engine });
  let events = 0;
  let unparsed = 0;
  let alerts = 0;
  let failedFiles = 0;
  const ctx = { defaultYear: new Date().getUTCFullYear(), receivedAt: new Date() };
  for (const file of opts.files) {
    try {
      for await (const batch of readEvents(file, { keepRawJson: opts.pipeline === 'windows', ctx, onUnparsed: () => unparsed++ })) {
        for (let i = 0; i < batch.length; i++) {
          const { event, ref } = batch[i] as InputEvent;
          events++;
          const detections = detector.detect(event);
          for (let k = 0; k < detections.length; k++) {
            io.out(JSON.stringify(detectionLine(detections[k] as Detection, ref)));
            alerts++;
          }
        }
      }
    } catch (e) {
      io.err(`detect: cannot read ${file}: ${(e as Error).message}`);
      failedFiles++;
    }
  }
  for (const d of detector.flushDetections()) {
    io.out(JSON.stringify(detectionLine(d)));
    alerts++;
  }
  const late = engine.stats().lateDropped;
  io.err(
    `detect: ${events} events, ${unparsed} unparsed lines, ${alerts} alerts, ${content.ruleSet.size} rules, ${content.correlations.length} correlations${late ? `, ${late} late events dropped` : ''}`,
  );
  return failedFiles > 0 ? EXIT.failed : EXIT.ok;
}

/**
 * A simulation read through CitySOC's own ingest pipeline — the parsers of each product, then
 * enrichment from the simulation's reference data — in event-time order: what analytics sees
 * when the city's collectors ship live. For benchmarks, tests and the demonstration data.
 */
import path from 'node:path';
import { Enricher } from '../../../collectors/enrich/enricher';
import { loadReferenceData } from '../../../collectors/enrich/reference-data';
import { Pipeline } from '../../../collectors/pipeline/pipeline';
import type { EcsEvent } from '../../../core/event';
import { CITY_OFFSET } from './activity';
import { LAYOUT } from './layout';
import { readManifest, replaySimulation, type ReplayLine } from './replay';

export interface ParsedLine {
  readonly line: ReplayLine;
  readonly event?: EcsEvent;
  readonly error?: string;
}

/** A pipeline configured for a simulation's folder: its enrichment and the city's offset. */
export function simulationPipeline(dir: string): Pipeline {
  const enricher = new Enricher(
    loadReferenceData({ assets: path.join(dir, LAYOUT.assets), identities: path.join(dir, LAYOUT.identities), datasets: path.join(dir, LAYOUT.datasets) }),
  );
  return new Pipeline({ timeZone: CITY_OFFSET, enricher: () => enricher });
}

/**
 * Every line of the simulation, parsed and enriched, in time order. Received the day after the
 * simulation ends unless told otherwise, so event ids, ingest times and the year of syslog lines
 * do not depend on the day it is read.
 */
export async function* simulatedEvents(dir: string, receivedAt?: Date): AsyncGenerator<ParsedLine> {
  const pipeline = simulationPipeline(dir);
  const m = await readManifest(dir);
  const at = receivedAt ?? new Date(Date.parse(`${m.start}T00:00:00${CITY_OFFSET}`) + (m.days + 1) * 86_400_000);
  for await (const line of replaySimulation(dir)) {
    const r = pipeline.process(
      { kind: 'line', line: line.line },
      { collector: 'simulation', source: line.parser, position: `${path.basename(line.file)}:${line.source}:${line.lineNo}`, receivedAt: at },
    );
    yield r.ok ? { line, event: r.event } : { line, error: r.error };
  }
}

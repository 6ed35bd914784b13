/**
 * `citysoc up --demo`: a first-time user's populated platform. Once the platform serves, a small
 * simulated city is written into the data directory and published through the ingest pipeline —
 * each product's parser, the simulation's enrichment, the durable bus — in event-time order, so
 * the platform's own consumers (indexer, detection, correlation, UEBA, the alert writer, the live
 * feed, playbook triggers) take it up like any collector's events. Then cases are opened from the
 * riskiest alerts (UEBA's first), as an analyst would. The data directory is marked as seeded: a
 * second start loads nothing again.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SYSTEM_ACTOR } from '../core/actor';
import type { Alert } from '../core/alert';
import { Publisher } from '../collectors/pipeline/publisher';
import { indexerDrained } from '../events/indexer';
import { timeOrderedLines, type ReadLine } from '../collectors/pipeline/time-ordered';
import { CITY_OFFSET_MS } from '../analytics/ueba/simulator/activity';
import { simulationPipeline } from '../analytics/ueba/simulator/ingest';
import { LAYOUT, logFile } from '../analytics/ueba/simulator/layout';
import { simulate } from '../analytics/ueba/simulator/simulate';
import type { CasesServices } from '../cases/service';
import type { Platform } from './platform';

/** Small enough to load in seconds on a laptop; long enough for baselines to form and scenarios to show. */
export const DEMO_CITY = { users: 50, days: 14, seed: 7 } as const;
/** Cases opened from the riskiest alerts. */
const DEMO_CASES = 3;

export interface DemoSummary {
  readonly stage: 'published' | 'done';
  readonly at: string;
  readonly start: string;
  readonly read: number;
  readonly accepted: number;
  readonly deadLettered: number;
  readonly alerts?: number;
  readonly cases?: readonly string[];
}

export function demoDir(dataDir: string): string {
  return path.join(dataDir, 'demo');
}

function markerFile(dataDir: string): string {
  return path.join(demoDir(dataDir), 'seeded.json');
}

function readMarker(dataDir: string): DemoSummary | null {
  const f = markerFile(dataDir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as DemoSummary) : null;
}

/**
 * The first local day of a city whose last simulated day is the day before yesterday, so the
 * console's recent views show it and no night shift runs into the future.
 */
function startDay(now: Date, days: number): string {
  return new Date(now.getTime() + CITY_OFFSET_MS - (days + 1) * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Loads the demonstration city into a running platform unless its data directory holds it
 * already. Tells `say` how it goes; resolves with what was loaded, or null when nothing was.
 */
export async function seedDemo(
  platform: Platform,
  dataDir: string,
  say: (s: string) => void,
  city: { readonly users: number; readonly days: number; readonly seed: number } = DEMO_CITY,
  now = new Date(),
): Promise<DemoSummary | null> {
  const dir = demoDir(dataDir);
  let marker = readMarker(dataDir);
  if (marker?.stage === 'done') {
    say(`demo: the demonstration city is already loaded (${marker.read} log lines, ${marker.at}); nothing added\n`);
    return null;
  }
  if (!marker) {
    const start = startDay(now, city.days);
    say(`demo: simulating ${city.users} people over ${city.days} days from ${start} (seed ${city.seed}) into ${dir}\n`);
    const m = await simulate({ ...city, start, out: dir });
    say(`demo: ${m.lines} log lines written; publishing them through the ingest pipeline\n`);
    const files = m.dates
      .flatMap((d) => m.sources.map((s) => ({ file: path.join(dir, logFile(s.name, d)), source: s.parser })))
      .filter((f) => existsSync(f.file));
    const publisher = new Publisher(platform.ports.bus, simulationPipeline(dir));
    let accepted = 0;
    let dead = 0;
    let batch: ReadLine[] = [];
    const flush = async () => {
      await publisher.publishResults(batch.map((b) => b.result));
      for (const b of batch)
        if (b.result.ok) accepted++;
        else {
          dead++;
          say(`demo: ${b.file}:${b.line}: ${b.result.error}\n`);
        }
      batch = [];
    };
    let next = 10_000;
    for await (const l of timeOrderedLines(files, 'demo', publisher.pipeline)) {
      batch.push(l);
      if (batch.length < 1000) continue;
      await flush();
      if (accepted + dead >= next) {
        say(`demo: ${accepted + dead} / ${m.lines} lines published\n`);
        next += 10_000;
      }
    }
    await flush();
    // Everything is on the bus now (durably): a restart from here must not publish it again.
    marker = { stage: 'published', at: now.toISOString(), start, read: accepted + dead, accepted, deadLettered: dead };
    writeFileSync(markerFile(dataDir), JSON.stringify(marker, null, 2) + '\n');
    say(`demo: ${accepted + dead} lines published (${accepted} events, ${dead} dead-lettered); analytics catching up\n`);
  }
  while (!(await platform.analytics.idle(10_000))) say('demo: analytics still catching up …\n');
  while (!(await indexerDrained(platform.ports.bus, 10_000))) say('demo: the store still catching up …\n');
  // The replay is over: correlation windows close, as at the end of `citysoc ingest`.
  await platform.analytics.flush();
  await platform.analytics.idle(60_000);
  const cases = await openDemoCases(platform);
  const alerts = (await platform.ports.alerts.list({ size: 1 })).total;
  const done: DemoSummary = { ...marker, stage: 'done', alerts, cases };
  writeFileSync(markerFile(dataDir), JSON.stringify(done, null, 2) + '\n');
  say(
    `demo: loaded ${marker.read} log lines (${marker.deadLettered} dead-lettered): ${alerts} alerts, ${cases.length} cases opened from the riskiest alerts; answer key in ${path.join(dir, LAYOUT.answerKey)}\n`,
  );
  return done;
}

/** A case for each of the riskiest alerts (UEBA's first), through the door as the system. */
async function openDemoCases(platform: Platform): Promise<string[]> {
  const byRisk = (a: Alert, b: Alert) => b.risk - a.risk || a.id.localeCompare(b.id);
  const ueba = (await platform.ports.alerts.list({ ruleType: ['ueba'], size: 100 })).alerts.sort(byRisk);
  const others = (await platform.ports.alerts.list({ ruleType: ['sigma', 'correlation'], size: 100, sort: { field: 'risk', order: 'desc' } })).alerts.sort(
    byRisk,
  );
  const svc = platform.service<CasesServices>('cases');
  const ids: string[] = [];
  for (const a of [...ueba, ...others].slice(0, DEMO_CASES)) {
    const c = await svc.cases.openFromAlert(SYSTEM_ACTOR, { alertId: a.id, tags: ['demo'] });
    ids.push(c.id);
  }
  return ids;
}

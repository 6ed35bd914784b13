/**
 * Writes a labelled simulation of a city brain's activity: raw logs per product and day, the
 * answer key of injected scenarios, the city's reference data for enrichment and a configuration
 * that points ingest at it. Days are generated one at a time (a person's day from its own seeded
 * stream) and written before the next begins, so memory holds one day of the city, whatever the
 * number of days.
 */
import { access, mkdir, open, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { CitySocError } from '../../../core/errors';
import { describeIssues } from '../../../core/event';
import { type Activity, CITY_OFFSET, CITY_OFFSET_MS, localDay, PARSER_OF, SOURCE_OF, type SourceName } from './activity';
import { DAY, dayStart, indexCity, ordinaryDay } from './behaviour';
import { buildCity, type City } from './city';
import { assetsOf, datasetsOf, identitiesOf } from './enrichment';
import { render } from './formats';
import { LAYOUT, logFile } from './layout';
import { Random } from './random';
import { planScenarios, SCENARIOS, type AnswerKeyEntry, type ScenarioName } from './scenarios';

export const SimulateOptions = z.strictObject({
  users: z.coerce.number().int().min(10).max(100_000).default(50),
  days: z.coerce.number().int().min(1).max(3650).default(30),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  out: z.string().min(1).default('simulation'),
  /** Local date of day 0 (city time). */
  start: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date YYYY-MM-DD' })
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00${CITY_OFFSET}`)), { error: 'not a calendar date' })
    .default('2026-06-01'),
});
export type SimulateOptions = z.input<typeof SimulateOptions>;

export const SOURCES: readonly SourceName[] = ['ranger-audit', 'hdfs-audit', 'mysql-audit', 'pgaudit', 'data-api', 'secure'];

export interface Manifest {
  readonly seed: number;
  readonly users: number;
  readonly days: number;
  readonly start: string;
  readonly offset: string;
  /** Local dates with logs, in order. */
  readonly dates: readonly string[];
  readonly sources: readonly { readonly name: SourceName; readonly parser: string; readonly lines: number }[];
  readonly lines: number;
  readonly scenarios: Readonly<Partial<Record<ScenarioName, number>>>;
  readonly skipped: readonly { readonly scenario: ScenarioName; readonly reason: string }[];
}

export interface AnswerKey {
  readonly seed: number;
  readonly users: number;
  readonly days: number;
  readonly start: string;
  readonly scenarios: readonly AnswerKeyEntry[];
}

export function parseSimulateOptions(raw: Record<string, unknown>): z.output<typeof SimulateOptions> {
  const r = SimulateOptions.safeParse(raw);
  if (!r.success) throw new CitySocError('INPUT_INVALID', `simulate: ${describeIssues(r.error)}`);
  return r.data;
}

/** Appends lines to a file in bounded chunks. */
async function writeLines(file: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await mkdir(path.dirname(file), { recursive: true });
  const fh = await open(file, 'a');
  try {
    for (let i = 0; i < lines.length; i += 4096) await fh.write(lines.slice(i, i + 4096).join('\n') + '\n');
  } finally {
    await fh.close();
  }
}

function cityFile(city: City): unknown {
  return {
    departments: city.departments.map((d) => ({ code: d.code, name: d.name, en: d.en, appHosts: d.appHosts })),
    datasets: city.datasets,
    grants: city.grants,
    people: city.people,
  };
}

export async function simulate(raw: SimulateOptions, progress: (day: number, days: number) => void = () => undefined): Promise<Manifest> {
  const opts = parseSimulateOptions(raw as Record<string, unknown>);
  const start = Date.parse(`${opts.start}T00:00:00${CITY_OFFSET}`);
  const city = buildCity({ seed: opts.seed, users: opts.users, days: opts.days, start });
  const idx = indexCity(city);
  const plan = planScenarios(city, idx);
  const out = path.resolve(opts.out);
  await mkdir(out, { recursive: true });
  // Logs are appended day by day, so an earlier simulation's logs go first; a logs folder that is
  // not a simulation's is left alone.
  const exists = (f: string) =>
    access(path.join(out, f)).then(
      () => true,
      () => false,
    );
  if (await exists('logs')) {
    if (!(await exists(LAYOUT.manifest)))
      throw new CitySocError('INPUT_INVALID', `simulate: ${path.join(out, 'logs')} exists and is not a simulation's output; choose another --out`);
    await rm(path.join(out, 'logs'), { recursive: true, force: true });
  }

  const key: AnswerKey = { seed: opts.seed, users: opts.users, days: opts.days, start: opts.start, scenarios: plan.injections.map((i) => i.entry) };
  await writeFile(path.join(out, LAYOUT.answerKey), JSON.stringify(key, null, 2) + '\n');
  await writeFile(path.join(out, LAYOUT.city), JSON.stringify(cityFile(city)) + '\n');
  await mkdir(path.join(out, 'enrichment'), { recursive: true });
  await writeFile(path.join(out, LAYOUT.assets), YAML.stringify({ assets: assetsOf(city) }));
  await writeFile(path.join(out, LAYOUT.identities), YAML.stringify({ identities: identitiesOf(city) }));
  await writeFile(path.join(out, LAYOUT.datasets), YAML.stringify({ datasets: datasetsOf(city) }));
  await writeFile(
    path.join(out, LAYOUT.config),
    YAML.stringify({
      ingest: {
        // Ranger, HDFS, syslog and pgaudit ("CST") write the city's local time without an offset.
        timeZone: CITY_OFFSET,
        enrichment: { assets: path.join(out, LAYOUT.assets), identities: path.join(out, LAYOUT.identities), datasets: path.join(out, LAYOUT.datasets) },
      },
    }),
  );

  const silent = new Map<string, (day: number) => boolean>();
  for (const inj of plan.injections) if (inj.person && inj.silent) silent.set(inj.person, inj.silent);
  const counts = new Map<SourceName, number>(SOURCES.map((s) => [s, 0]));
  const dates: string[] = [];
  let carry: Activity[] = [];

  const flush = async (acts: Activity[]) => {
    acts.sort((a, b) => a.t - b.t);
    const byDate = new Map<string, Map<SourceName, string[]>>();
    for (const a of acts) {
      const date = localDay(a.t);
      let bySource = byDate.get(date);
      if (!bySource) byDate.set(date, (bySource = new Map()));
      const source = SOURCE_OF[a.kind];
      let lines = bySource.get(source);
      if (!lines) bySource.set(source, (lines = []));
      lines.push(render(a));
    }
    for (const [date, bySource] of byDate) {
      if (!dates.includes(date)) dates.push(date);
      for (const [source, lines] of bySource) {
        await writeLines(path.join(out, logFile(source, date)), lines);
        counts.set(source, counts.get(source)! + lines.length);
      }
    }
  };

  for (let day = 0; day < city.days; day++) {
    const acts: Activity[] = carry;
    for (const p of city.people) {
      if (silent.get(p.name)?.(day)) continue;
      for (const a of ordinaryDay(city, idx, p, day, new Random(opts.seed, 'day', p.name, day))) acts.push(a);
    }
    for (const inj of plan.injections) for (const a of inj.activities(day)) acts.push(a);
    const end = dayStart(city, day + 1);
    carry = acts.filter((a) => a.t >= end);
    await flush(acts.filter((a) => a.t < end));
    progress(day + 1, city.days);
  }
  await flush(carry);

  const scenarios: Partial<Record<ScenarioName, number>> = {};
  for (const s of SCENARIOS) {
    const n = plan.injections.filter((i) => i.entry.scenario === s).length;
    if (n > 0) scenarios[s] = n;
  }
  const manifest: Manifest = {
    seed: opts.seed,
    users: opts.users,
    days: opts.days,
    start: opts.start,
    offset: CITY_OFFSET,
    dates: dates.sort(),
    sources: SOURCES.map((name) => ({ name, parser: PARSER_OF[name], lines: counts.get(name)! })),
    lines: [...counts.values()].reduce((a, b) => a + b, 0),
    scenarios,
    skipped: plan.skipped,
  };
  await writeFile(path.join(out, LAYOUT.manifest), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** Local midnight of a date in the city's time, epoch ms. */
export function cityMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00${CITY_OFFSET}`);
}

export { CITY_OFFSET_MS, DAY };

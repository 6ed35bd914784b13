import { Command } from 'commander';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Enricher } from '../../../collectors/enrich/enricher';
import { loadReferenceData } from '../../../collectors/enrich/reference-data';
import { Pipeline } from '../../../collectors/pipeline/pipeline';
import type { CliEnv } from '../../../core/module';
import { indexCity } from './behaviour';
import { buildCity } from './city';
import { registerSimulate } from './cli';
import { replaySimulation } from './replay';
import { planScenarios, SCENARIOS } from './scenarios';
import { simulate, type AnswerKey, type Manifest } from './simulate';

jest.setTimeout(120_000);

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'citysoc-sim-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** SHA-256 over every file of a folder (names and contents), in name order. */
function digest(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const f = path.join(d, name);
      if (statSync(f).isDirectory()) walk(f);
      else if (name !== 'citysoc.yaml') h.update(`${path.relative(dir, f)}\n`).update(readFileSync(f));
    }
  };
  walk(dir);
  return h.digest('hex');
}

const read = <T>(f: string): T => JSON.parse(readFileSync(f, 'utf8')) as T;

describe('the city-brain simulator', () => {
  test('the same seed and sizes write byte-identical logs, answer key and reference data; another seed does not', async () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    await simulate({ users: 20, days: 15, seed: 3, out: a });
    await simulate({ users: 20, days: 15, seed: 3, out: b });
    await simulate({ users: 20, days: 15, seed: 4, out: c });
    expect(digest(a)).toBe(digest(b));
    expect(digest(a)).not.toBe(digest(c));
  });

  test('every line is read by the CitySOC parser of its product, with the user, and data access enriched with classification and owner', async () => {
    const dir = tmp();
    const m = await simulate({ users: 20, days: 16, seed: 11, out: dir });
    const enricher = new Enricher(
      loadReferenceData({
        assets: path.join(dir, 'enrichment/assets.yaml'),
        identities: path.join(dir, 'enrichment/identities.yaml'),
        datasets: path.join(dir, 'enrichment/datasets.yaml'),
      }),
    );
    const pipeline = new Pipeline({ timeZone: '+08:00', enricher: () => enricher });
    const parsedBy = new Map<string, number>();
    const failures: string[] = [];
    let data = 0;
    let unclassified = 0;
    let withoutUser = 0;
    let lines = 0;
    let previous = 0;
    let backwards = 0;
    const sudoBy = new Set<string>();
    for await (const r of replaySimulation(dir)) {
      lines++;
      if (r.t < previous) backwards++;
      previous = r.t;
      // Auto-detection, as `citysoc parse --source auto` does.
      const out = pipeline.process(
        { kind: 'line', line: r.line },
        { collector: 'test', position: `${r.file}:${r.lineNo}`, receivedAt: new Date('2026-12-01T00:00:00Z') },
      );
      if (!out.ok) {
        failures.push(`${r.source}: ${out.error}`);
        continue;
      }
      const e = out.event as unknown as {
        '@timestamp': string;
        user?: { name?: string };
        event: { action?: string };
        citysoc: { source: string; data?: { action?: string; classification?: string; owner_department?: string } };
      };
      const key = `${r.source}→${e.citysoc.source}`;
      parsedBy.set(key, (parsedBy.get(key) ?? 0) + 1);
      if (/ sudo: /.test(r.line)) sudoBy.add(e.citysoc.source);
      // The parsed time is the time the simulator wrote (the zone-less formats read in +08:00).
      expect(Math.abs(Date.parse(e['@timestamp']) - r.t)).toBeLessThan(1000);
      // A pgaudit GRANT names no table (the ROLE class logs no object), so it cannot be classified.
      if (e.citysoc.data && e.citysoc.data.action !== 'grant') {
        data++;
        if (!e.citysoc.data.classification || !e.citysoc.data.owner_department) unclassified++;
      }
      if (!e.user?.name && e.event.action !== 'disconnect' && e.citysoc.source !== 'linux-syslog') withoutUser++;
    }
    expect(failures).toEqual([]);
    expect(lines).toBe(m.lines);
    expect(backwards).toBe(0);
    expect([...parsedBy.keys()].filter((k) => k !== 'secure→linux-syslog').sort()).toEqual([
      'data-api→data-api',
      'hdfs-audit→hdfs-audit',
      'mysql-audit→mysql-audit',
      'pgaudit→pgaudit',
      'ranger-audit→ranger-audit',
      'secure→openssh',
    ]);
    expect(sudoBy).toEqual(new Set(sudoBy.size > 0 ? ['linux-syslog'] : []));
    expect(data).toBeGreaterThan(1000);
    expect(unclassified).toBe(0);
    expect(withoutUser).toBe(0);
  });

  test('a 50-person month gets one instance of each of the nine scenarios, each on its own person, inside the simulated time', () => {
    const start = Date.parse('2026-06-01T00:00:00+08:00');
    const city = buildCity({ seed: 7, users: 50, days: 30, start });
    const plan = planScenarios(city, indexCity(city));
    expect(plan.skipped).toEqual([]);
    expect(plan.injections.map((i) => i.entry.scenario).sort()).toEqual([...SCENARIOS].sort());
    const people = plan.injections.flatMap((i) => (i.person ? [i.person] : []));
    expect(new Set(people).size).toBe(people.length);
    for (const i of plan.injections) {
      const [s, e] = [Date.parse(i.entry.start), Date.parse(i.entry.end)];
      expect(s).toBeLessThanOrEqual(e);
      expect(s).toBeGreaterThanOrEqual(start + 10 * 86_400_000); // after the learning days
      expect(e).toBeLessThan(start + 31 * 86_400_000);
    }
  });

  test('a city of 500 gets three instances of each scenario; fewer than 14 days gets none and says why', () => {
    const start = Date.parse('2026-06-01T00:00:00+08:00');
    const big = buildCity({ seed: 7, users: 500, days: 60, start });
    const plan = planScenarios(big, indexCity(big));
    for (const s of SCENARIOS) expect(plan.injections.filter((i) => i.entry.scenario === s)).toHaveLength(3);
    const short = buildCity({ seed: 7, users: 50, days: 10, start });
    const none = planScenarios(short, indexCity(short));
    expect(none.injections).toEqual([]);
    expect(none.skipped[0]).toEqual({ scenario: 'mass_export', reason: 'needs at least 14 days (10 of ordinary behaviour first)' });
  });

  test('the injected activity is in the logs: the dormant account is silent between its first days and its return', async () => {
    const dir = tmp();
    await simulate({ users: 50, days: 30, seed: 7, out: dir });
    const key = read<AnswerKey>(path.join(dir, 'answer-key.json'));
    const dormant = key.scenarios.find((s) => s.scenario === 'dormant_reactivated')!;
    const days = new Set<string>();
    // Lines where the account itself acts (not a spray trying its name, not a DBA granting it something).
    const acting = new RegExp(
      `"reqUser":"${dormant.user}"|ugi=${dormant.user}@|"name":"${dormant.user}"|"user":"${dormant.user}|\\] ${dormant.user}@|Accepted \\w+ for ${dormant.user} `,
    );
    for await (const r of replaySimulation(dir)) if (acting.test(r.line)) days.add(new Date(r.t + 8 * 3_600_000).toISOString().slice(0, 10));
    const sorted = [...days].sort();
    expect(sorted.at(-1)).toBe(dormant.start.slice(0, 10));
    const gap = (Date.parse(sorted.at(-1)!) - Date.parse(sorted.at(-2)!)) / 86_400_000;
    expect(gap).toBeGreaterThanOrEqual(22);
  });

  test('citysoc simulate writes the manifest, answer key and enrichment and prints how to ingest; a bad size is refused with the option named', async () => {
    const dir = tmp();
    const out: string[] = [];
    const env: CliEnv = { out: (s) => out.push(s), err: (s) => out.push(s), loadConfig: () => ({}) as never };
    const program = new Command('citysoc').exitOverride();
    registerSimulate(program, env);
    await program.parseAsync(['node', 'citysoc', 'simulate', '--users', '12', '--days', '14', '--seed', '5', '--out', dir]);
    const m = read<Manifest>(path.join(dir, 'manifest.json'));
    expect(m).toMatchObject({ users: 12, days: 14, seed: 5, start: '2026-06-01', offset: '+08:00' });
    expect(m.dates[0]).toBe('2026-06-01');
    expect(out.join('')).toContain(`ingest with: citysoc --config ${path.join(dir, 'citysoc.yaml')} ingest`);
    await expect(program.parseAsync(['node', 'citysoc', 'simulate', '--users', '3', '--out', dir])).rejects.toThrow(
      'simulate: users: Too small: expected number to be >=10',
    );
  });
});

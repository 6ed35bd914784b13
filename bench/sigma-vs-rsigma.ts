// CitySOC's `citysoc detect` next to rsigma, side by side in one run: the same SigmaHQ Windows
// rules, the same flat Sysmon events (rsigma's fast path, its `sysmon` pipeline; CitySOC's
// `windows` pipeline), whole processes pinned to one CPU, rounds alternating which goes first.
// Prints events/s (wall clock and CPU time), start-up with one event, and the ratios. CitySOC runs
// twice: through the whole CLI (bin/citysoc.js, which loads the platform) and through the
// analytics entry alone (analytics/cli/main.ts: the same detect verb without the platform).
// Installs nothing: rsigma is measured when it is on PATH (cargo install rsigma --version 0.23.0
// --features rsigma-runtime --locked: without --locked a newer dependency wants a newer Rust);
// CitySOC runs from dist/ (npm run build). Both outputs are compared rule by rule.
//
// Usage: npx tsx bench/sigma-vs-rsigma.ts [events, default 100000] [rounds, default 3]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedPath } from '../core/shared-data';
import { flatSysmonEvents } from './sigma-events';

const EVENTS = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const ROOT = join(__dirname, '..');
const RULES = sharedPath('data/sigma/rules/windows');
const work = mkdtempSync(join(tmpdir(), 'sigma-vs-rsigma-'));
const cacheDir = join(work, 'cache');

interface Run {
  wall: number;
  cpu: number;
  lines: number;
}

/** Matches per rule id in the last output (CitySOC's `rule_id`, rsigma's `rule_id`). */
function matchesByRule(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(`${work}/out.jsonl`, 'utf8').split('\n')) {
    if (!line) continue;
    const id = String((JSON.parse(line) as { rule_id?: unknown }).rule_id);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Runs a shell command pinned to CPU 0; wall time measured here, CPU time of the children from bash's `times`. */
function run(command: string): Run {
  const script = `taskset -c 0 ${command} > ${work}/out.jsonl 2> ${work}/err.txt; status=$?; times; wc -l < ${work}/out.jsonl; exit $status`;
  const started = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, CITYSOC_CACHE_DIR: cacheDir } });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${command} failed (${r.status}): ${r.stderr}${spawnSync('cat', [`${work}/err.txt`], { encoding: 'utf8' }).stdout}`);
  const [, children = '', count = '0'] = r.stdout.trim().split('\n');
  const seconds = (t: string): number => {
    const m = /(\d+)m([\d.]+)s/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  };
  const [user = '', sys = ''] = children.trim().split(/\s+/);
  return { wall, cpu: seconds(user) + seconds(sys), lines: Number(count) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** The newest source file under the given folders, to tell a stale build. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const built = join(ROOT, 'dist/analytics/cli/detect.js');
if (!existsSync(built) || statSync(built).mtimeMs < Math.max(...['analytics', 'collectors', 'core'].map((d) => newest(join(ROOT, d))))) {
  console.error('dist/ is missing or older than the sources: run `npm run build` first');
  process.exit(2);
}
const rsigma = spawnSync('rsigma', ['--version'], { encoding: 'utf8' });
const haveRsigma = rsigma.status === 0;

const events = join(work, 'events.jsonl');
const one = join(work, 'one.jsonl');
const lines = flatSysmonEvents(EVENTS);
writeFileSync(events, `${lines.join('\n')}\n`);
writeFileSync(one, `${lines[0]}\n`);

const entry = join(work, 'analytics-entry.js');
writeFileSync(entry, `require(${JSON.stringify(join(ROOT, 'dist/analytics/cli/main.js'))}).main(process.argv).then((c) => { process.exitCode = c; });\n`);

const commands = {
  citysoc: (file: string) => `node ${ROOT}/bin/citysoc.js detect --rules ${RULES} --pipeline windows ${file}`,
  // The same verb through the analytics entry alone.
  'citysoc-entry': (file: string) => `node ${entry} detect --rules ${RULES} --pipeline windows ${file}`,
  rsigma: (file: string) => `rsigma engine eval -r ${RULES} -p sysmon -e @${file}`,
};

console.log(
  `node ${process.version}; ${haveRsigma ? rsigma.stdout.trim() : 'rsigma not on PATH (cargo install rsigma --version 0.23.0 --features rsigma-runtime --locked)'}`,
);
console.log(
  `rules: ${RULES} (${readdirSync(RULES, { recursive: true }).filter((f) => String(f).endsWith('.yml')).length} files); events: ${EVENTS} flat Sysmon lines; ${ROUNDS} rounds; every process pinned to CPU 0`,
);

console.log(
  `load average at the start: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (the machine is shared: the side-by-side ratios are what compare)`,
);

// Warm-up: fills the compiled-rule cache and the page cache for both.
run(commands.citysoc(one));
if (haveRsigma) run(commands.rsigma(one));

const engines = haveRsigma ? (['citysoc', 'citysoc-entry', 'rsigma'] as const) : (['citysoc', 'citysoc-entry'] as const);
const results: Record<string, { stream: Run[]; startup: Run[]; byRule?: Map<string, number> }> = {};
for (const e of engines) results[e] = { stream: [], startup: [] };
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? engines : [...engines].reverse();
  for (const e of order) {
    results[e]!.stream.push(run(commands[e](events)));
    results[e]!.byRule ??= matchesByRule();
    results[e]!.startup.push(run(commands[e](one)));
  }
}

const rate = (runs: Run[], key: 'wall' | 'cpu'): number => EVENTS / median(runs.map((r) => r[key]));
const startup = (runs: Run[], key: 'wall' | 'cpu'): number => median(runs.map((r) => r[key]));
for (const e of engines) {
  const r = results[e]!;
  console.log(
    `${e.padEnd(13)} ${rate(r.stream, 'wall').toFixed(0).padStart(7)} events/s wall, ${rate(r.stream, 'cpu').toFixed(0).padStart(7)} events/s CPU ` +
      `(runs ${r.stream.map((x) => x.wall.toFixed(2)).join(', ')} s wall); ${r.stream[0]!.lines} output lines; ` +
      `start-up with one event ${startup(r.startup, 'wall').toFixed(2)} s wall, ${startup(r.startup, 'cpu').toFixed(2)} s CPU`,
  );
}
if (haveRsigma) {
  const s = results.rsigma!;
  for (const e of ['citysoc', 'citysoc-entry'] as const) {
    const c = results[e]!;
    console.log(
      `ratio ${e}/rsigma: throughput ${(rate(c.stream, 'wall') / rate(s.stream, 'wall')).toFixed(2)}x wall, ${(rate(c.stream, 'cpu') / rate(s.stream, 'cpu')).toFixed(2)}x CPU; ` +
        `start-up ${(startup(s.startup, 'wall') / startup(c.startup, 'wall')).toFixed(2)}x wall, ${(startup(s.startup, 'cpu') / startup(c.startup, 'cpu')).toFixed(2)}x CPU (rsigma time / citysoc time)`,
    );
  }
}
// Same rules, same events: the same (rule, count) pairs, or the differences named.
const reference = results.citysoc!.byRule!;
for (const e of engines.filter((x) => x !== 'citysoc')) {
  const other = results[e]!.byRule!;
  const ids = [...new Set([...reference.keys(), ...other.keys()])].sort();
  const differ = ids.filter((id) => (reference.get(id) ?? 0) !== (other.get(id) ?? 0));
  const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  console.log(
    `matches citysoc ${total(reference)} over ${reference.size} rules, ${e} ${total(other)} over ${other.size} rules: ` +
      (differ.length === 0
        ? 'the same count for every rule'
        : `${differ.length} rules differ: ${differ.map((id) => `${id} ${reference.get(id) ?? 0} vs ${other.get(id) ?? 0}`).join('; ')}`),
  );
}
console.log(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);

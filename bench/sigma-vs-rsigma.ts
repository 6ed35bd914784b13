// CitySOC's `citysoc detect` next to rsigma, side by side in one run: the same SigmaHQ Windows
// rules, the same flat Sysmon events (rsigma's fast path, its `sysmon` pipeline; CitySOC's
// `windows` pipeline), whole processes pinned to one CPU, rounds alternating which goes first.
// Prints events/s (wall clock and CPU time), start-up with one event, and the ratios.
// Installs nothing: rsigma is measured when it is on PATH (cargo install rsigma --version 0.23.0
// --features rsigma-runtime); CitySOC runs from dist/ (npm run build).
//
// Usage: npx tsx bench/sigma-vs-rsigma.ts [events, default 100000] [rounds, default 3]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

const detectOnly = join(work, 'detect-only.js');
writeFileSync(
  detectOnly,
  `require(${JSON.stringify(built)}).runDetect({ rules: [process.argv[2]], pipeline: 'windows', files: [process.argv[3]] }, { out: (s) => process.stdout.write(s + '\\n'), err: () => {} }).then((c) => process.exit(c));\n`,
);

const commands = {
  citysoc: (file: string) => `node ${ROOT}/bin/citysoc.js detect --rules ${RULES} --pipeline windows ${file}`,
  // The same detection without the CLI's other verbs loaded (what a lazily importing CLI would start with).
  citysocDetectOnly: (file: string) => `node ${detectOnly} ${RULES} ${file}`,
  rsigma: (file: string) => `rsigma engine eval -r ${RULES} -p sysmon -e @${file}`,
};

console.log(
  `node ${process.version}; ${haveRsigma ? rsigma.stdout.trim() : 'rsigma not on PATH (cargo install rsigma --version 0.23.0 --features rsigma-runtime)'}`,
);
console.log(
  `rules: ${RULES} (${readdirSync(RULES, { recursive: true }).filter((f) => String(f).endsWith('.yml')).length} files); events: ${EVENTS} flat Sysmon lines; ${ROUNDS} rounds; every process pinned to CPU 0`,
);

// Warm-up: fills the compiled-rule cache and the page cache for both.
run(commands.citysoc(one));
if (haveRsigma) run(commands.rsigma(one));

const engines = haveRsigma ? (['citysoc', 'rsigma'] as const) : (['citysoc'] as const);
const results: Record<string, { stream: Run[]; startup: Run[]; detectOnly: Run[] }> = {};
for (const e of engines) results[e] = { stream: [], startup: [], detectOnly: [] };
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? engines : [...engines].reverse();
  for (const e of order) {
    results[e]!.stream.push(run(commands[e](events)));
    results[e]!.startup.push(run(commands[e](one)));
  }
  results.citysoc!.detectOnly.push(run(commands.citysocDetectOnly(one)));
}

const rate = (runs: Run[], key: 'wall' | 'cpu'): number => EVENTS / median(runs.map((r) => r[key]));
for (const e of engines) {
  const r = results[e]!;
  console.log(
    `${e.padEnd(8)} ${rate(r.stream, 'wall').toFixed(0).padStart(7)} events/s wall, ${rate(r.stream, 'cpu').toFixed(0).padStart(7)} events/s CPU; ` +
      `${r.stream[0]!.lines} output lines; start-up with one event ${median(r.startup.map((x) => x.wall)).toFixed(2)} s wall, ${median(r.startup.map((x) => x.cpu)).toFixed(2)} s CPU`,
  );
}
const alone = results.citysoc!.detectOnly;
console.log(
  `citysoc detection alone (runDetect without the CLI's other imports): start-up ${median(alone.map((x) => x.wall)).toFixed(2)} s wall, ${median(alone.map((x) => x.cpu)).toFixed(2)} s CPU`,
);
if (haveRsigma) {
  const c = results.citysoc!;
  const s = results.rsigma!;
  console.log(
    `ratio citysoc/rsigma: throughput ${(rate(c.stream, 'wall') / rate(s.stream, 'wall')).toFixed(2)}x wall, ${(rate(c.stream, 'cpu') / rate(s.stream, 'cpu')).toFixed(2)}x CPU; ` +
      `start-up ${(median(s.startup.map((x) => x.wall)) / median(c.startup.map((x) => x.wall))).toFixed(2)}x (rsigma time / citysoc time)`,
  );
}

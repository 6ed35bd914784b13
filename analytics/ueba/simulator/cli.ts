/**
 * `citysoc simulate`: registered on the program by the UEBA module's `cli` hook. Writes the
 * simulation and prints where everything is and how to feed it to CitySOC.
 */
import type { Command } from 'commander';
import path from 'node:path';
import type { CliEnv } from '../../../core/module';
import { LAYOUT } from './layout';
import { simulate } from './simulate';

export function registerSimulate(program: Command, env: CliEnv): void {
  program
    .command('simulate')
    .description('labelled city-brain activity as raw logs (Ranger, HDFS, MySQL, pgaudit, data-sharing API, sshd/sudo) with an answer key')
    .option('--users <n>', 'people in the city (10–100000)', '50')
    .option('--days <n>', 'simulated days', '30')
    .option('--seed <n>', 'random seed: the same seed and sizes give the same output', '1')
    .option('--out <dir>', 'output folder (its logs/ is replaced)', 'simulation')
    .option('--start <date>', 'first local day, YYYY-MM-DD (China Standard Time)', '2026-06-01')
    .action(async (o: { users: string; days: string; seed: string; out: string; start: string }) => {
      const m = await simulate({ users: o.users, days: o.days, seed: o.seed, out: o.out, start: o.start });
      const out = path.resolve(o.out);
      const lines = [
        `simulated ${m.users} people over ${m.days} days from ${m.start} (seed ${m.seed}): ${m.lines} log lines in ${path.join(out, 'logs')}`,
        ...m.sources.map((s) => `  ${s.name.padEnd(13)} ${String(s.lines).padStart(10)}  (parser: ${s.parser})`),
        `scenarios injected: ${Object.entries(m.scenarios)
          .map(([k, v]) => `${k} ×${v}`)
          .join(', ')}`,
        ...m.skipped.map((s) => `  not injected: ${s.scenario} (${s.reason})`),
        `answer key: ${path.join(out, LAYOUT.answerKey)}`,
        `enrichment: ${path.join(out, 'enrichment')} (assets, identities, datasets)`,
        `ingest with: citysoc --config ${path.join(out, LAYOUT.config)} ingest ${path.join(out, 'logs')}/*/*.log`,
      ];
      env.out(lines.join('\n') + '\n');
    });
}

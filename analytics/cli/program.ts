// The analytics verbs (`detect`, `rules validate|convert`) on a commander program: server/cli.ts
// adds them to the full CLI, and main.ts runs them alone, so a detection run does not load the
// platform (its start-up is then the rule cache's, not the whole product's). Each verb loads its
// own modules when it runs.
import { Option, type Command } from 'commander';
import type { CommandIo } from './io';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = <T>(module: string): T => require(module) as T;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Adds the analytics verbs; `lines` writes one result or diagnostic line per call. */
export function addAnalyticsCommands(program: Command, lines: CommandIo): void {
  program
    .command('detect')
    .description('offline detection and correlation → alerts as JSON lines')
    .requiredOption('--rules <dir>', 'a rule folder or file; repeat for several (--rules a --rules b)', collect, [])
    .option('--pipeline <name>', 'field mapping pipeline (ecs, windows, citysoc)')
    .argument('<files...>', 'JSON lines (ECS or raw JSON such as Windows events) or raw log files')
    .action(async (files: string[], o: { rules: string[]; pipeline?: string }) => {
      const { runDetect } = load<typeof import('./detect')>('./detect');
      process.exitCode = await runDetect({ rules: o.rules, files, ...(o.pipeline ? { pipeline: o.pipeline } : {}) }, lines);
    });

  const rules = program.command('rules').description('detection rules');
  rules
    .command('validate')
    .description('report each rule as ok, unsupported (with the reason) or error')
    .argument('<paths...>')
    .action(async (paths: string[]) => {
      const { runRulesValidate } = load<typeof import('./rules-validate')>('./rules-validate');
      process.exitCode = await runRulesValidate(paths, lines);
    });
  rules
    .command('convert')
    .description('print a rule compiled for a target engine')
    .addOption(new Option('--target <target>').choices(['es', 'opensearch', 'sqlite', 'flink']).makeOptionMandatory())
    .option('--pipeline <name>', 'field mapping pipeline')
    .argument('<path>')
    .action(async (file: string, o: { target: string; pipeline?: string }) => {
      const { runRulesConvert } = load<typeof import('./rules-convert')>('./rules-convert');
      process.exitCode = await runRulesConvert({ target: o.target, path: file, ...(o.pipeline ? { pipeline: o.pipeline } : {}) }, lines);
    });
}

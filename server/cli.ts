/**
 * The `citysoc` command line. Every verb takes --config and --data-dir; configuration errors
 * exit with code 2 and say which key, which value and what was expected.
 */
import { Command, CommanderError, Option } from 'commander';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { type Config, loadConfig } from '../core/config';
import { CitySocError, isCitySocError } from '../core/errors';
import { createLogger } from '../core/logging';
import { createPipeline } from '../collectors/gateway/gateway';
import { fileInputs } from '../collectors/pipeline/file-lines';
import { sourceByName, SOURCES } from '../collectors/parsers';
import { MODULES, moduleSections, startPlatform } from './platform';
import { printIngestSummary, runIngest } from './ingest-command';
import { DEMO_CITY, seedDemo } from './demo';
import { openKernel } from './kernel';
import { findCheckout } from './checkout';
import { bind } from '../core/door';
import { cliActor } from '../core/actor';
import { identityActions } from '../identity/service';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { openPorts } from './profiles';
import { runStack } from './stack-command';
import { auditExport, auditVerify, auditVerifyExport, type ExportCommandOptions } from './audit-command';
import { openTrail } from './audit-command';
import { complianceCli } from '../compliance/module';
import { addAnalyticsCommands } from '../analytics/cli/program';

export const EXIT = { ok: 0, failure: 1, usage: 2, notImplemented: 3 } as const;

interface GlobalOpts {
  config?: string;
  dataDir?: string;
}

function configFrom(opts: GlobalOpts, overrides: Record<string, unknown> = {}): Config {
  return loadConfig({ sections: moduleSections(), ...(opts.config ? { file: opts.config } : {}), overrides: { dataDir: opts.dataDir, ...overrides } });
}

/** commander's collector for a repeatable option: `--rules a --rules b`. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function version(): string {
  const root = findCheckout('package.json');
  try {
    return (JSON.parse(readFileSync(path.join(root ?? '.', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** An unknown --source is a usage error listing the known ones, not one error per line. */
function mustKnow(source: string | undefined): void {
  if (source === undefined || source === 'auto' || sourceByName(source)) return;
  throw new CitySocError('INPUT_INVALID', `unknown source type "${source}"; known: ${SOURCES.map((s) => s.name).join(', ')}, auto`);
}

/** An unreadable input file is a usage error naming it, found before anything is written. */
async function mustRead(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch (e) {
    throw new CitySocError('INPUT_INVALID', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function buildProgram(io: { out: (s: string) => void; err: (s: string) => void }): Command {
  const program = new Command('citysoc')
    .description('CitySOC: security operations and audit for a city brain')
    .version(version(), '-V, --version', 'print the version')
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .option('--data-dir <dir>', 'where the embedded profile keeps its data (env CITYSOC_DATA_DIR)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command('up')
    .description('run the platform: API, ingest, analytics')
    .addOption(new Option('--profile <profile>', 'embedded or cluster').choices(['embedded', 'cluster']))
    .option('--port <port>', 'HTTP port (env CITYSOC_PORT, default 8080)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--demo', `load a simulated city once (${DEMO_CITY.users} people, ${DEMO_CITY.days} days, seed ${DEMO_CITY.seed}) through the ingest pipeline`)
    .action(async (opts: { profile?: string; port?: string; host?: string; demo?: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOpts>();
      const config = configFrom(g, { profile: opts.profile, 'server.port': opts.port, 'server.host': opts.host });
      const log = createLogger(config.log.level);
      const platform = await startPlatform(config, log, { announce: io.out });
      io.out(`CitySOC ${config.profile} profile listening on ${platform.url} (GraphQL at ${platform.url}/graphql)\n`);
      // Loaded while the platform serves; the console fills as it goes.
      if (opts.demo) void seedDemo(platform, config.dataDir, io.out).catch((err: unknown) => log.error({ err }, 'demonstration data not loaded'));
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log.info({ signal }, 'shutting down');
          platform.close().then(resolve, (err: unknown) => {
            log.error({ err }, 'shutdown failed');
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });

  const stack = program.command('stack').description('the real engines (Elasticsearch, OpenSearch, Kafka, Flink) for the cluster profile and the tests');
  for (const verb of ['up', 'down', 'status'] as const) {
    stack
      .command(verb)
      .option('--only <engines>', 'comma-separated: es,opensearch,kafka,flink')
      .action(async (o: { only?: string }) => {
        process.exitCode = await runStack(verb, o.only, io);
      });
  }

  program
    .command('parse')
    .description('raw log lines → normalized ECS JSON lines on stdout; errors on stderr with line numbers')
    .requiredOption('--source <type>', `log source type, or auto to detect it per line: ${SOURCES.map((x) => x.name).join(', ')}`)
    .argument('<file>')
    .action(async (file: string, opts: { source: string }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOpts>());
      const { pipeline, enrichment } = createPipeline(config, createLogger('silent'));
      enrichment.close();
      mustKnow(opts.source);
      await mustRead(file);
      let failed = 0;
      for await (const batch of fileInputs(file, opts.source, 'cli')) {
        let out = '';
        for (const item of batch) {
          const r = pipeline.process(item.raw, item.hint);
          if (r.ok) out += JSON.stringify(r.event) + '\n';
          else {
            failed++;
            io.err(`${file}:${item.line}: ${r.error}\n`);
          }
        }
        if (out) io.out(out);
      }
      if (failed > 0) process.exitCode = EXIT.failure;
    });

  program
    .command('ingest')
    .description(
      'replay files (merged by event time) through the pipeline, detection, correlation and UEBA into the configured store; prints read / accepted / dead-lettered / stored, the UEBA anomalies and the alerts raised',
    )
    .option('--source <type>', `log source type (detected per line when absent): ${SOURCES.map((x) => x.name).join(', ')}`)
    .argument('<files...>')
    .option('--no-detect', 'replay without analytics (no detection, no UEBA, no alerts)')
    .action(async (files: string[], opts: { source?: string; detect: boolean }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOpts>());
      const log = createLogger(config.log.level === 'info' ? 'warn' : config.log.level);
      mustKnow(opts.source);
      for (const f of files) await mustRead(f);
      // Progress only where someone watches: a terminal.
      const progress = process.stderr.isTTY ? (n: number) => io.err(`\r${n} lines read`) : undefined;
      const summary = await runIngest(
        config,
        log,
        { files, ...(opts.source ? { source: opts.source } : {}), detect: opts.detect, ...(progress ? { progress } : {}) },
        io,
      );
      if (progress) io.err('\n');
      if (!printIngestSummary(summary, opts.detect, io.out)) process.exitCode = EXIT.failure;
    });

  // The analytics commands write one line per call.
  const lines = { out: (s: string) => io.out(`${s}\n`), err: (s: string) => io.err(`${s}\n`) };
  addAnalyticsCommands(program, lines);

  const auditCmd = program.command('audit').description('the tamper-evident audit trail');
  auditCmd
    .command('verify')
    .description(
      'check the chain, every signed checkpoint against a trusted key, the cadence and (--anchors) the external anchors; exit 1 naming the first bad record',
    )
    .option('--trusted-key <fingerprint|pem-file>', 'a trusted signing key (repeatable), besides audit.trustedKeyFingerprint', collect)
    .option('--anchors', 'also check the trail against the configured external anchors')
    .option('--anchor-file <file>', "a receiver's copy of published checkpoints (repeatable)", collect)
    .action(async (o: { trustedKey?: string[]; anchors?: boolean; anchorFile?: string[] }, cmd: Command) => {
      process.exitCode = await auditVerify(configFrom(cmd.optsWithGlobals<GlobalOpts>()), o, io);
    });
  auditCmd
    .command('export')
    .description('the trail with its proof (hashes, signed checkpoints, keys, manifest; inclusion proofs when filtered) on stdout')
    .addOption(new Option('--format <format>').choices(['json', 'csv']).default('json'))
    .option('--from-seq <n>', 'first record', (v) => Number(v))
    .option('--to-seq <n>', 'last record', (v) => Number(v))
    .option('--actor <name>', 'only this actor (with inclusion proofs)')
    .option('--action <action>', 'only this action, e.g. events.search (with inclusion proofs)')
    .option('--resource <resource>', 'only this resource (with inclusion proofs)')
    .option('--decision <decision>', 'only this decision: allow, deny, success, failure or info (with inclusion proofs)')
    .option('--from <time>', 'records at or after this time (ISO 8601)')
    .option('--to <time>', 'records before this time (ISO 8601)')
    .action(async (o: ExportCommandOptions, cmd: Command) => {
      process.exitCode = await auditExport(configFrom(cmd.optsWithGlobals<GlobalOpts>()), o, io);
    });
  auditCmd
    .command('verify-export')
    .description('check a JSON or CSV export offline against a trusted key: chain in exported order, checkpoint signatures, inclusion proofs, manifest')
    .option('--trusted-key <fingerprint|pem-file>', 'the trusted signing key (repeatable)', collect)
    .argument('<file>')
    .action(async (file: string, o: { trustedKey?: string[] }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOpts>();
      process.exitCode = auditVerifyExport(file, o.trustedKey ?? [], g.config ? configFrom(g) : null, io);
    });

  const env = { ...io, loadConfig: (overrides?: Record<string, unknown>) => configFrom(program.opts<GlobalOpts>(), overrides) };
  complianceCli({ openAudit: (config) => openTrail(config) })(program, env);
  // The modules' own verbs (`simulate` of UEBA, the cases' verbs), whether or not the platform runs.
  for (const m of MODULES) m.cli?.(program, env);

  const admin = program.command('admin').description("the host operator's recovery verbs (need access to this host's configuration)");
  admin
    .command('reset-password')
    .description('gives a user a new one-time password, ends their sessions and lifts a lock; audited')
    .argument('<user>')
    .action(async (user: string, _o: object, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOpts>());
      const log = createLogger(config.log.level === 'info' ? 'warn' : config.log.level);
      const ports = await openPorts(config, log);
      try {
        const kernel = await openKernel(config, ports, log, { listen: false });
        try {
          const svc = bind(kernel.door, identityActions({ store: kernel.identity, departments: kernel.departments }));
          const r = await svc.resetPassword(cliActor(userInfo().username), { username: user });
          io.out(`new one-time password for ${user}: ${r.oneTimePassword}\nIt is shown only now; ${user} must change it at the next sign-in.\n`);
        } finally {
          await kernel.close();
        }
      } finally {
        await ports.bus.close();
        await ports.events.close();
        await ports.alerts.close();
        await ports.audit.close();
        await ports.state.close();
      }
    });

  return program;
}

export async function main(
  argv: string[],
  io = { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) },
): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (isCitySocError(e)) {
      io.err(`citysoc: ${e.message}\n`);
      if (e.code === 'NOT_IMPLEMENTED') return EXIT.notImplemented;
      return e.code === 'CONFIG_INVALID' || e.code === 'INPUT_INVALID' ? EXIT.usage : EXIT.failure;
    }
    io.err(`citysoc: ${(e as Error).message}\n`);
    return EXIT.failure;
  }
}

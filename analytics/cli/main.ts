// `citysoc detect` and `citysoc rules ...` on their own (program.ts): what the launcher runs for
// these verbs, so they start without loading the platform. Result lines are written in batches:
// one write per turn of the event loop instead of one per alert.
import { Command, CommanderError } from 'commander';
import { EXIT } from './io';
import { addAnalyticsCommands } from './program';

/** Lines gathered and written together once the current burst of work yields (or at the end). */
export class BatchedLines {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly write: (chunk: string) => void) {}

  readonly line = (s: string): void => {
    this.pending.push(s);
    if (this.pending.length >= 4096) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  };

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const chunk = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.write(chunk);
  };
}

export async function main(
  argv: string[],
  write: { out(s: string): void; err(s: string): void } = {
    out: (s: string) => void process.stdout.write(s),
    err: (s: string) => void process.stderr.write(s),
  },
): Promise<number> {
  const out = new BatchedLines(write.out);
  const program = new Command('citysoc').exitOverride().configureOutput({ writeOut: write.out, writeErr: write.err });
  addAnalyticsCommands(program, { out: out.line, err: (s) => write.err(`${s}\n`) });
  try {
    process.exitCode = undefined;
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    write.err(`citysoc: ${(e as Error).message}\n`);
    return EXIT.failed;
  } finally {
    out.flush();
  }
}

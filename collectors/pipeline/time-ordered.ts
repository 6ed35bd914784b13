/**
 * Several log files read as one stream in event-time order, as collectors shipping them live
 * would deliver them. Replaying file after file would hand analytics a month of one product
 * before the first line of another, and everything after would be too late for its correlation
 * window or its UEBA hour. Each line is parsed as it is read (its time is the parsed
 * `@timestamp`); the earliest of the files' next lines goes first, ties in the order the files
 * were given. Each file is taken to be in time order, as a log is; a line without a time (a dead
 * letter) keeps its place in its file. A file is opened when the merge reaches its first line's
 * time and closed at its end, so only files that overlap in time are open at once (a folder of
 * daily files holds one day's worth).
 */
import { createReadStream, type ReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Pipeline } from './pipeline';
import type { PipelineResult } from './types';

export interface ReadLine {
  readonly file: string;
  /** 1-based line number in its file. */
  readonly line: number;
  readonly result: PipelineResult;
}

class FileCursor {
  private readonly stream: ReadStream;
  private readonly rl: Interface;
  private readonly it: AsyncIterator<string>;
  private readonly name: string;
  private lineNo = 0;
  current: ReadLine | undefined;
  /** Event time of `current`, epoch ms; a line without one takes the time of the line before it. */
  t = Number.NEGATIVE_INFINITY;

  constructor(
    readonly file: string,
    readonly order: number,
    private readonly source: string | undefined,
    private readonly collector: string,
    private readonly pipeline: Pipeline,
  ) {
    this.stream = createReadStream(file, { encoding: 'utf8' });
    this.rl = createInterface({ input: this.stream, crlfDelay: Infinity });
    this.it = this.rl[Symbol.asyncIterator]();
    // The position is file:line, so replaying the same file again yields the same event ids.
    this.name = path.resolve(file);
  }

  async advance(): Promise<boolean> {
    for (;;) {
      const r = await this.it.next();
      if (r.done) {
        this.current = undefined;
        this.close();
        return false;
      }
      this.lineNo++;
      if (r.value.trim() === '') continue;
      const result = this.pipeline.process(
        { kind: 'line', line: r.value },
        { collector: this.collector, source: this.source, position: `${this.name}:${this.lineNo}`, receivedAt: new Date() },
      );
      const t = result.ok ? Date.parse(String(result.event['@timestamp'])) : NaN;
      if (!Number.isNaN(t)) this.t = t;
      this.current = { file: this.file, line: this.lineNo, result };
      return true;
    }
  }

  close(): void {
    this.rl.close();
    this.stream.destroy();
  }
}

/** A file to read and its source type (detected per line when absent or `auto`). */
export interface LogFileInput {
  readonly file: string;
  readonly source?: string | undefined;
}

/** Every non-empty line of `files`, parsed, in event-time order. */
export async function* timeOrderedLines(files: readonly LogFileInput[], collector: string, pipeline: Pipeline): AsyncGenerator<ReadLine> {
  // Each file's first time, read once; the file is closed again until the merge reaches it.
  const pending: { file: string; source: string | undefined; order: number; first: number }[] = [];
  for (const [order, { file, source }] of files.entries()) {
    const c = new FileCursor(file, order, source, collector, pipeline);
    if (await c.advance()) {
      pending.push({ file, source, order, first: c.t });
      c.close();
    }
  }
  pending.sort((a, b) => a.first - b.first || a.order - b.order);
  const active: FileCursor[] = [];
  try {
    for (;;) {
      let best = -1;
      for (let i = 0; i < active.length; i++) {
        const a = active[i]!;
        const b = best < 0 ? undefined : active[best]!;
        if (!b || a.t < b.t || (a.t === b.t && a.order < b.order)) best = i;
      }
      const next = pending[0];
      if (next && (best < 0 || next.first <= active[best]!.t)) {
        pending.shift();
        const c = new FileCursor(next.file, next.order, next.source, collector, pipeline);
        if (await c.advance()) active.push(c);
        continue;
      }
      if (best < 0) return;
      const c = active[best]!;
      yield c.current!;
      if (!(await c.advance())) active.splice(best, 1);
    }
  } finally {
    for (const c of active) c.close();
  }
}

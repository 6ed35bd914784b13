/**
 * Reads a log file as pipeline inputs, in batches, streaming (files can be gigabytes). The
 * position is file:line, so replaying the same file again yields the same event ids.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import type { PipelineInput } from './types';

export interface NumberedInput extends PipelineInput {
  readonly line: number;
}

export async function* fileInputs(file: string, source: string | undefined, collector: string, batchSize = 1000): AsyncGenerator<NumberedInput[]> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const name = path.resolve(file);
  let batch: NumberedInput[] = [];
  let n = 0;
  for await (const line of rl) {
    n++;
    if (line.trim() === '') continue;
    batch.push({ line: n, raw: { kind: 'line', line }, hint: { collector, source, position: `${name}:${n}`, receivedAt: new Date() } });
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

// Where the correlation state lives between runs. The engine only snapshots and restores; the
// caller decides when to save (on shutdown, every N seconds) and where (a file, the store).
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseSnapshot, type CorrelationSnapshot } from './snapshot';

export interface CorrelationStateStore {
  load(): Promise<CorrelationSnapshot | undefined>;
  save(snapshot: CorrelationSnapshot): Promise<void>;
}

/** One JSON file, replaced atomically (write then rename) so a crash mid-save keeps the last good state. */
export class FileCorrelationStateStore implements CorrelationStateStore {
  constructor(private readonly file: string) {}

  async load(): Promise<CorrelationSnapshot | undefined> {
    if (!existsSync(this.file)) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (e) {
      throw new Error(`${this.file}: correlation state is not valid JSON: ${(e as Error).message}`);
    }
    return parseSnapshot(data, this.file);
  }

  async save(snapshot: CorrelationSnapshot): Promise<void> {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot));
    renameSync(tmp, this.file);
  }
}

// A rules folder kept loaded in the running platform: rules can be disabled/enabled (persisted
// in a small JSON state file beside the data, not in the rule files, so the folder stays pure
// detection-as-code), and edits on disk are picked up without a restart (fs.watch + debounce).
// One folder may be writable: filters made in the platform (rule exceptions) are written there,
// checked as any rule file is, and loaded at once.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  watch,
  writeFileSync,
  writeSync,
  type FSWatcher,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { CitySocError } from '../../core/errors';
import { SigmaError } from '../sigma/errors';
import { parseSigmaYaml } from '../sigma/parse';
import type { SigmaDocument, SigmaFilter } from '../sigma/model';
import type { ProcessingPipeline } from '../sigma/pipeline';
import { loadContent, type LoadedContent, type LoadOptions } from './content';
import type { CompiledRuleCache } from './rule-cache';

const stateSchema = z.strictObject({ disabled: z.array(z.string()) });

export interface RuleRepositoryOptions {
  folders: string[];
  /** JSON file holding {disabled: [rule id or name]}. */
  stateFile: string;
  pipelines?: readonly ProcessingPipeline[];
  /** Quiet time after the last change before reloading (editors write files in bursts). */
  debounceMs?: number;
  /** The compiled-rule cache, so a restart does not compile every rule again. */
  cache?: CompiledRuleCache;
  /** Called after each reload with the new content (e.g. to swap the Detector's RuleSet). */
  onReload?: (content: LoadedContent) => void;
  onError?: (error: unknown) => void;
  /** The folder filters are written to (addFilter); loaded with the others. Absent: addFilter refuses. */
  writable?: string;
  /** At most this many files in the writable folder (each one is loaded on every reload); default 1000. */
  writableMaxFiles?: number;
}

/** A filter to write: its id, the file name the caller derived (never a user's text), the YAML. */
export interface FilterFile {
  readonly id: string;
  readonly fileName: string;
  readonly yaml: string;
}

/** File names a writer may choose: one plain name, no folder, no dot file. */
const FILE_NAME = /^[a-z0-9][a-z0-9-]{0,120}\.yml$/;
/** Filters are small; anything larger is not one analyst's exception. */
const MAX_FILTER_BYTES = 256 * 1024;

export interface RuleSummary {
  id: string;
  title: string;
  kind: 'rule' | 'correlation' | 'filter';
  enabled: boolean;
  file?: string;
}

export class RuleRepository {
  private content: LoadedContent;
  private all: LoadedContent;
  private disabled: Set<string>;
  private watchers: FSWatcher[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: RuleRepositoryOptions) {
    const w = options.writable;
    if (w !== undefined) {
      mkdirSync(w, { recursive: true, mode: 0o700 });
      if (!options.folders.some((f) => resolve(f) === resolve(w))) this.options = { ...options, folders: [...options.folders, w] };
    }
    this.disabled = this.readState();
    this.all = loadContent(options.folders, this.loadOptions());
    this.content = this.load();
  }

  /** What the Detector should run now. */
  current(): LoadedContent {
    return this.content;
  }

  /** Every rule on disk with its enabled flag (disabled ones included, unlike current()). */
  list(): RuleSummary[] {
    const rules = this.all.ruleSet
      .ruleInfos()
      .map((r): RuleSummary => ({ id: r.id ?? r.title, title: r.title, kind: 'rule', enabled: this.isEnabled(r), ...(r.source ? { file: r.source } : {}) }));
    const others = [...this.all.correlations, ...this.all.filters].map((r): RuleSummary => ({
      id: r.id ?? r.title,
      title: r.title,
      kind: r.kind,
      enabled: this.isEnabled(r),
      ...(r.source ? { file: r.source } : {}),
    }));
    return [...rules, ...others];
  }

  /**
   * One rule, correlation or filter of the folders (disabled ones included) read again from the
   * file the loader found it in (never a path a caller chose), with the pipelines and the filters
   * the detect stage applies now: what testing it against an event needs. Undefined when no such
   * rule is listed or its file no longer holds it.
   */
  inspect(ruleId: string): { summary: RuleSummary; doc: SigmaDocument; filters: readonly SigmaFilter[]; pipelines: readonly ProcessingPipeline[] } | undefined {
    const summary = this.list().find((r) => r.id === ruleId);
    if (!summary?.file) return undefined;
    const doc = parseSigmaYaml(readFileSync(summary.file, 'utf8'), summary.file).documents.find((d) => d.kind === summary.kind && (d.id ?? d.title) === ruleId);
    return doc ? { summary, doc, filters: this.content.filters, pipelines: this.options.pipelines ?? [] } : undefined;
  }

  async setEnabled(ruleId: string, enabled: boolean): Promise<void> {
    if (!this.list().some((r) => r.id === ruleId)) throw new Error(`rule ${ruleId} is not in ${this.options.folders.join(', ')}`);
    if (enabled) this.disabled.delete(ruleId);
    else this.disabled.add(ruleId);
    this.writeState();
    this.reload();
  }

  /**
   * Writes a Sigma filter into the writable folder and loads it: the YAML must be exactly one
   * filter with the given id, naming only rules that are loaded, that the loader accepts. The file
   * is written whole (temporary file, fsync, rename) and never replaces one that exists. Answers
   * the file written.
   */
  addFilter(filter: FilterFile): { file: string } {
    const folder = this.options.writable;
    if (folder === undefined) throw new CitySocError('UNAVAILABLE', 'no writable rules folder is configured (detection.userRules)');
    if (!FILE_NAME.test(filter.fileName))
      throw new CitySocError('INPUT_INVALID', `filter file name ${JSON.stringify(filter.fileName.slice(0, 200))}: expected a name such as exception-<id>.yml`);
    if (Buffer.byteLength(filter.yaml) > MAX_FILTER_BYTES)
      throw new CitySocError('INPUT_INVALID', `filter ${filter.id}: larger than ${MAX_FILTER_BYTES} bytes`);
    const file = join(folder, filter.fileName);
    let doc;
    try {
      const docs = parseSigmaYaml(filter.yaml, filter.fileName).documents;
      if (docs.length !== 1 || docs[0]!.kind !== 'filter')
        throw new CitySocError('INPUT_INVALID', `filter ${filter.id}: expected exactly one Sigma filter document`);
      doc = docs[0]!;
    } catch (e) {
      if (e instanceof SigmaError) throw new CitySocError('INPUT_INVALID', `filter ${filter.id}: ${e.message}`);
      throw e;
    }
    if (doc.kind !== 'filter' || doc.id !== filter.id) throw new CitySocError('INPUT_INVALID', `filter ${filter.id}: the document's id is ${String(doc.id)}`);
    const known = new Set(this.list().flatMap((r) => (r.kind === 'rule' ? [r.id] : [])));
    for (const r of this.all.ruleSet.ruleInfos()) if (r.name !== undefined) known.add(r.name);
    const unknown = doc.rules.filter((r) => !known.has(r));
    if (unknown.length) throw new CitySocError('NOT_FOUND', `filter ${filter.id} names rules that are not loaded: ${unknown.join(', ')}`);
    if (existsSync(file)) throw new CitySocError('CONFLICT', `filter file ${filter.fileName} exists already`);
    const max = this.options.writableMaxFiles ?? 1000;
    if (readdirSync(folder).filter((n) => /\.ya?ml$/i.test(n)).length >= max)
      throw new CitySocError('LIMIT_EXCEEDED', `the writable rules folder holds ${max} rule files already; remove old exceptions first`);
    writeDurably(file, filter.yaml);
    const loaded = this.reload();
    const rejected = loaded.rejected.find((r) => resolve(r.file) === resolve(file));
    if (rejected || !loaded.filters.some((f) => f.id === filter.id)) {
      rmSync(file, { force: true });
      this.reload();
      throw new CitySocError('INPUT_INVALID', `filter ${filter.id} was not accepted by the rule loader: ${rejected?.reason ?? 'not loaded'}`);
    }
    return { file };
  }

  /** Re-reads the folders and the state; the previous content stays active if loading throws. */
  reload(): LoadedContent {
    this.all = loadContent(this.options.folders, this.loadOptions());
    this.content = this.load();
    this.options.onReload?.(this.content);
    return this.content;
  }

  /** Starts reloading on changes under the folders; returns a function that stops it. */
  watch(): () => void {
    const debounce = this.options.debounceMs ?? 300;
    const schedule = (): void => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        try {
          this.reload();
        } catch (e) {
          this.options.onError?.(e);
        }
      }, debounce);
    };
    this.watchers = this.options.folders.map((f) => watch(f, { recursive: true }, schedule));
    return () => this.close();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  private isEnabled(r: { id?: string; name?: string }): boolean {
    return !((r.id !== undefined && this.disabled.has(r.id)) || (r.name !== undefined && this.disabled.has(r.name)));
  }

  private load(): LoadedContent {
    return loadContent(this.options.folders, { ...this.loadOptions(), disabled: this.disabled });
  }

  private loadOptions(): LoadOptions {
    return { pipelines: this.options.pipelines ?? [], ...(this.options.cache ? { cache: this.options.cache } : {}) };
  }

  private readState(): Set<string> {
    const file = this.options.stateFile;
    if (!existsSync(file)) return new Set();
    const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file}: rule state must be {"disabled": [rule ids]}: ${parsed.error.issues[0]?.message ?? ''}`);
    return new Set(parsed.data.disabled);
  }

  private writeState(): void {
    const file = this.options.stateFile;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify({ disabled: [...this.disabled].sort() }, null, 2));
    renameSync(`${file}.tmp`, file);
  }
}

/** Writes a new file whole: a dot-named temporary file (the loader reads only *.yml), fsynced, renamed, the folder fsynced. */
function writeDurably(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dir = openSync(dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

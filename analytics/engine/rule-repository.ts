// A rules folder kept loaded in the running platform: rules can be disabled/enabled (persisted
// in a small JSON state file beside the data, not in the rule files, so the folder stays pure
// detection-as-code), and edits on disk are picked up without a restart (fs.watch + debounce).
import { existsSync, mkdirSync, readFileSync, renameSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
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
}

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

  async setEnabled(ruleId: string, enabled: boolean): Promise<void> {
    if (!this.list().some((r) => r.id === ruleId)) throw new Error(`rule ${ruleId} is not in ${this.options.folders.join(', ')}`);
    if (enabled) this.disabled.delete(ruleId);
    else this.disabled.add(ruleId);
    this.writeState();
    this.reload();
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

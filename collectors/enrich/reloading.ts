/**
 * Keeps the enricher current: reads the configured files at start, again when one changes on
 * disk (fs.watch, debounced) or when reload() is called (SIGHUP). A bad edit is reported and
 * the previous data stays in use, so a typo in a YAML file never stops ingestion.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { Enricher } from './enricher';
import { loadReferenceData, type ReferenceFiles } from './reference-data';

export interface ReloadReport {
  readonly ok: boolean;
  readonly error?: string;
  readonly counts: { assets: number; identities: number; datasets: number };
}

export class ReloadingEnricher {
  private current: Enricher;
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;

  /** Throws on bad files at start: a platform must not come up with reference data it cannot read. */
  constructor(
    private readonly files: ReferenceFiles,
    private readonly onReload: (r: ReloadReport) => void = () => {},
  ) {
    this.current = new Enricher(loadReferenceData(files));
  }

  get enricher(): Enricher {
    return this.current;
  }

  reload(): ReloadReport {
    let report: ReloadReport;
    try {
      this.current = new Enricher(loadReferenceData(this.files));
      report = { ok: true, counts: this.counts() };
    } catch (e) {
      report = { ok: false, error: (e as Error).message, counts: this.counts() };
    }
    this.onReload(report);
    return report;
  }

  /** Watches the folders, not the files: editors replace files by rename, which ends a file watch. */
  watch(debounceMs = 200): void {
    const byDir = new Map<string, Set<string>>();
    for (const f of Object.values(this.files)) {
      if (!f) continue;
      const abs = path.resolve(f);
      const set = byDir.get(path.dirname(abs)) ?? new Set<string>();
      set.add(path.basename(abs));
      byDir.set(path.dirname(abs), set);
    }
    for (const [dir, names] of byDir) {
      const w = watch(dir, (_event, name) => {
        if (name !== null && !names.has(name.toString())) return;
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => this.reload(), debounceMs);
      });
      w.on('error', () => {}); // a vanished folder stops watching; reload() still works
      w.unref();
      this.watchers.push(w);
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
  }

  private counts() {
    const d = this.current.data;
    return { assets: d.assets.length, identities: d.identities.length, datasets: d.datasets.length };
  }
}

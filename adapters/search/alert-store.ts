/**
 * AlertStore over Elasticsearch or OpenSearch, so that every replica of the cluster profile sees
 * and folds the same alerts. Alerts live in `<prefix>-alerts`, one document per alert.
 *
 * Folding repeats into one alert must hold when two replicas detect the same thing at once.
 * The engines have no transactions, so each dedup key has a slot document in
 * `<prefix>-alert-slots` naming the alert that currently takes its occurrences; slots and alerts
 * are read in real time and written with optimistic concurrency (if_seq_no/if_primary_term, or
 * create-only), and a writer that loses a race reads again and folds into the winner's alert.
 */
import { createHash } from 'node:crypto';
import { absorbs, type Alert, type AlertStatus, alreadyFolded, foldAlert, moveAlert } from '../../core/alert';
import { CitySocError } from '../../core/errors';
import type { AlertQuery, AlertStore } from '../../core/ports/alert-store';
import type { Dsl } from '../../core/query/to-dsl';
import { toDsl } from '../../core/query/to-dsl';
import { checkIndexPrefix, type EngineApi, type StoredDoc } from './engine-api';

export interface SearchAlertStoreOptions {
  /** Lower-case name prefix of the indices, e.g. 'citysoc'. */
  readonly prefix: string;
  readonly replicas?: number;
  readonly clock?: () => Date;
}

const KEYWORD = { type: 'keyword' } as const;
const DATE = { type: 'date' } as const;

/** Explicit mappings: the fields alerts are filtered and sorted by; history is kept, not indexed. */
const ALERT_MAPPINGS = {
  dynamic: false,
  properties: {
    id: KEYWORD,
    dedupKey: KEYWORD,
    rule: { properties: { id: KEYWORD, name: { type: 'text', fields: { raw: KEYWORD } }, type: KEYWORD, severity: KEYWORD, tags: KEYWORD } },
    entities: { properties: { type: KEYWORD, value: KEYWORD } },
    eventIds: KEYWORD,
    firstSeen: DATE,
    lastSeen: DATE,
    count: { type: 'long' },
    risk: { type: 'float' },
    department: KEYWORD,
    status: KEYWORD,
    resolution: KEYWORD,
    assignee: KEYWORD,
    history: { type: 'object', enabled: false },
  },
};

/** Attempts before a write that keeps losing races gives up with CONFLICT. */
const MAX_ATTEMPTS = 20;

export class SearchAlertStore implements AlertStore {
  private readonly alerts: string;
  private readonly slots: string;
  /** One document per folded signal naming its alert: a redelivered signal is recognised. */
  private readonly signals: string;
  private readonly clock: () => Date;
  private ready: Promise<void> | null = null;
  /** Upserts of one dedup key in this process run one after another; races are left to other replicas. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly api: EngineApi,
    private readonly opts: SearchAlertStoreOptions,
  ) {
    checkIndexPrefix(opts.prefix);
    this.alerts = `${opts.prefix}-alerts`;
    this.slots = `${opts.prefix}-alert-slots`;
    this.signals = `${opts.prefix}-alert-signals`;
    this.clock = opts.clock ?? (() => new Date());
  }

  private init(): Promise<void> {
    const settings = { number_of_shards: 1, number_of_replicas: this.opts.replicas ?? 0 };
    return (this.ready ??= Promise.all([
      this.api.ensureIndex(this.alerts, { settings, mappings: ALERT_MAPPINGS }),
      this.api.ensureIndex(this.slots, { settings, mappings: { dynamic: false, properties: { alertId: KEYWORD } } }),
      this.api.ensureIndex(this.signals, { settings, mappings: { dynamic: false, properties: { alertId: KEYWORD, at: { type: 'date' } } } }),
    ]).then(() => undefined));
  }

  private slotId(dedupKey: string): string {
    // ids are limited to 512 bytes; a dedup key may be longer
    return createHash('sha256').update(dedupKey).digest('hex');
  }

  upsert(alert: Alert, suppressionMs: number): Promise<{ alert: Alert; created: boolean; changed: boolean }> {
    const prev = this.queues.get(alert.dedupKey) ?? Promise.resolve();
    const run = prev.then(
      () => this.upsertNow(alert, suppressionMs),
      () => this.upsertNow(alert, suppressionMs),
    );
    this.queues.set(alert.dedupKey, run);
    const forget = () => {
      if (this.queues.get(alert.dedupKey) === run) this.queues.delete(alert.dedupKey);
    };
    run.then(forget, forget);
    return run;
  }

  private async upsertNow(alert: Alert, suppressionMs: number): Promise<{ alert: Alert; created: boolean; changed: boolean }> {
    await this.init();
    const slotId = this.slotId(alert.dedupKey);
    const signals = alert.signalIds ?? [];
    if (signals.length > 0) {
      const known = await Promise.all(signals.map((id) => this.api.getDoc(this.signals, id)));
      const first = known[0]?.source.alertId;
      if (known.every((k) => k !== null) && typeof first === 'string') {
        const cur = await this.api.getDoc(this.alerts, first);
        if (cur) return { alert: cur.source as unknown as Alert, created: false, changed: false };
      }
    }
    const result = await this.foldNow(alert, suppressionMs, slotId);
    // Written after the fold: a crash in between leaves the signal in the alert's own signalIds,
    // which the fold checks too (alreadyFolded).
    if (result.changed) for (const id of signals) await this.api.putDoc(this.signals, id, { alertId: result.alert.id, at: this.clock().toISOString() }, 'new');
    return result;
  }

  private async foldNow(alert: Alert, suppressionMs: number, slotId: string): Promise<{ alert: Alert; created: boolean; changed: boolean }> {
    // The same alert id again (a redelivered first signal): recognised whatever its status.
    const same = await this.api.getDoc(this.alerts, alert.id);
    if (same && alreadyFolded(same.source as unknown as Alert, alert)) return { alert: same.source as unknown as Alert, created: false, changed: false };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const slot = await this.api.getDoc(this.slots, slotId);
      const curId = slot?.source.alertId;
      const cur = typeof curId === 'string' ? await this.api.getDoc(this.alerts, curId) : null;
      if (slot && typeof curId === 'string' && !cur) {
        // Our own claim from an attempt that stopped before storing the alert: store it now.
        if (curId === alert.id) {
          if ((await this.api.putDoc(this.alerts, alert.id, alert, 'new')) === 'ok') return { alert, created: true, changed: true };
          continue;
        }
        // another writer has claimed the slot and is about to store its alert
        await pause(attempt);
        continue;
      }
      if (cur && absorbs(cur.source as unknown as Alert, alert.firstSeen, suppressionMs)) {
        if (alreadyFolded(cur.source as unknown as Alert, alert)) return { alert: cur.source as unknown as Alert, created: false, changed: false };
        const merged = foldAlert(cur.source as unknown as Alert, alert);
        if ((await this.api.putDoc(this.alerts, merged.id, merged, cur)) === 'ok') return { alert: merged, created: false, changed: true };
        await pause(attempt);
        continue;
      }
      // a new alert: claim the slot first, so a racing writer folds into this one
      if ((await this.api.putDoc(this.slots, slotId, { alertId: alert.id }, slot ?? 'new')) === 'conflict') {
        await pause(attempt);
        continue;
      }
      if ((await this.api.putDoc(this.alerts, alert.id, alert, 'new')) === 'conflict')
        throw new CitySocError('CONFLICT', `alert ${alert.id} exists already under another dedup key`);
      return { alert, created: true, changed: true };
    }
    throw new CitySocError('CONFLICT', `alert ${alert.dedupKey}: other writers kept changing it; try again`);
  }

  async get(id: string): Promise<Alert | null> {
    await this.init();
    return ((await this.api.getDoc(this.alerts, id))?.source as Alert | undefined) ?? null;
  }

  async list(q: AlertQuery): Promise<{ total: number; alerts: Alert[] }> {
    await this.init();
    const filter: Dsl[] = [];
    if (q.status?.length) filter.push({ terms: { status: [...q.status] } });
    if (q.department) filter.push({ term: { department: q.department } });
    if (q.ruleId) filter.push({ term: { 'rule.id': q.ruleId } });
    if (q.assignee) filter.push({ term: { assignee: q.assignee } });
    if (q.filter) filter.push(toDsl(q.filter));
    const r = await this.api.search(this.alerts, {
      query: { bool: { filter } },
      sort: [{ lastSeen: { order: 'desc' } }, { id: { order: 'asc' } }],
      from: q.offset ?? 0,
      size: Math.min(q.size ?? 50, 1000),
      track_total_hits: true,
    });
    return { total: r.total, alerts: r.hits.map((h) => h._source as unknown as Alert) };
  }

  async transition(
    id: string,
    to: AlertStatus,
    actor: string,
    opts: { comment?: string; resolution?: Alert['resolution']; assignee?: string } = {},
  ): Promise<Alert> {
    await this.init();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const cur: StoredDoc | null = await this.api.getDoc(this.alerts, id);
      if (!cur) throw new CitySocError('NOT_FOUND', `alert ${id} does not exist`);
      const next = moveAlert(cur.source as unknown as Alert, to, actor, opts, this.clock());
      if ((await this.api.putDoc(this.alerts, id, next, cur)) === 'ok') return next;
      await pause(attempt);
    }
    throw new CitySocError('CONFLICT', `alert ${id}: other writers kept changing it; try again`);
  }

  async close(): Promise<void> {
    await this.api.close();
  }
}

/** Backoff with jitter, so writers that collided do not collide again in step. */
function pause(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.random() * Math.min(5 * 2 ** attempt, 500)));
}

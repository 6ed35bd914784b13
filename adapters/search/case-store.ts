/**
 * CaseStore over Elasticsearch or OpenSearch, shared by every replica of the cluster profile.
 * Cases live in `<prefix>-cases`, one document per case under its readable id; the last number
 * given out per year is a document in `<prefix>-case-ids`. Both are read in real time and
 * written with optimistic concurrency (if_seq_no/if_primary_term, or create-only), so a replica
 * that loses a race reads again and re-applies its change: no change is lost, no id given twice.
 */
import type { Case, NewCase } from '../../core/case';
import { CitySocError } from '../../core/errors';
import {
  admittedDepartments,
  type CasePage,
  type CaseQuery,
  caseId,
  type CaseSortField,
  caseSortValue,
  type CaseStore,
  type CaseUpdateOptions,
  caseYear,
  checkCaseQuery,
  decodeCaseCursor,
  encodeCaseCursor,
} from '../../core/ports/case-store';
import type { Dsl } from '../../core/query/to-dsl';
import { checkIndexPrefix, type EngineApi, type StoredDoc } from './engine-api';

export interface SearchCaseStoreOptions {
  /** Lower-case name prefix of the indices, e.g. 'citysoc'. */
  readonly prefix: string;
  readonly replicas?: number;
}

const KEYWORD = { type: 'keyword' } as const;
const DATE = { type: 'date' } as const;
const KEPT = { type: 'object', enabled: false } as const;

/** Explicit mappings: what the queue filters and sorts on; the rest of the case is kept, not indexed. */
const CASE_MAPPINGS = {
  dynamic: false,
  properties: {
    id: KEYWORD,
    version: { type: 'long' },
    title: KEYWORD,
    // long enough for the longest description a case may have (8,000 characters)
    description: { type: 'keyword', ignore_above: 10_000 },
    severity: KEYWORD,
    severityRank: { type: 'integer' },
    status: KEYWORD,
    assignee: KEYWORD,
    departments: KEYWORD,
    tags: KEYWORD,
    createdAt: DATE,
    updatedAt: DATE,
    sla: { properties: { stage: KEYWORD, warnAt: DATE, dueAt: DATE, met: { type: 'boolean' } } },
    alertIds: KEYWORD,
    eventIds: KEYWORD,
    observables: { properties: { entity: KEYWORD } },
    mergedInto: KEYWORD,
    mergedFrom: KEYWORD,
    tasks: KEPT,
    attachments: KEPT,
    timeline: KEPT,
  },
};

const SORT_FIELD: Record<CaseSortField, string> = { createdAt: 'createdAt', updatedAt: 'updatedAt', severity: 'severityRank' };

/** Attempts before a write that keeps losing races gives up with CONFLICT. */
const MAX_ATTEMPTS = 50;

/** Distinct departments looked up for a row filter; more than this is refused rather than cut. */
const MAX_DEPARTMENTS = 10_000;

function wildcardLiteral(s: string): string {
  return s.replace(/[\\*?]/g, (c) => `\\${c}`);
}

export class SearchCaseStore implements CaseStore {
  private readonly cases: string;
  private readonly ids: string;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly api: EngineApi,
    private readonly opts: SearchCaseStoreOptions,
  ) {
    checkIndexPrefix(opts.prefix);
    this.cases = `${opts.prefix}-cases`;
    this.ids = `${opts.prefix}-case-ids`;
  }

  private init(): Promise<void> {
    const settings = { number_of_shards: 1, number_of_replicas: this.opts.replicas ?? 0 };
    return (this.ready ??= Promise.all([
      this.api.ensureIndex(this.cases, { settings, mappings: CASE_MAPPINGS }),
      this.api.ensureIndex(this.ids, { settings, mappings: { dynamic: false, properties: { last: { type: 'long' } } } }),
    ]).then(() => undefined));
  }

  /** The next number of the year, claimed with a conditional write. */
  private async nextNumber(year: number): Promise<number> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const cur = await this.api.getDoc(this.ids, String(year));
      const n = (typeof cur?.source.last === 'number' ? cur.source.last : 0) + 1;
      if ((await this.api.putDoc(this.ids, String(year), { last: n }, cur ?? 'new')) === 'ok') return n;
      await pause(attempt);
    }
    throw new CitySocError('CONFLICT', `case ids of ${year}: other replicas kept taking the next number; try again`);
  }

  async create(draft: NewCase): Promise<Case> {
    if (Number.isNaN(Date.parse(draft.createdAt))) throw new CitySocError('INPUT_INVALID', `case createdAt '${draft.createdAt}' is not an ISO 8601 time`);
    await this.init();
    const year = caseYear(draft.createdAt);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const c: Case = { ...draft, id: caseId(year, await this.nextNumber(year)), version: 1 };
      // create-only: even a counter restored from an old snapshot cannot overwrite a case
      if ((await this.api.putDoc(this.cases, c.id, c, 'new')) === 'ok') return c;
    }
    throw new CitySocError('CONFLICT', `case ids of ${year} are taken beyond the counter; check ${this.ids}`);
  }

  private async read(id: string): Promise<StoredDoc | null> {
    await this.init();
    return this.api.getDoc(this.cases, id);
  }

  async get(id: string): Promise<Case | null> {
    return ((await this.read(id))?.source as Case | undefined) ?? null;
  }

  /** Read, change, write back if nobody wrote in between; otherwise read and change again. */
  private async rewrite(id: string, change: (cur: Case) => Case, expectedVersion?: number): Promise<Case> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const stored = await this.read(id);
      if (!stored) throw new CitySocError('NOT_FOUND', `no case ${id}`);
      const cur = stored.source as unknown as Case;
      if (expectedVersion !== undefined && expectedVersion !== cur.version)
        throw new CitySocError('CONFLICT', `case ${id} changed since version ${expectedVersion} (it is at version ${cur.version}): reload it and try again`);
      const next = change(cur);
      if (next === cur) return cur;
      if (next.id !== cur.id) throw new CitySocError('INTERNAL', `a change of case ${id} tried to rename it`);
      const out = { ...next, version: cur.version + 1 };
      if ((await this.api.putDoc(this.cases, id, out, stored)) === 'ok') return out;
      await pause(attempt);
    }
    throw new CitySocError('CONFLICT', `case ${id}: other writers kept changing it; try again`);
  }

  update(id: string, change: (cur: Case) => Case, opts: CaseUpdateOptions = {}): Promise<Case> {
    return this.rewrite(id, change, opts.expectedVersion);
  }

  async merge(
    survivorId: string,
    mergedId: string,
    steps: { mark: (merged: Case) => Case; absorb: (survivor: Case, merged: Case) => Case },
  ): Promise<{ survivor: Case; merged: Case }> {
    const [s, m] = await Promise.all([this.get(survivorId), this.get(mergedId)]);
    if (!s) throw new CitySocError('NOT_FOUND', `no case ${survivorId}`);
    if (!m) throw new CitySocError('NOT_FOUND', `no case ${mergedId}`);
    // both steps are pure: a merge that cannot complete fails here, before anything is written
    steps.absorb(s, steps.mark(m));
    // marked first: from then on the merged case takes no change that the survivor would miss
    const merged = await this.rewrite(mergedId, steps.mark);
    const survivor = await this.rewrite(survivorId, (cur) => steps.absorb(cur, merged));
    return { survivor, merged };
  }

  /** Departments named by some case, for judging a row filter on each. */
  private async knownDepartments(): Promise<string[]> {
    const r = await this.api.search(this.cases, { size: 0, aggs: { d: { terms: { field: 'departments', size: MAX_DEPARTMENTS + 1 } } } });
    const buckets = (r.aggregations?.d as { buckets: { key: string }[] } | undefined)?.buckets ?? [];
    if (buckets.length > MAX_DEPARTMENTS) throw new CitySocError('LIMIT_EXCEEDED', `cases name more than ${MAX_DEPARTMENTS} departments`);
    return buckets.map((b) => b.key);
  }

  private async queryDsl(q: CaseQuery): Promise<Dsl> {
    const filter: Dsl[] = [];
    const mustNot: Dsl[] = [];
    const range = (field: string, r: { from?: string; to?: string } | undefined) => {
      if (r?.from === undefined && r?.to === undefined) return;
      filter.push({
        range: {
          [field]: {
            ...(r.from !== undefined ? { gte: Date.parse(r.from) } : {}),
            ...(r.to !== undefined ? { lt: Date.parse(r.to) } : {}),
            format: 'epoch_millis',
          },
        },
      });
    };
    if (q.status) filter.push({ terms: { status: [...q.status] } });
    if (q.severity) filter.push({ terms: { severity: [...q.severity] } });
    if (q.ids) filter.push({ terms: { id: [...q.ids] } });
    if (q.excludeIds?.length) mustNot.push({ terms: { id: [...q.excludeIds] } });
    if (q.assignee !== undefined) filter.push({ term: { assignee: q.assignee } });
    if (q.unassigned) mustNot.push({ exists: { field: 'assignee' } });
    if (q.department !== undefined) filter.push({ term: { departments: q.department } });
    if (q.tag !== undefined) filter.push({ term: { tags: q.tag } });
    if (q.alertId !== undefined) filter.push({ term: { alertIds: q.alertId } });
    if (q.eventId !== undefined) filter.push({ term: { eventIds: q.eventId } });
    if (q.observables) filter.push({ terms: { 'observables.entity': [...new Set(q.observables.map((o) => `${o.type}:${o.value}`))] } });
    range('createdAt', q.created);
    range('updatedAt', q.updated);
    if (q.text !== undefined) {
      const value = `*${wildcardLiteral(q.text)}*`;
      filter.push({
        bool: {
          should: ['id', 'title', 'description', 'tags'].map((f) => ({ wildcard: { [f]: { value, case_insensitive: true } } })),
          minimum_should_match: 1,
        },
      });
    }
    if (q.sla) {
      const t = Date.parse(q.sla.at);
      const live = { bool: { must_not: [{ term: { 'sla.stage': 'done' } }] } };
      const done = { term: { 'sla.stage': 'done' } };
      const at = (field: string, op: 'lte' | 'gt') => ({ range: { [field]: { [op]: t, format: 'epoch_millis' } } });
      const either = (...alts: Dsl[]) => ({ bool: { should: alts, minimum_should_match: 1 } });
      filter.push(
        q.sla.colour === 'red'
          ? either({ bool: { filter: [live, at('sla.dueAt', 'lte')] } }, { bool: { filter: [done, { term: { 'sla.met': false } }] } })
          : q.sla.colour === 'yellow'
            ? { bool: { filter: [live, at('sla.warnAt', 'lte'), at('sla.dueAt', 'gt')] } }
            : either({ bool: { filter: [live, at('sla.warnAt', 'gt')] } }, { bool: { filter: [done, { term: { 'sla.met': true } }] } }),
      );
    }
    if (q.visibleTo) {
      const v = admittedDepartments(q.visibleTo, await this.knownDepartments());
      if (v.denied.length) mustNot.push({ terms: { departments: v.denied } });
      if (!v.noDepartment) filter.push(v.allowed.length ? { terms: { departments: v.allowed } } : { match_none: {} });
    }
    return { bool: { filter, ...(mustNot.length ? { must_not: mustNot } : {}) } };
  }

  async list(q: CaseQuery): Promise<CasePage> {
    checkCaseQuery(q);
    await this.init();
    const sort = q.sort ?? { field: 'createdAt', order: 'desc' };
    const size = q.size ?? 50;
    const r = await this.api.search(this.cases, {
      query: await this.queryDsl(q),
      sort: [{ [SORT_FIELD[sort.field]]: { order: sort.order } }, { id: { order: sort.order } }],
      ...(q.after !== undefined ? { search_after: decodeCaseCursor(q.after) } : { from: q.offset ?? 0 }),
      size,
      track_total_hits: true,
    });
    const cases = r.hits.map((h) => h._source as unknown as Case);
    const last = cases[cases.length - 1];
    return { total: r.total, cases, ...(cases.length === size && last ? { nextCursor: encodeCaseCursor(caseSortValue(last, sort.field), last.id) } : {}) };
  }

  async close(): Promise<void> {
    await this.api.close();
  }
}

/** Backoff with jitter, so writers that collided do not collide again in step. */
function pause(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.random() * Math.min(5 * 2 ** attempt, 500)));
}

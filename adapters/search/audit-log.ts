/**
 * The cluster-wide audit trail in Elasticsearch/OpenSearch: one index shared by every replica,
 * each writer process appending its own hash chain (`chain`, document id `<chain>:<seq>`, created
 * with op_type create so nothing is ever overwritten and two writers can never fork one chain).
 * Appends made in one turn of the event loop go out as one _bulk request (group commit); append()
 * resolves once the engine has acknowledged the write. With a signer, the checkpoint of every Nth
 * record travels in the same bulk right after it, and checkpoints are also signed on time and on
 * close. Any replica can query, verify and export the whole trail: verification walks every chain.
 * Written by hand: no library keeps a hash-chained, signed log in a search engine.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type AuditCheckpoint, AuditInput, type AuditRecord, type CheckpointReason, type TrailSeal } from '../../core/audit';
import { ChainCheck, GENESIS_HASH, headsRoot, merkleRoot, sealDigest, sealRecord, signCheckpoint, signSeal } from '../../core/audit-chain';
import type { AuditSuite, TrailSigner } from '../../core/audit-crypto';
import { CitySocError } from '../../core/errors';
import { describeIssues } from '../../core/event';
import type { AuditLog, AuditQuery, AuditVerification, ChainScan, CheckpointCadence, CheckpointQuery } from '../../core/ports/audit-log';
import { toDsl, type Dsl } from '../../core/query/to-dsl';
import { checkIndexPrefix, type EngineApi } from './engine-api';

const PAGE = 5000;

export interface SearchAuditOptions {
  readonly prefix: string;
  readonly replicas?: number;
  /** This writer's chain; default: host name, process id and a random part (a new chain per process start). */
  readonly chain?: string;
  readonly suite?: AuditSuite;
  readonly signer?: TrailSigner | null;
  readonly cadence?: CheckpointCadence;
  readonly clock?: () => Date;
}

interface Pending {
  readonly input: unknown;
  readonly at: number;
  resolve(r: AuditRecord): void;
  reject(e: unknown): void;
}

const keyword = { type: 'keyword' };
const stored = { type: 'keyword', index: false, doc_values: false };

export class SearchAuditLog implements AuditLog {
  readonly chain: string;
  private readonly records: string;
  private readonly cps: string;
  private readonly meta: string;
  private ready: Promise<void> | null = null;
  private pending: Pending[] = [];
  private scheduled = false;
  private writing: Promise<void> = Promise.resolve();
  private tail: { seq: number; hash: string; signed: number; window: string[] } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly clock: () => Date;
  private readonly signer: TrailSigner | null;
  private readonly cadence: CheckpointCadence;
  readonly suite: AuditSuite;

  constructor(
    private readonly api: EngineApi,
    private readonly opts: SearchAuditOptions,
  ) {
    checkIndexPrefix(opts.prefix);
    this.records = `${opts.prefix}-audit`;
    this.cps = `${opts.prefix}-audit-checkpoints`;
    this.meta = `${opts.prefix}-audit-meta`;
    this.chain = opts.chain ?? `${hostname().replace(/[^A-Za-z0-9._-]/g, '_')}-${process.pid}-${randomBytes(3).toString('hex')}`;
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(this.chain))
      throw new CitySocError('CONFIG_INVALID', `audit chain name '${this.chain}': expected 1-64 letters, digits, . _ -`);
    this.clock = opts.clock ?? (() => new Date());
    this.signer = opts.signer ?? null;
    this.cadence = opts.cadence ?? { everyRecords: 1000, everyMs: 600_000 };
    this.suite = opts.suite ?? this.signer?.suite ?? 'international';
    if (this.signer && this.signer.suite !== this.suite)
      throw new CitySocError('CONFIG_INVALID', `audit signing key is ${this.signer.suite} but audit.crypto is ${this.suite}`);
  }

  private init(): Promise<void> {
    return (this.ready ??= (async () => {
      const settings = { number_of_shards: 1, number_of_replicas: this.opts.replicas ?? 0 };
      await this.api.ensureIndex(this.records, {
        settings,
        mappings: {
          dynamic: true,
          dynamic_templates: [{ strings: { match_mapping_type: 'string', mapping: keyword } }],
          properties: {
            chain: keyword,
            seq: { type: 'long' },
            at: { type: 'date' },
            record: stored,
            hash: stored,
            prevHash: stored,
            // Each action carries details of its own shape (a search's query is a string, an alert list's an
            // object): mapped dynamically, the first shape would refuse every other one and stop the action.
            // Details are kept as written and not indexed, except the department the row filter reads
            // (policy/resource.ts).
            details: { type: 'object', dynamic: false, properties: { department: keyword } },
          },
        },
      });
      await this.api.ensureIndex(this.cps, { settings, mappings: { dynamic: false, properties: { chain: keyword, seq: { type: 'long' }, body: stored } } });
      await this.api.ensureIndex(this.meta, { settings, mappings: { dynamic: false, properties: { kind: keyword, n: { type: 'long' }, chain: keyword } } });
      // The trail's algorithms are fixed by whoever creates it.
      await this.api.putDoc(this.meta, 'suite', { kind: 'suite', value: this.suite }, 'new');
      const s = (await this.api.getDoc(this.meta, 'suite'))?.source.value;
      if (s !== this.suite)
        throw new CitySocError('CONFIG_INVALID', `audit.crypto is ${this.suite} but the shared trail ${this.records} was created with ${String(s)}`);
      if (this.signer) await this.api.putDoc(this.meta, `key:${this.signer.publicKey.fingerprint}`, { kind: 'key', value: this.signer.publicKey.pem }, 'any');
      if (this.signer) {
        const every = Math.max(50, Math.min(30_000, Math.floor(this.cadence.everyMs / 4)));
        this.timer = setInterval(
          () =>
            void this.checkpoint('time')
              .then(() => this.seal())
              .catch(() => undefined),
          every,
        );
        this.timer.unref();
      }
    })());
  }

  append(input: AuditInput): Promise<AuditRecord> {
    if (this.closed) return Promise.reject(new CitySocError('UNAVAILABLE', 'audit trail is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ input: structuredCloneSafe(input), at: this.clock().getTime(), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          const batch = this.pending;
          this.pending = [];
          this.writing = this.writing.then(() => this.write(batch));
        });
      }
    });
  }

  /** This chain's tail as stored (after a restart under the same name, or a failed write). */
  private async loadTail(): Promise<NonNullable<SearchAuditLog['tail']>> {
    await this.api.refresh(`${this.records},${this.cps},${this.meta}`);
    const last = (await this.api.search(this.records, { query: { term: { chain: this.chain } }, sort: [{ seq: 'desc' }], size: 1 })).hits[0]?._source;
    const anchor = (await this.api.getDoc(this.meta, `anchor:${this.chain}`))?.source as { seq: number; hash: string } | undefined;
    const cp = (await this.api.search(this.cps, { query: { term: { chain: this.chain } }, sort: [{ seq: 'desc' }], size: 1 })).hits[0]?._source;
    const seq = (last?.seq as number | undefined) ?? anchor?.seq ?? 0;
    const hash = (last?.hash as string | undefined) ?? anchor?.hash ?? GENESIS_HASH;
    const signed = (cp?.seq as number | undefined) ?? anchor?.seq ?? 0;
    const window: string[] = [];
    for await (const r of this.chainRecords(this.chain, signed)) window.push(r.hash);
    return { seq, hash, signed, window };
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      await this.init();
      this.tail ??= await this.loadTail();
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    const t = this.tail;
    const ops: unknown[] = [];
    const done: { p: Pending; record: AuditRecord }[] = [];
    let { seq, hash, signed } = t;
    const window = [...t.window];
    for (const p of batch) {
      const parsed = AuditInput.safeParse(p.input);
      if (!parsed.success) {
        p.reject(new CitySocError('INPUT_INVALID', `audit record: ${describeIssues(parsed.error)}`));
        continue;
      }
      const base = { chain: this.chain, seq: seq + 1, at: new Date(p.at).toISOString(), ...parsed.data, prevHash: hash };
      let sealed: { json: string; hash: string };
      try {
        sealed = sealRecord(base, this.suite);
      } catch (e) {
        p.reject(new CitySocError('INPUT_INVALID', `audit record: ${(e as Error).message}`));
        continue;
      }
      const record: AuditRecord = { ...base, hash: sealed.hash };
      ops.push({ create: { _index: this.records, _id: `${this.chain}:${record.seq}` } }, { ...record, record: sealed.json });
      done.push({ p, record });
      seq = record.seq;
      hash = record.hash;
      window.push(hash);
      if (this.signer && seq - signed >= this.cadence.everyRecords) {
        ops.push(...this.checkpointOps(this.sign('count', record, signed, window)));
        signed = seq;
        window.length = 0;
      }
    }
    if (ops.length === 0) return;
    let failed: string | null = null;
    try {
      const items = await this.api.bulk(ops);
      const bad = items.find((i) => i.status >= 300);
      if (bad) failed = `${bad.status} ${bad.error?.type ?? ''}: ${bad.error?.reason ?? ''}`;
    } catch (e) {
      failed = (e as Error).message;
    }
    if (failed) {
      // What was written of it stays (ids never overwritten); the tail is read again before the next write.
      this.tail = null;
      const err = new CitySocError('STORE_FAILURE', `audit trail write failed: ${failed}`);
      for (const d of done) d.p.reject(err);
      return;
    }
    this.tail = { seq, hash, signed, window };
    for (const d of done) d.p.resolve(d.record);
  }

  private sign(reason: CheckpointReason, head: AuditRecord, signed: number, window: readonly string[]): AuditCheckpoint {
    return signCheckpoint(this.signer!, {
      chain: this.chain,
      from: signed + 1,
      seq: head.seq,
      hash: head.hash,
      root: merkleRoot(this.suite, window),
      at: head.at,
      signedAt: new Date().toISOString(),
      reason,
      everyRecords: this.cadence.everyRecords,
      everyMs: this.cadence.everyMs,
    });
  }

  private checkpointOps(c: AuditCheckpoint): unknown[] {
    return [{ create: { _index: this.cps, _id: `${c.chain}:${c.seq}` } }, { chain: c.chain, seq: c.seq, body: JSON.stringify(c) }];
  }

  checkpoint(reason: CheckpointReason = 'manual'): Promise<AuditCheckpoint | null> {
    const run = this.writing.then(async (): Promise<AuditCheckpoint | null> => {
      if (!this.signer) return null;
      await this.init();
      this.tail ??= await this.loadTail();
      const t = this.tail;
      if (t.seq <= t.signed) return null;
      const head = (await this.api.getDoc(this.records, `${this.chain}:${t.seq}`))?.source as (AuditRecord & { record?: string }) | undefined;
      if (!head) return null;
      const first = t.window.length ? await this.api.getDoc(this.records, `${this.chain}:${t.signed + 1}`) : null;
      if (reason === 'time' && first && Date.now() - Date.parse(first.source.at as string) < this.cadence.everyMs) return null;
      const c = this.sign(reason, { ...head, hash: t.hash }, t.signed, t.window);
      const items = await this.api.bulk(this.checkpointOps(c));
      if (items[0]!.status >= 300) throw new CitySocError('STORE_FAILURE', `audit checkpoint write failed: ${items[0]!.error?.reason ?? items[0]!.status}`);
      this.tail = { ...t, signed: t.seq, window: [] };
      return c;
    });
    this.writing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async *chainRecords(chain: string, afterSeq: number, raw = false): AsyncGenerator<AuditRecord> {
    let after = afterSeq;
    for (;;) {
      const r = await this.api.search(this.records, {
        query: { bool: { filter: [{ term: { chain } }, { range: { seq: { gt: after } } }] } },
        sort: [{ seq: 'asc' }],
        size: PAGE,
      });
      for (const h of r.hits) yield raw ? checkedRecord(h._source) : toRecord(h._source);
      if (r.hits.length < PAGE) return;
      after = r.hits[r.hits.length - 1]!._source.seq as number;
    }
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    await this.init();
    await this.api.refresh(this.records);
    const filter: Dsl[] = [];
    if (q.chain !== undefined) filter.push({ term: { chain: q.chain } });
    if (q.actor) filter.push({ term: { actor: q.actor } });
    if (q.action) filter.push({ term: { action: q.action } });
    if (q.resource) filter.push({ term: { resource: q.resource } });
    if (q.decision) filter.push({ term: { decision: q.decision } });
    if (q.from || q.to)
      filter.push({ range: { at: { ...(q.from ? { gte: new Date(q.from).toISOString() } : {}), ...(q.to ? { lt: new Date(q.to).toISOString() } : {}) } } });
    if (q.afterSeq !== undefined) filter.push({ range: { seq: { gt: q.afterSeq } } });
    if (q.filter) filter.push(toDsl(q.filter));
    const size = Math.min(Math.max(q.size ?? 100, 1), 10_000);
    const asc = q.afterSeq !== undefined;
    const r = await this.api.search(this.records, { query: { bool: { filter } }, sort: [{ seq: asc ? 'asc' : 'desc' }, { at: asc ? 'asc' : 'desc' }], size });
    return r.hits.map((h) => toRecord(h._source));
  }

  private async chains(): Promise<string[]> {
    await this.init();
    await this.api.refresh(`${this.records},${this.cps},${this.meta}`);
    const r = await this.api.search(this.records, { size: 0, aggs: { chains: { terms: { field: 'chain', size: 10_000 } } } });
    const anchors = await this.api.search(this.meta, { query: { term: { kind: 'anchor' } }, size: 10_000 });
    const names = new Set<string>(((r.aggregations?.chains as { buckets?: { key: string }[] })?.buckets ?? []).map((b) => b.key));
    for (const h of anchors.hits) names.add(h._source.chain as string);
    return [...names].sort();
  }

  async *scan(): AsyncGenerator<ChainScan> {
    for (const chain of await this.chains()) {
      const anchor = (await this.api.getDoc(this.meta, `anchor:${chain}`))?.source as { seq: number; hash: string } | undefined;
      yield { chain, ...(anchor ? { anchor: { seq: anchor.seq, hash: anchor.hash } } : {}), records: this.chainRecords(chain, 0, true) };
    }
  }

  async verify(): Promise<AuditVerification> {
    let checked = 0;
    for await (const s of this.scan()) {
      const c = new ChainCheck(s.anchor ?? { seq: 0, hash: GENESIS_HASH }, this.suite);
      for await (const r of s.records) if (!c.next(r)) break;
      checked += c.checked;
      if (c.bad) return { ok: false, checked, firstBad: { ...c.bad, chain: s.chain } };
    }
    return { ok: true, checked };
  }

  async checkpoints(q: CheckpointQuery = {}): Promise<AuditCheckpoint[]> {
    await this.init();
    await this.api.refresh(this.cps);
    const filter: Dsl[] = [{ range: { seq: { gte: q.fromSeq ?? 0, lte: q.toSeq ?? Number.MAX_SAFE_INTEGER } } }];
    if (q.chain !== undefined) filter.push({ term: { chain: q.chain } });
    const out: AuditCheckpoint[] = [];
    let after: unknown[] | undefined;
    for (;;) {
      const r = await this.api.search(this.cps, {
        query: { bool: { filter } },
        sort: [{ chain: 'asc' }, { seq: 'asc' }],
        size: PAGE,
        ...(after ? { search_after: after } : {}),
      });
      for (const h of r.hits) out.push(JSON.parse(h._source.body as string) as AuditCheckpoint);
      if (r.hits.length < PAGE) return out;
      after = r.hits[r.hits.length - 1]!.sort;
    }
  }

  async seals(): Promise<TrailSeal[]> {
    await this.init();
    await this.api.refresh(this.meta);
    const out: TrailSeal[] = [];
    let after: unknown[] | undefined;
    for (;;) {
      const r = await this.api.search(this.meta, {
        query: { term: { kind: 'seal' } },
        sort: [{ n: 'asc' }],
        size: PAGE,
        ...(after ? { search_after: after } : {}),
      });
      for (const h of r.hits) out.push(JSON.parse(h._source.body as string) as TrailSeal);
      if (r.hits.length < PAGE) return out;
      after = r.hits[r.hits.length - 1]!.sort;
    }
  }

  /**
   * Signs a seal over the newest checkpoint of every chain, chained to the previous seal: whoever
   * deletes a whole chain, or a seal, breaks it. Any writer may seal; two sealing at once race for
   * the next number and one of them wins (created, never overwritten). null when nothing changed.
   */
  async seal(): Promise<TrailSeal | null> {
    if (!this.signer) return null;
    await this.init();
    await this.api.refresh(`${this.cps},${this.meta}`);
    const last = (await this.api.search(this.meta, { query: { term: { kind: 'seal' } }, sort: [{ n: 'desc' }], size: 1 })).hits[0];
    const prev = last ? (JSON.parse(last._source.body as string) as TrailSeal) : null;
    const agg = await this.api.search(this.cps, {
      size: 0,
      aggs: { chains: { terms: { field: 'chain', size: 10_000 }, aggs: { head: { top_hits: { size: 1, sort: [{ seq: 'desc' }], _source: ['body'] } } } } },
    });
    const buckets = (agg.aggregations?.chains as { buckets?: { key: string; head: { hits: { hits: { _source: { body: string } }[] } } }[] })?.buckets ?? [];
    const heads = buckets
      .map((b) => JSON.parse(b.head.hits.hits[0]!._source.body) as AuditCheckpoint)
      .map((c) => ({ chain: c.chain, seq: c.seq, hash: c.hash }))
      .sort((a, b) => a.chain.localeCompare(b.chain));
    if (heads.length === 0 || (prev && JSON.stringify(prev.heads) === JSON.stringify(heads))) return null;
    const seal = signSeal(this.signer, {
      n: (prev?.n ?? 0) + 1,
      prev: prev ? sealDigest(prev) : GENESIS_HASH,
      heads,
      root: headsRoot(this.suite, heads),
      signedAt: new Date().toISOString(),
    });
    const r = await this.api.putDoc(this.meta, `seal:${seal.n}`, { kind: 'seal', n: seal.n, body: JSON.stringify(seal) }, 'new');
    return r === 'ok' ? seal : null;
  }

  async publicKeys(): Promise<string[]> {
    await this.init();
    await this.api.refresh(this.meta);
    return (await this.api.search(this.meta, { query: { term: { kind: 'key' } }, size: 1000 })).hits.map((h) => h._source.value as string);
  }

  /** Per chain: cut at the newest checkpoint older than the cutoff, delete the records up to it, keep it as the chain's anchor. */
  async prune(before: Date): Promise<{ deleted: number }> {
    await this.writing;
    let deleted = 0;
    for (const chain of await this.chains()) {
      const cut = (
        await this.api.search(this.cps, {
          query: { bool: { filter: [{ term: { chain } }] } },
          sort: [{ seq: 'desc' }],
          size: PAGE,
        })
      ).hits
        .map((h) => JSON.parse(h._source.body as string) as AuditCheckpoint)
        .find((c) => Date.parse(c.at) < before.getTime());
      if (!cut) continue;
      await this.api.putDoc(this.meta, `anchor:${chain}`, { kind: 'anchor', chain, seq: cut.seq, hash: cut.hash }, 'any');
      const ids: string[] = [];
      for await (const r of this.chainRecords(chain, 0)) if (r.seq <= cut.seq) ids.push(`${chain}:${r.seq}`);
      for (let i = 0; i < ids.length; i += PAGE) await this.api.bulk(ids.slice(i, i + PAGE).map((id) => ({ delete: { _index: this.records, _id: id } })));
      const older = (await this.checkpoints({ chain, toSeq: cut.seq - 1 })).map((c) => ({ delete: { _index: this.cps, _id: `${chain}:${c.seq}` } }));
      if (older.length) await this.api.bulk(older);
      deleted += ids.length;
    }
    return { deleted };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.writing;
    if (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      await this.write(batch);
    }
    if (this.ready) await this.checkpoint('close').catch(() => null);
  }
}

function structuredCloneSafe(v: unknown): unknown {
  try {
    return structuredClone(v);
  } catch {
    return v;
  }
}

function toRecord(src: Record<string, unknown>): AuditRecord {
  return { ...(JSON.parse(src.record as string) as Omit<AuditRecord, 'hash'>), hash: src.hash as string };
}

/** The record as its hash covers it; searchable copies that disagree with it count as a modification. */
function checkedRecord(src: Record<string, unknown>): AuditRecord {
  const r = toRecord(src);
  const agrees = (['chain', 'seq', 'at', 'actor', 'action', 'resource', 'decision'] as const).every((k) => src[k] === r[k]);
  return agrees ? r : { ...r, hash: 'search-copy-differs' };
}

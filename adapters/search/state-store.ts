/**
 * The cluster StateStore: one document per (collection, id) in `<prefix>-state`, written with
 * a refresh so that the next read, on any replica, sees it.
 */
import { createHash } from 'node:crypto';
import type { StateStore } from '../../core/ports/state-store';
import { checkIndexPrefix, type EngineApi } from './engine-api';

const PAGE = 1000;

export class SearchStateStore implements StateStore {
  private readonly index: string;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly api: EngineApi,
    private readonly opts: { readonly prefix: string; readonly replicas?: number },
  ) {
    checkIndexPrefix(opts.prefix);
    this.index = `${opts.prefix}-state`;
  }

  private init(): Promise<void> {
    return (this.ready ??= this.api.ensureIndex(this.index, {
      settings: { number_of_shards: 1, number_of_replicas: this.opts.replicas ?? 0 },
      mappings: { dynamic: false, properties: { collection: { type: 'keyword' }, id: { type: 'keyword' }, doc: { type: 'object', enabled: false } } },
    }));
  }

  /** Document ids are limited to 512 bytes; collection and id are hashed into one. */
  private docId(collection: string, id: string): string {
    return createHash('sha256').update(collection).update('\u0000').update(id).digest('hex');
  }

  async all(collection: string): Promise<{ id: string; doc: Record<string, unknown> }[]> {
    await this.init();
    const out: { id: string; doc: Record<string, unknown> }[] = [];
    let after: unknown[] | undefined;
    for (;;) {
      const r = await this.api.search(this.index, {
        query: { term: { collection } },
        sort: [{ id: { order: 'asc' } }],
        size: PAGE,
        ...(after ? { search_after: after } : {}),
      });
      for (const h of r.hits) out.push({ id: h._source.id as string, doc: h._source.doc as Record<string, unknown> });
      if (r.hits.length < PAGE) return out;
      after = r.hits[r.hits.length - 1]!.sort;
    }
  }

  async get(collection: string, id: string): Promise<Record<string, unknown> | null> {
    await this.init();
    const d = await this.api.getDoc(this.index, this.docId(collection, id));
    return (d?.source.doc as Record<string, unknown> | undefined) ?? null;
  }

  async put(collection: string, id: string, doc: Record<string, unknown>): Promise<void> {
    await this.init();
    await this.api.putDoc(this.index, this.docId(collection, id), { collection, id, doc }, 'any');
  }

  async create(collection: string, id: string, doc: Record<string, unknown>): Promise<boolean> {
    await this.init();
    return (await this.api.putDoc(this.index, this.docId(collection, id), { collection, id, doc }, 'new')) === 'ok';
  }

  async remove(collection: string, id: string): Promise<boolean> {
    await this.init();
    return this.api.deleteDoc(this.index, this.docId(collection, id));
  }

  async close(): Promise<void> {
    await this.api.close();
  }
}

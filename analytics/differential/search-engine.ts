// The corpus in a fresh Elasticsearch or OpenSearch index per run. Strings are `keyword` (what
// the ES backend's term/prefix/wildcard/regexp with `case_insensitive` expect), `*.ip` fields
// are `ip` (what its CIDR term expects), numbers keep their dynamic numeric type.
import { elasticsearchApi, openSearchApi, type EngineApi } from '../../adapters/search/engine-api';
import { EVENT_ORIGINAL_MAPPING } from '../../adapters/search/mappings';
import type { EsQuery } from '../sigma/backends/elasticsearch';
import type { CorpusEvent } from './corpus';

export type SearchKind = 'elasticsearch' | 'opensearch';

export const SEARCH_URLS: Record<SearchKind, string> = {
  elasticsearch: process.env.CITYSOC_ES_URL ?? 'http://127.0.0.1:9200',
  opensearch: process.env.CITYSOC_OPENSEARCH_URL ?? 'http://127.0.0.1:9210',
};

// event.original is mapped as in production (adapters/search/mappings.ts). The rest of the
// production template is not used: it types catalogue fields as text/date/long, which the Sigma
// backend's keyword queries do not target.
const MAPPINGS = {
  date_detection: false,
  numeric_detection: false,
  properties: { event: { properties: { original: EVENT_ORIGINAL_MAPPING } } },
  dynamic_templates: [
    { ips: { match_mapping_type: 'string', path_match: '*.ip', mapping: { type: 'ip' } } },
    { strings: { match_mapping_type: 'string', mapping: { type: 'keyword' } } },
  ],
};

export class SearchCorpus {
  private constructor(
    readonly kind: SearchKind,
    private readonly api: EngineApi,
    readonly index: string,
  ) {}

  /** Creates the run's index template, bulk-indexes the corpus with refresh, and returns rejected documents. */
  static async load(
    kind: SearchKind,
    run: string,
    events: readonly CorpusEvent[],
  ): Promise<{ corpus: SearchCorpus; rejected: { id: string; reason: string }[] }> {
    const api = kind === 'elasticsearch' ? elasticsearchApi({ node: [SEARCH_URLS[kind]] }) : openSearchApi({ node: [SEARCH_URLS[kind]] });
    const index = `citysoc-differential-${run}`;
    // Index creation is not part of the store's EngineApi (the store uses templates); plain REST suffices here.
    const created = await fetch(`${SEARCH_URLS[kind]}/${index}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        settings: { number_of_shards: 1, number_of_replicas: 0, 'index.mapping.total_fields.limit': 20000, 'index.max_result_window': 100000 },
        mappings: MAPPINGS,
      }),
    });
    if (!created.ok) throw new Error(`${kind}: creating ${index} failed: ${created.status} ${await created.text()}`);
    const rejected: { id: string; reason: string }[] = [];
    for (let i = 0; i < events.length; i += 2000) {
      const chunk = events.slice(i, i + 2000);
      const items = await api.bulk(chunk.flatMap((e) => [{ index: { _index: index, _id: e.id } }, e.doc]));
      items.forEach((r, k) => r.error && rejected.push({ id: (chunk[k] as CorpusEvent).id, reason: `${r.error.type}: ${r.error.reason}` }));
    }
    await api.refresh(index);
    return { corpus: new SearchCorpus(kind, api, index), rejected };
  }

  async ids(query: EsQuery): Promise<string[]> {
    const r = await this.api.search(this.index, { query, size: 100000, _source: false, track_total_hits: true });
    if (r.hits.length !== r.total) throw new Error(`${this.kind}: ${r.total} hits but ${r.hits.length} returned`);
    return r.hits.map((h) => h._id).sort();
  }

  async drop(): Promise<void> {
    await this.api.deleteIndices([this.index]).catch(() => undefined);
    await this.api.close();
  }
}

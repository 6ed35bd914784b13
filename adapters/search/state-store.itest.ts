import { describeStateStoreContract } from '../../core/contracts/state-store.contract';
import { elasticsearchApi, openSearchApi } from './engine-api';
import { SearchStateStore } from './state-store';

jest.setTimeout(120_000);
let n = 0;
const run = `${process.pid}-${Date.now().toString(36)}`;

for (const [name, url, api] of [
  ['Elasticsearch', 'http://127.0.0.1:9200', elasticsearchApi],
  ['OpenSearch', 'http://127.0.0.1:9210', openSearchApi],
] as const) {
  describeStateStoreContract(`${name} (two clients on one index)`, {
    async open() {
      const prefix = `st-${run}-${n++}`;
      return [new SearchStateStore(api({ node: [url] }), { prefix }), new SearchStateStore(api({ node: [url] }), { prefix })];
    },
  });
}

import { describeEventStoreContract } from '../../core/contracts/event-store.contract';
import { elasticsearchApi, type EngineApi, openSearchApi } from './engine-api';
import { SearchEventStore } from './event-store';

let n = 0;
const run = `${process.pid}-${Date.now().toString(36)}`;

function harness(api: () => EngineApi) {
  return {
    async open() {
      return new SearchEventStore(api(), { prefix: `ct-${run}-${n++}`, refreshInterval: '-1' });
    },
  };
}

describeEventStoreContract(
  'Elasticsearch',
  harness(() => elasticsearchApi({ node: ['http://127.0.0.1:9200'] })),
);
describeEventStoreContract(
  'OpenSearch',
  harness(() => openSearchApi({ node: ['http://127.0.0.1:9210'] })),
);

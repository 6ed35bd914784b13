import { describeCaseStoreContract } from '../../core/contracts/case-store.contract';
import { SearchCaseStore } from './case-store';
import { elasticsearchApi, type EngineApi, openSearchApi } from './engine-api';

jest.setTimeout(120_000);
let n = 0;
const run = `ct-${process.pid}-${Date.now().toString(36)}`;

const engines: [string, () => EngineApi][] = [
  ['Elasticsearch', () => elasticsearchApi({ node: ['http://127.0.0.1:9200'] })],
  ['OpenSearch', () => openSearchApi({ node: ['http://127.0.0.1:9210'] })],
];

for (const [name, api] of engines) {
  afterAll(async () => {
    const a = api();
    await a.deleteIndices((await a.listIndices(`${run}-*`)).map((i) => i.index));
    await a.close();
  });
  describeCaseStoreContract(name, {
    async open() {
      const prefix = `${run}-${n++}`;
      return { store: new SearchCaseStore(api(), { prefix }), replica: async () => new SearchCaseStore(api(), { prefix }) };
    },
  });
}

import { describePolicyEnforcement } from './enforcement.contract';

jest.setTimeout(120_000);
const run = `${process.pid}-${Date.now().toString(36)}`;

for (const store of ['elasticsearch', 'opensearch'] as const) {
  describePolicyEnforcement(`the cluster profile on ${store}`, {
    profile: 'cluster',
    'cluster.store': store,
    [`cluster.${store}.node`]: store === 'elasticsearch' ? 'http://127.0.0.1:9200' : 'http://127.0.0.1:9210',
    'cluster.kafka.brokers': '127.0.0.1:9092',
    'cluster.indexPrefix': `pe-${store.slice(0, 2)}-${run}`,
    'cluster.topicPrefix': `pe-${store}-${run}.`,
    'cluster.replicas': 0,
  });
}

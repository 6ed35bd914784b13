import { clusterOverrides } from '../server/test-support/harness';
import { describePolicyEnforcement } from './enforcement.contract';

jest.setTimeout(120_000);

for (const store of ['elasticsearch', 'opensearch'] as const) {
  describePolicyEnforcement(`the cluster profile on ${store}`, clusterOverrides(store, 'pe'));
}

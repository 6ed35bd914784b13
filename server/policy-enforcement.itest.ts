import { clusterOverrides } from './test-support/harness';
import { describePolicyEnforcement } from './policy-enforcement.contract';

jest.setTimeout(120_000);

for (const store of ['elasticsearch', 'opensearch'] as const) {
  describePolicyEnforcement(`the cluster profile on ${store}`, clusterOverrides(store, 'pe'));
}

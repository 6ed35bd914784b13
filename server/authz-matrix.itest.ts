import { describeAuthorizationMatrix } from './authz-matrix.contract';
import { clusterOverrides } from './test-support/harness';

jest.setTimeout(300_000);

describeAuthorizationMatrix('Elasticsearch', clusterOverrides('elasticsearch', 'mx'));
describeAuthorizationMatrix('OpenSearch', clusterOverrides('opensearch', 'mx'));

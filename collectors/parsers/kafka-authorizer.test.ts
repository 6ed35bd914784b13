import { kafkaAuthorizer } from './kafka-authorizer';
import { CTX } from './test-support/loghub';

const parse = (line: string) => kafkaAuthorizer.parse({ kind: 'line', line }, CTX);

describe('kafka-authorizer', () => {
  test('a denied read of a topic is a failed data read of that topic by that principal', () => {
    const out = parse(
      '[2024-03-01 10:00:00,123] INFO Principal = User:alice is Denied Operation = Read from host = 10.2.0.7 on resource = Topic:LITERAL:gongan.hukou for request = Fetch with resourceRefCount = 1 (kafka.authorizer.logger)',
    );
    expect(out.ok && out.event).toMatchObject({
      '@timestamp': '2024-03-01T10:00:00.123Z',
      event: { action: 'Read', type: ['access', 'denied'], outcome: 'failure' },
      user: { name: 'alice' },
      source: { ip: '10.2.0.7' },
      log: { level: 'info', logger: 'kafka.authorizer.logger' },
      citysoc: { data: { platform: 'kafka', dataset: 'gongan.hukou', resource: 'Topic:LITERAL:gongan.hukou', action: 'read' } },
    });
  });

  test('the pre-2.0 resource form without a pattern type is understood', () => {
    const out = parse(
      '[2018-01-01 00:00:00,000] DEBUG Principal = User:CN=etl,OU=city is Allowed Operation = Describe from host = 10.2.0.8 on resource = Topic:orders',
    );
    expect(out.ok && out.event).toMatchObject({
      user: { name: 'CN=etl,OU=city' },
      event: { outcome: 'success' },
      citysoc: { data: { dataset: 'orders', action: 'list' } },
    });
  });

  test('a line missing the resource is rejected with the expected layout', () => {
    const out = parse('[2024-03-01 10:00:00,123] INFO Principal = User:alice is Denied Operation = Read from host = 10.2.0.7');
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error).toMatch(/^not a Kafka authorizer line: expected/);
  });
});

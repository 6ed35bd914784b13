import { kafkaServer } from './kafka-server';
import { CTX } from './test-support/loghub';

const parse = (line: string) => kafkaServer.parse({ kind: 'line', line }, CTX);

describe('kafka-server', () => {
  test('a broker start line keeps level and logger', () => {
    expect(parse('[2024-03-01 10:00:00,123] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)')).toEqual({
      ok: true,
      event: {
        '@timestamp': '2024-03-01T10:00:00.123Z',
        message: '[KafkaServer id=1] started',
        event: { kind: 'event', dataset: 'kafka.log', module: 'kafka', type: ['info'] },
        log: { level: 'info', logger: 'kafka.server.KafkaServer' },
        service: { type: 'kafka' },
      },
    });
  });

  test('a failed SASL authentication is a failed authentication from the client address', () => {
    const out = parse(
      '[2024-03-01 10:00:05,001] INFO [SocketServer listenerType=ZK_BROKER, nodeId=1] Failed authentication with /10.3.0.9 (channelId=10.3.0.1:9093-10.3.0.9:51234-7) (Authentication failed: Invalid username or password) (org.apache.kafka.common.network.Selector)',
    );
    expect(out).toMatchObject({
      ok: true,
      event: {
        event: { action: 'authentication_failure', outcome: 'failure', reason: 'Authentication failed: Invalid username or password' },
        source: { ip: '10.3.0.9' },
      },
    });
  });

  test('is detected; a ZooKeeper or Hadoop line is not', () => {
    expect(kafkaServer.detect({ kind: 'line', line: '[2024-03-01 10:00:00,123] WARN x (y)' })).toBe(true);
    expect(kafkaServer.detect({ kind: 'line', line: '2024-03-01 10:00:00,123 INFO [main] a.B: x' })).toBe(false);
  });
});

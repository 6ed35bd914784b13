import { describeBusContract } from '../../core/contracts/bus.contract';
import { KafkaBus } from './kafka-bus';

jest.setTimeout(120_000);

describeBusContract('Kafka', {
  async open(ns) {
    return new KafkaBus({ brokers: ['127.0.0.1:9092'], prefix: `${ns}.`, partitions: 3, retryMs: 200 });
  },
});

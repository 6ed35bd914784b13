/**
 * Kafka's authorizer log (kafka-authorizer.log, logger kafka.authorizer.logger): every allowed
 * or denied operation on a topic, group or cluster, as a data-access event.
 */
import type { DataAction } from '../../core/event';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, level, lineOf, ok } from './event-doc';
import { isoFromYmd } from './timestamps';

const LINE =
  /^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3})\] ([A-Z]+) Principal = (\S+?):(\S+) is (Allowed|Denied) Operation = (\w+) from host = (\S+) on resource = (\S+?)(?: for request = (\w+))?(?: with resourceRefCount = (\d+))?(?: \(([\w.]+)\))?$/s;

const ACTIONS: Readonly<Record<string, DataAction>> = {
  Read: 'read',
  Write: 'write',
  IdempotentWrite: 'write',
  Create: 'create',
  CreateTokens: 'create',
  Delete: 'delete',
  Alter: 'alter',
  AlterConfigs: 'alter',
  ClusterAction: 'alter',
  Describe: 'list',
  DescribeConfigs: 'list',
  DescribeTokens: 'list',
};

export const kafkaAuthorizer: LogSource = {
  name: 'kafka-authorizer',
  description: 'Apache Kafka authorizer log (Principal = ... is Allowed|Denied Operation = ...)',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^\[[\d-]{10} [\d:,]{12}\] [A-Z]+ Principal = /.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('kafka-authorizer expects a text line, got a structured record');
    const m = LINE.exec(line);
    if (!m)
      return fail(
        'not a Kafka authorizer line: expected "[date] LEVEL Principal = Type:name is Allowed|Denied Operation = Op from host = ip on resource = Type:name"',
      );
    const ts = isoFromYmd(m[1]!, ctx);
    if (!ts) return fail(`invalid date/time "${m[1]}"`);
    const allowed = m[5] === 'Allowed';
    const resource = m[8]!;
    // "Topic:LITERAL:orders" (Kafka ≥ 2.0) or "Topic:orders"; the name is the part after the last type/pattern.
    const parts = resource.split(':');
    const name = parts.length >= 3 ? parts.slice(2).join(':') : parts.slice(1).join(':');
    return ok({
      '@timestamp': ts,
      message: line.slice(line.indexOf('Principal = ')),
      event: {
        kind: 'event',
        dataset: 'kafka.authorizer',
        module: 'kafka',
        action: m[6],
        category: ['database'],
        type: ['access', allowed ? 'allowed' : 'denied'],
        outcome: allowed ? 'success' : 'failure',
      },
      log: { level: level(m[2]), logger: m[11] },
      user: { name: m[4] },
      source: endpoint(m[7]!.replace(/^\//, '')),
      kafka: { principal_type: m[3], resource, resource_type: parts[0], request: m[9], resource_ref_count: m[10] ? Number(m[10]) : undefined },
      citysoc: { data: { platform: 'kafka', resource, dataset: parts[0] === 'Topic' ? name : undefined, action: ACTIONS[m[6]!] } },
    });
  },
};

import { FlinkSqlBackend } from '../sigma/backends/flink';
import type { SigmaRule } from '../sigma/model';
import { ruleFrom } from '../sigma/test-support/rules';
import { compileCorrelationToFlink, interval } from './flink';
import { correlation } from './test-support';

const failed = {
  ...ruleFrom('    sel:\n        event.action: ssh_login\n        event.outcome: failure\n    condition: sel\n', 'product: linux'),
  name: 'failed',
} as SigmaRule;
const success = {
  ...ruleFrom('    sel:\n        event.action: ssh_login\n        event.outcome: success\n    condition: sel\n', 'product: linux'),
  name: 'success',
} as SigmaRule;
const bf = correlation(`  type: event_count\n  rules: [failed]\n  group-by: [source.ip]\n  timespan: 5m\n  condition:\n    gte: 10\n`, 'id: bf\nname: brute\n');
const resolve = (ref: string) =>
  ref === 'failed'
    ? { kind: 'rule' as const, rule: failed }
    : ref === 'success'
      ? { kind: 'rule' as const, rule: success }
      : ref === 'brute'
        ? { kind: 'correlation' as const, rule: bf }
        : undefined;

// An exact value also matches an element of an array field (analytics/sigma/backends/flink.test.ts).
const exact = (f: string, v: string) =>
  `(LOWER(JSON_VALUE(doc, '$.${f}')) = '${v}' OR (JSON_VALUE(doc, '$.${f}') IS NULL AND POSITION('"${v}"' IN LOWER(JSON_QUERY(doc, '$.${f}'))) > 0))`;
const FAILED_WHERE = `(${exact('event.action', 'ssh_login')} AND ${exact('event.outcome', 'failure')})`;
const INPUT =
  "CREATE TEMPORARY VIEW `sigma_brute_input` AS\nSELECT ts, JSON_VALUE(doc, '$.source.ip') AS `source.ip`, 'failed' AS sigma_rule, CAST(NULL AS STRING) AS sigma_field " +
  `FROM events WHERE ${FAILED_WHERE} AND JSON_VALUE(doc, '$.source.ip') IS NOT NULL`;

describe('correlations as Flink SQL', () => {
  test('event_count becomes a TUMBLE window GROUP BY with HAVING, and warns about static windows', () => {
    const job = compileCorrelationToFlink(bf, resolve);
    expect(job.statements).toEqual([
      INPUT,
      'SELECT window_start, window_end, window_time, `source.ip`, COUNT(*) AS sigma_value\n' +
        "FROM TABLE(TUMBLE(TABLE `sigma_brute_input`, DESCRIPTOR(ts), INTERVAL '5' MINUTE))\n" +
        'GROUP BY window_start, window_end, window_time, `source.ip`\nHAVING COUNT(*) >= 10',
    ]);
    expect(job.warnings.map((w) => w.code)).toEqual(['flink-static-window']);
  });

  test('value_count over HOP windows counts distinct values', () => {
    const spray = correlation(
      `  type: value_count\n  rules: [failed]\n  group-by: [source.ip]\n  timespan: 10m\n  condition:\n    field: user.name\n    gte: 5\n`,
      'id: spray\n',
    );
    const last = compileCorrelationToFlink(spray, resolve, { window: 'hop', hopDivisor: 10 }).statements.at(-1);
    expect(last).toBe(
      'SELECT window_start, window_end, window_time, `source.ip`, COUNT(DISTINCT sigma_field) AS sigma_value\n' +
        "FROM TABLE(HOP(TABLE `sigma_spray_input`, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '10' MINUTE))\n" +
        'GROUP BY window_start, window_end, window_time, `source.ip`\nHAVING COUNT(DISTINCT sigma_field) >= 5',
    );
  });

  test('temporal_ordered over a chained correlation becomes views plus a MATCH_RECOGNIZE', () => {
    const ordered = correlation(`  type: temporal_ordered\n  rules: [brute, success]\n  group-by: [source.ip]\n  timespan: 30m\n`, 'id: after\n');
    const job = compileCorrelationToFlink(ordered, resolve);
    expect(job.statements.length).toBe(4);
    expect(job.statements[1]).toBe(
      'CREATE TEMPORARY VIEW `sigma_brute` AS\nSELECT window_start, window_end, window_time, `source.ip`, COUNT(*) AS sigma_value\n' +
        "FROM TABLE(TUMBLE(TABLE `sigma_brute_input`, DESCRIPTOR(ts), INTERVAL '5' MINUTE))\nGROUP BY window_start, window_end, window_time, `source.ip`\nHAVING COUNT(*) >= 10",
    );
    expect(job.statements[3]).toBe(
      'SELECT *\nFROM `sigma_after_input`\nMATCH_RECOGNIZE (\n  PARTITION BY `source.ip`\n  ORDER BY ts\n' +
        '  MEASURES FIRST(R0.ts) AS first_seen, LAST(R1.ts) AS last_seen\n  ONE ROW PER MATCH\n  AFTER MATCH SKIP PAST LAST ROW\n' +
        "  PATTERN (R0 Z*? R1) WITHIN INTERVAL '30' MINUTE\n  DEFINE R0 AS R0.sigma_rule = 'brute', R1 AS R1.sigma_rule = 'success'\n)",
    );
  });

  test("intervals use the largest dividing unit within Flink's 2-digit leading precision", () => {
    expect([interval(300_000), interval(90_000), interval(100_000), interval(86_400_000 * 120)]).toEqual([
      "INTERVAL '5' MINUTE",
      "INTERVAL '90' SECOND",
      "INTERVAL '0 00:01:40' DAY TO SECOND",
      "INTERVAL '120 00:00:00' DAY TO SECOND",
    ]);
  });

  test('value_percentile has no faithful Flink form and is refused by name', () => {
    const pct = correlation(
      `  type: value_percentile\n  rules: [failed]\n  group-by: [host.name]\n  timespan: 1h\n  condition:\n    field: process.name\n    lte: 1\n`,
      'id: pct\n',
    );
    expect(() => compileCorrelationToFlink(pct, resolve)).toThrow('value_percentile has no faithful Flink SQL aggregation');
  });
});

describe('Flink SQL backend', () => {
  test('dialect: LOWER+LIKE, REGEXP with inline flags, TRY_CAST numbers, EXTRACT for time parts, cased LIKE', () => {
    const rule = ruleFrom(
      "    sel:\n        CommandLine|contains: 'Net User'\n        Cmd|re|i: '^cmd'\n        Bytes|gte: 100\n        EventID: 4688\n        '@timestamp|hour': 3\n        Name|cased: 'Ad*'\n    condition: sel\n",
    );
    expect(new FlinkSqlBackend({ field: (n) => `\`${n}\`` }).convertRule(rule)).toBe(
      "(LOWER(`CommandLine`) LIKE '%net user%' ESCAPE '\\' AND REGEXP(`Cmd`, '(?i)^cmd') AND TRY_CAST(`Bytes` AS DOUBLE) >= 100 AND TRY_CAST(`EventID` AS DOUBLE) = 4688 AND " +
        "EXTRACT(HOUR FROM TO_TIMESTAMP(SUBSTRING(REPLACE(`@timestamp`, 'T', ' ') FROM 1 FOR 19))) = 3 AND `Name` LIKE 'Ad%' ESCAPE '\\')",
    );
  });
});

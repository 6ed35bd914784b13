import { defaultUebaConfig } from '../config';
import { compilePredicate, predicateToFlink } from '../features/predicate';
import { compileUebaToFlink, eventsTable, hourlySinkColumns } from './compile';
import { USER } from '../features/definitions';
import { flinkLocalTime } from './rows';

const cfg = defaultUebaConfig();
const job = compileUebaToFlink(cfg, { source: 'events', sinks: { hourly: { user: 'u', host: 'h', dataset: 'd' }, firstSeen: 'f', userDatasetHour: 'x' } });
const view = (name: string) => job.views.find((v) => v.startsWith(`CREATE TEMPORARY VIEW ${name} AS`))!;

describe('UEBA features compiled to Flink SQL', () => {
  test('per entity and hour: one TUMBLE window TVF over the events, one aggregate per feature', () => {
    const hourly = view('ueba_user_hourly');
    expect(hourly).toContain("FROM TABLE(TUMBLE(TABLE ueba_events, DESCRIPTOR(ts), INTERVAL '1' HOUR))");
    expect(hourly).toContain(
      "CAST(SUM(CASE WHEN (`data_action` IS NOT NULL AND `data_action` IN ('export')) THEN COALESCE(`records`, 0) ELSE 0 END) AS BIGINT) AS `f_records_exported`",
    );
    expect(hourly).toContain('CAST(COUNT(DISTINCT CASE WHEN TRUE THEN `dataset` END) AS BIGINT) AS `f_distinct_datasets`');
    expect(hourly).toContain("WHERE `user` IS NOT NULL AND (`outcome` IS NOT NULL AND `outcome` IN ('success'))");
  });

  test('baselines are OVER aggregates of the hourly rows over the configured window, never over raw events', () => {
    const win = view('ueba_user_window');
    expect(win).toContain(`WINDOW w AS (PARTITION BY entity ORDER BY window_time ROWS BETWEEN ${cfg.baseline.window} PRECEDING AND CURRENT ROW)`);
    expect(win).toContain('SUM(`v_records_exported` * `v_records_exported`) OVER w AS `ss_records_exported`');
    expect(view('ueba_user_scaled')).toContain('LN(1 + `f_records_exported`) AS `v_records_exported`');
    for (const v of job.views.filter((x) => x.includes(' OVER '))) expect(v).not.toMatch(/FROM ueba_events\b|FROM ueba_event_paths\b/);
  });

  test('a feature with its own threshold keeps it; the others take the configured one', () => {
    const insert = job.inserts[0]!;
    expect(insert).toMatch(/>= 3, FALSE\) AS `a_distinct_source_subnets`/);
    expect(insert).toMatch(new RegExp(`>= ${cfg.baseline.zThreshold}, FALSE\\) AS \`a_records_exported\``));
  });

  test('first contacts: an unbounded count per user and value, then the learning period from the user’s first activity', () => {
    expect(view('ueba_rarity_seen')).toContain(
      'COUNT(*) OVER (PARTITION BY entity, kind, val ORDER BY window_time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS seen',
    );
    expect(job.inserts.find((s) => s.includes('ueba_rarity_aged'))).toContain(`WHERE window_start >= first_active + INTERVAL '${cfg.rarity.learningDays}' DAY`);
  });

  test('the job carries its state TTL, the city’s time zone and one-phase aggregation', () => {
    expect(job.configuration).toEqual({
      'table.local-time-zone': 'GMT+08:00',
      'table.exec.state.ttl': '180 d',
      'table.optimizer.agg-phase-strategy': 'ONE_PHASE',
    });
    expect(job.statementSet.startsWith('EXECUTE STATEMENT SET\nBEGIN\nINSERT INTO `u`')).toBe(true);
  });

  test('event time comes from @timestamp with its offset, the watermark lateness as HOUR TO MINUTE', () => {
    const ddl = eventsTable('src', "WITH ('connector' = 'kafka')", 90);
    expect(ddl).toContain("WATERMARK FOR ts AS ts - INTERVAL '1:30' HOUR TO MINUTE");
    expect(ddl).toContain("JSON_VALUE(doc, '$[''@timestamp'']')");
    expect(ddl).not.toContain('UNIX_TIMESTAMP');
  });

  test('values and names from definitions are quoted: a hostile value stays one literal, a hostile name one identifier', () => {
    expect(predicateToFlink({ col: 'dataset', in: ["x') OR 1=1 --"] })).toBe("(`dataset` IS NOT NULL AND `dataset` IN ('x'') OR 1=1 --'))");
    const sink = hourlySinkColumns(USER).map((c) => c.name);
    expect(sink.slice(0, 5)).toEqual(['entity', 'hour', 'hour_of_week', 'department', 'role']);
  });

  test('absent values compare the same in both engines: a comparison with an absent column is false and its negation true', () => {
    const p = { not: { col: 'owner_department' as const, differsFrom: 'user_department' as const } };
    expect(compilePredicate(p)({ user_department: '城管' })).toBe(true);
    expect(predicateToFlink(p)).toBe('(NOT (`owner_department` IS NOT NULL AND `user_department` IS NOT NULL AND `owner_department` <> `user_department`))');
  });

  test('window bounds printed by Flink read back in the city’s zone', () => {
    expect(flinkLocalTime('2026-06-01 09:00:00', '+08:00')).toBe(Date.parse('2026-06-01T09:00:00+08:00'));
    expect(flinkLocalTime('2026-06-01 09:00:00.000', '+08:00')).toBe(Date.parse('2026-06-01T01:00:00Z'));
    expect(() => flinkLocalTime('yesterday', '+08:00')).toThrow('not a Flink timestamp: "yesterday"');
  });
});

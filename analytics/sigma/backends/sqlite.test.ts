import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { SigmaRule } from '../model';
import { parseSigmaFile } from '../parse';
import { getPipeline } from '../pipelines';
import { CORPUS, ruleFrom } from '../test-support/rules';
import { SqliteBackend, globPattern, jsonTreeValues, likePattern } from './sqlite';

const column = (name: string): string => `"${name}"`;

describe('SQLite WHERE clauses', () => {
  test('a SigmaHQ rule through the ecs pipeline over json_extract columns', () => {
    const rule = parseSigmaFile(join(CORPUS, 'rules/windows/process_creation/proc_creation_win_net_user_add.yml')).documents[0] as SigmaRule;
    const sql = new SqliteBackend({ pipelines: [getPipeline('ecs')], field: (n) => `json_extract(doc, '$."${n}"')` }).convertRule(rule);
    const f = (n: string): string => `json_extract(doc, '$."${n}"')`;
    expect(sql).toBe(
      // The windows product: host.os.type, or, without it, a Winlogbeat or EVTX-shaped event.
      `((lower(${f('host.os.type')}) = lower('windows') OR (${f('host.os.type')} IS NULL AND ${f('winlog.channel')} IS NOT NULL) OR ` +
        `(${f('host.os.type')} IS NULL AND ${f('Event.System.EventID')} IS NOT NULL)) AND ` +
        `((lower(${f('event.category')}) = lower('process') AND lower(${f('event.type')}) = lower('start')) AND ` +
        `(((lower(${f('process.executable')}) LIKE lower('%\\\\net.exe') ESCAPE '\\' OR lower(${f('process.executable')}) LIKE lower('%\\\\net1.exe') ESCAPE '\\') OR ` +
        `(lower(${f('process.pe.original_file_name')}) = lower('net.exe') OR lower(${f('process.pe.original_file_name')}) = lower('net1.exe'))) AND ` +
        `(lower(${f('process.command_line')}) LIKE lower('%user%') ESCAPE '\\' AND lower(${f('process.command_line')}) LIKE lower('%add%') ESCAPE '\\'))))`,
    );
  });

  test('typed values: REGEXP with inline flags, CIDR as LIKE prefixes, CAST for ranges, GLOB when cased', () => {
    const rule = ruleFrom(
      "    sel:\n        CommandLine|re|i: '^cmd.*/c'\n        DestinationIp|cidr: '192.168.0.0/23'\n        Bytes|gte: 100\n        Hash: null\n        Flag|exists: true\n        Name|cased: 'Ad?in*'\n        EventID: 4688\n" +
        "    kw:\n        - 'evil 100%'\n    filter:\n        User: 'it''s'\n    condition: (sel or kw) and not filter\n",
    );
    expect(new SqliteBackend({ field: column }).convertRule(rule)).toBe(
      `((("CommandLine" REGEXP '(?i)^cmd.*/c' AND ("DestinationIp" LIKE '192.168.0.%' OR "DestinationIp" LIKE '192.168.1.%') AND CAST("Bytes" AS REAL) >= 100 AND "Hash" IS NULL AND "Flag" IS NOT NULL AND "Name" GLOB 'Ad?in*' AND "EventID" IN (4688, '4688')) ` +
        `OR (CASE WHEN "event.original" IS NOT NULL THEN lower("event.original") LIKE lower('%evil 100\\%%') ESCAPE '\\' ` +
        `WHEN "message" IS NOT NULL THEN lower("message") LIKE lower('%evil 100\\%%') ESCAPE '\\' ELSE 0 END)) AND (lower("User") = lower('it''s')) IS NOT TRUE)`,
    );
  });

  test('not over a missing field selects the event, as the matcher does (SQL NULL is not false)', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE events (id TEXT, doc TEXT); INSERT INTO events VALUES ('no-user', '{}'), ('admin', '{"User":"Admin"}'), ('other', '{"User":"bob"}')`);
    const where = new SqliteBackend({ field: (n) => `json_extract(doc, '$."${n}"')` }).convertRule(
      ruleFrom('    filter:\n        User: admin\n    condition: not filter\n'),
    );
    expect(db.prepare(`SELECT id FROM events WHERE ${where} ORDER BY id`).pluck().all()).toEqual(['no-user', 'other']);
    db.close();
  });

  test('with elements (json_each), an array field matches when any element does; not and null stay Sigma semantics', () => {
    const db = new Database(':memory:');
    db.exec(
      `CREATE TABLE events (id TEXT, doc TEXT); INSERT INTO events VALUES ` +
        `('arr', '{"event.category":["network","authentication"],"related.ip":["10.0.0.1","192.168.1.5"],"process.args":["-k",3]}'), ` +
        `('scalar', '{"event.category":"authentication","related.ip":"192.168.1.9","process.args":"3"}'), ` +
        `('nulls', '{"event.category":["process",null]}'), ('none', '{}')`,
    );
    db.function('regexp', (pattern: unknown, value: unknown) => (value === null ? null : new RegExp(String(pattern)).test(String(value)) ? 1 : 0));
    const backend = new SqliteBackend({ field: (n) => `json_extract(doc, '$."${n}"')`, elements: (n) => `json_each(doc, '$."${n}"')` });
    const ids = (detection: string): string[] => {
      const where = backend.convertRule(ruleFrom(detection));
      return db.prepare(`SELECT id FROM events WHERE ${where} ORDER BY id`).pluck().all() as string[];
    };
    expect(ids('    sel:\n        event.category: AUTHENTICATION\n    condition: sel\n')).toEqual(['arr', 'scalar']);
    expect(ids('    sel:\n        event.category: authentication\n    condition: not sel\n')).toEqual(['none', 'nulls']);
    expect(ids('    sel:\n        related.ip|cidr: 192.168.1.0/24\n    condition: sel\n')).toEqual(['arr', 'scalar']);
    expect(ids('    sel:\n        process.args: 3\n    condition: sel\n')).toEqual(['arr', 'scalar']);
    expect(ids("    sel:\n        process.args|re: '^-k$'\n    condition: sel\n")).toEqual(['arr']);
    expect(ids('    sel:\n        event.category|endswith: work\n    condition: not sel\n')).toEqual(['none', 'nulls', 'scalar']);
    expect(ids('    sel:\n        event.category: null\n    condition: sel\n')).toEqual(['none', 'nulls']);
    // A value list is one EXISTS (any element, any value); |all needs each value on some element.
    const list = backend.convertRule(ruleFrom('    sel:\n        event.category:\n            - process\n            - network\n    condition: sel\n'));
    expect(list.match(/EXISTS/g)).toHaveLength(1);
    expect(ids('    sel:\n        event.category:\n            - process\n            - network\n    condition: sel\n')).toEqual(['arr', 'nulls']);
    expect(ids('    sel:\n        event.category|all:\n            - network\n            - authentication\n    condition: sel\n')).toEqual(['arr']);
    const many = Array.from({ length: 1500 }, (_, i) => `            - v${i}\n`).join('');
    expect(ids(`    sel:\n        event.category|contains:\n${many}    condition: not sel\n`)).toEqual(['arr', 'none', 'nulls', 'scalar']);
    db.close();
  });

  test('keywords search event.original, else message, else every value of the event', () => {
    const db = new Database(':memory:');
    db.exec(
      `CREATE TABLE events (id TEXT, doc TEXT); INSERT INTO events VALUES ` +
        `('orig', '{"event.original":"Accepted password for ROOT","message":"x"}'), ('msg', '{"message":"accepted password for root"}'), ` +
        `('both', '{"event.original":"other line","message":"Accepted password for root"}'), ('field', '{"user.name":"Accepted password for root"}'), ` +
        `('deep', '{"Event":{"EventData":{"Data":["x","Accepted PASSWORD for root"]}}}'), ('key', '{"password for root":1}'), ` +
        `('msgfield', '{"message":"other","user.name":"password for root"}')`,
    );
    const backend = new SqliteBackend({
      field: (n) => `json_extract(doc, '$."${n}"')`,
      elements: (n) => `json_each(doc, '$."${n}"')`,
      eventValues: jsonTreeValues('doc'),
    });
    const where = backend.convertRule(ruleFrom("    kw:\n        - 'password for root'\n    condition: kw\n"));
    expect(db.prepare(`SELECT id FROM events WHERE ${where} ORDER BY id`).pluck().all()).toEqual(['deep', 'field', 'msg', 'orig']);
    const not = backend.convertRule(ruleFrom("    kw:\n        - 'password for root'\n    condition: not kw\n"));
    expect(db.prepare(`SELECT id FROM events WHERE ${not} ORDER BY id`).pluck().all()).toEqual(['both', 'key', 'msgfield']);
    const numbers = backend.convertRule(ruleFrom("    kw:\n        - 'true'\n        - 4625\n    condition: kw\n"));
    db.exec(`INSERT INTO events VALUES ('num', '{"Event":{"System":{"EventID":4625}}}'), ('bool', '{"a":{"b":true}}')`);
    expect(db.prepare(`SELECT id FROM events WHERE ${numbers} ORDER BY id`).pluck().all()).toEqual(['bool', 'num']);
    // Without a source of every value, events without raw text match no keyword, and the rule says so.
    const rawOnly = new SqliteBackend({ field: (n) => `json_extract(doc, '$."${n}"')` });
    const rule = ruleFrom("    kw:\n        - 'password for root'\n    condition: kw\n");
    expect(
      db
        .prepare(`SELECT id FROM events WHERE ${rawOnly.convertRule(rule)} ORDER BY id`)
        .pluck()
        .all(),
    ).toEqual(['msg', 'orig']);
    db.close();
  });

  test('LIKE and GLOB escape their own metacharacters', () => {
    expect(likePattern([{ kind: 'any' }, { kind: 'literal', text: '50%_a\\b' }, { kind: 'one' }])).toBe('%50\\%\\_a\\\\b_');
    expect(globPattern([{ kind: 'literal', text: 'a*b?[c' }, { kind: 'any' }])).toBe('a[*]b[?][[]c*');
  });

  test('IPv6 CIDR has no textual prefix in SQL and is refused', () => {
    expect(() => new SqliteBackend({ field: column }).convertRule(ruleFrom("    sel:\n        Ip|cidr: 'fe80::/10'\n    condition: sel\n"))).toThrow(
      'sqlite backend cannot express IPv6 CIDR fe80::/10',
    );
  });
});

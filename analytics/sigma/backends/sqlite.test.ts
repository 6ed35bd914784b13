import { join } from 'node:path';
import type { SigmaRule } from '../model';
import { parseSigmaFile } from '../parse';
import { getPipeline } from '../pipelines';
import { CORPUS, ruleFrom } from '../test-support/rules';
import { SqliteBackend, globPattern, likePattern } from './sqlite';

const column = (name: string): string => `"${name}"`;

describe('SQLite WHERE clauses', () => {
  test('a SigmaHQ rule through the ecs pipeline over json_extract columns', () => {
    const rule = parseSigmaFile(join(CORPUS, 'rules/windows/process_creation/proc_creation_win_net_user_add.yml')).documents[0] as SigmaRule;
    const sql = new SqliteBackend({ pipelines: [getPipeline('ecs')], field: (n) => `json_extract(doc, '$."${n}"')` }).convertRule(rule);
    const f = (n: string): string => `json_extract(doc, '$."${n}"')`;
    expect(sql).toBe(
      `((lower(${f('event.category')}) = lower('process') AND lower(${f('event.type')}) = lower('start')) AND ` +
        `(((lower(${f('process.executable')}) LIKE lower('%\\\\net.exe') ESCAPE '\\' OR lower(${f('process.executable')}) LIKE lower('%\\\\net1.exe') ESCAPE '\\') OR ` +
        `(lower(${f('process.pe.original_file_name')}) = lower('net.exe') OR lower(${f('process.pe.original_file_name')}) = lower('net1.exe'))) AND ` +
        `(lower(${f('process.command_line')}) LIKE lower('%user%') ESCAPE '\\' AND lower(${f('process.command_line')}) LIKE lower('%add%') ESCAPE '\\')))`,
    );
  });

  test('typed values: REGEXP with inline flags, CIDR as LIKE prefixes, CAST for ranges, GLOB when cased', () => {
    const rule = ruleFrom(
      "    sel:\n        CommandLine|re|i: '^cmd.*/c'\n        DestinationIp|cidr: '192.168.0.0/23'\n        Bytes|gte: 100\n        Hash: null\n        Flag|exists: true\n        Name|cased: 'Ad?in*'\n        EventID: 4688\n" +
        "    kw:\n        - 'evil 100%'\n    filter:\n        User: 'it''s'\n    condition: (sel or kw) and not filter\n",
    );
    expect(new SqliteBackend({ field: column }).convertRule(rule)).toBe(
      `((("CommandLine" REGEXP '(?i)^cmd.*/c' AND ("DestinationIp" LIKE '192.168.0.%' OR "DestinationIp" LIKE '192.168.1.%') AND CAST("Bytes" AS REAL) >= 100 AND "Hash" IS NULL AND "Flag" IS NOT NULL AND "Name" GLOB 'Ad?in*' AND "EventID" IN (4688, '4688')) ` +
        `OR lower("event.original") LIKE lower('%evil 100\\%%') ESCAPE '\\') AND NOT (lower("User") = lower('it''s')))`,
    );
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

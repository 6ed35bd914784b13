import { join } from 'node:path';
import { SigmaUnsupportedError } from '../errors';
import type { SigmaRule } from '../model';
import { parseSigmaFile } from '../parse';
import { getPipeline } from '../pipelines';
import { CORPUS, ruleFrom } from '../test-support/rules';
import { determinizationRisk, ElasticsearchBackend, luceneRegex } from './elasticsearch';

const ci = (value: unknown): { value: unknown; case_insensitive: true } => ({ value, case_insensitive: true });

describe('Elasticsearch / OpenSearch query DSL', () => {
  test('a SigmaHQ rule through the ecs pipeline becomes one bool filter on the windows index', () => {
    const rule = parseSigmaFile(join(CORPUS, 'rules/windows/process_creation/proc_creation_win_net_user_add.yml')).documents[0] as SigmaRule;
    expect(new ElasticsearchBackend({ pipelines: [getPipeline('ecs')] }).convertRule(rule)).toEqual({
      index: 'logs-windows-*',
      query: {
        bool: {
          filter: [
            // The windows product: host.os.type, or, without it, a Winlogbeat or EVTX-shaped event.
            {
              bool: {
                should: [
                  { term: { 'host.os.type': ci('windows') } },
                  { bool: { filter: [{ bool: { must_not: [{ exists: { field: 'host.os.type' } }] } }, { exists: { field: 'winlog.channel' } }] } },
                  { bool: { filter: [{ bool: { must_not: [{ exists: { field: 'host.os.type' } }] } }, { exists: { field: 'Event.System.EventID' } }] } },
                ],
                minimum_should_match: 1,
              },
            },
            { term: { 'event.category': ci('process') } },
            { term: { 'event.type': ci('start') } },
            {
              bool: {
                should: [
                  { wildcard: { 'process.executable': ci('*\\\\net.exe') } },
                  { wildcard: { 'process.executable': ci('*\\\\net1.exe') } },
                  { term: { 'process.pe.original_file_name': ci('net.exe') } },
                  { term: { 'process.pe.original_file_name': ci('net1.exe') } },
                ],
                minimum_should_match: 1,
              },
            },
            { wildcard: { 'process.command_line': ci('*user*') } },
            { wildcard: { 'process.command_line': ci('*add*') } },
          ],
        },
      },
    });
  });

  test('typed values map to regexp, term-on-ip, range, exists, must_not and keyword wildcard', () => {
    const rule = ruleFrom(
      "    sel:\n        CommandLine|re|i: '^cmd.*/c'\n        DestinationIp|cidr: '10.0.0.0/12'\n        Bytes|gte: 100\n        Hash: null\n        Flag|exists: true\n        Name|cased: 'Ad?in*'\n        Path|startswith: 'C:\\Temp'\n" +
        "    kw:\n        - 'evil 100%'\n    filter:\n        User: 'it''s'\n    condition: (sel or kw) and not filter\n",
    );
    expect(new ElasticsearchBackend().convertRule(rule)).toEqual({
      index: 'logs-*',
      query: {
        bool: {
          filter: [
            {
              bool: {
                should: [
                  {
                    bool: {
                      filter: [
                        { regexp: { CommandLine: { value: 'cmd.*/c.*', flags: 'NONE', case_insensitive: true } } },
                        { term: { DestinationIp: '10.0.0.0/12' } },
                        { range: { Bytes: { gte: 100 } } },
                        { bool: { must_not: [{ exists: { field: 'Hash' } }] } },
                        { exists: { field: 'Flag' } },
                        { wildcard: { Name: { value: 'Ad?in*' } } },
                        { prefix: { Path: ci('C:\\Temp') } },
                      ],
                    },
                  },
                  // A keyword searches event.original, or message when the event has no event.original,
                  // or every field when it has neither (the OR flattens into the enclosing one).
                  { bool: { filter: [{ exists: { field: 'event.original' } }, { wildcard: { 'event.original': ci('*evil 100%*') } }] } },
                  {
                    bool: {
                      must_not: [{ exists: { field: 'event.original' } }],
                      filter: [{ exists: { field: 'message' } }, { wildcard: { message: ci('*evil 100%*') } }],
                    },
                  },
                ],
                minimum_should_match: 1,
              },
            },
            { bool: { must_not: [{ term: { User: ci("it's") } }] } },
          ],
        },
      },
    });
  });

  test('PCRE search semantics become whole-term Lucene regexps', () => {
    expect([luceneRegex('abc'), luceneRegex('^abc$'), luceneRegex('a"b$')]).toEqual(['.*abc.*', 'abc', '.*a\\"b']);
  });

  test('a top-level alternation is grouped before the search-anywhere .* is added', () => {
    expect(luceneRegex('grant\\s+all|to\\s+role')).toBe('.*(grant\\s+all|to\\s+role).*');
    expect(luceneRegex('a\\"b')).toBe('.*a\\"b.*');
    expect(luceneRegex('x(?:ab|c)+')).toBe('.*x(ab|c)+.*');
  });

  test('regexes Lucene reads differently are refused by name: inner anchors, word boundaries, lookarounds, lazy quantifiers', () => {
    for (const re of ['(^|&)cmd=', 'foo\\bbar', '(?=ab)', 'a.*?b', '^a|b']) {
      const rule = ruleFrom(`    sel:\n        Q|re: '${re}'\n    condition: sel\n`);
      expect(() => new ElasticsearchBackend().convertRule(rule)).toThrow(/elasticsearch backend cannot express the regular expression .* in Lucene syntax/);
    }
  });

  test('floating counted repetitions that would exceed Lucene determinization are refused by name (proc_creation_win_hktl_wsass)', () => {
    const wsass = '(?i)\\.exe[\\"\\\']?\\s+[^\\"]{0,64}werfaultsecure\\.exe[\\"\\\']?\\s+\\d{2,10}';
    expect(determinizationRisk(wsass)).toMatch(/repetition \{0,64\} followed by more pattern/);
    const rule = ruleFrom(`    sel:\n        CommandLine|re: '${wsass.replace(/'/g, "''")}'\n    condition: sel\n`);
    expect(() => new ElasticsearchBackend().convertRule(rule)).toThrow(SigmaUnsupportedError);
    expect(() => new ElasticsearchBackend().convertRule(rule)).toThrow(/elasticsearch backend cannot express the regular expression .* determinization limit/);
    // Inside groups and alternations too.
    expect(determinizationRisk('a(?:x|[^-]{1,40})b')).toBeDefined();
    expect(determinizationRisk('(?:.{0,33}z)+')).toBeDefined();
    // Accepted: a trailing repetition (nothing required after it), small bounds, single characters, unbounded stars.
    for (const ok of [
      '\\\\[^\\\\]{1,256}$',
      '-k\\s\\w{1,64}(?:\\s?(?:-p|-s))?',
      '\\s-[^-\\s]{0,20}i',
      '-(W|R)\\s?(\\s|"|\')([0-9a-fA-F]{2}\\s?){2,20}(\\s|"|\')',
      'a{0,100}b',
      'a.*b[^x]+c',
    ])
      expect([ok, determinizationRisk(ok)]).toEqual([ok, undefined]);
  });

  test('case_insensitive only on text with cased letters (ip and numeric fields reject it)', () => {
    const rule = ruleFrom("    sel:\n        DestinationIp: '10.1.2.3'\n        Image: 'a'\n    condition: sel\n");
    expect(new ElasticsearchBackend().convertRule(rule).query).toEqual({
      bool: { filter: [{ term: { DestinationIp: { value: '10.1.2.3' } } }, { term: { Image: { value: 'a', case_insensitive: true } } }] },
    });
  });

  test('field references need a script and are refused with a reason', () => {
    const rule = ruleFrom('    sel:\n        A|fieldref: B\n    condition: sel\n');
    expect(() => new ElasticsearchBackend().convertRule(rule)).toThrow(SigmaUnsupportedError);
    expect(() => new ElasticsearchBackend().convertRule(rule)).toThrow(
      'test.yml detection.sel.A|fieldref: elasticsearch backend cannot express field references (A = B)',
    );
  });
});

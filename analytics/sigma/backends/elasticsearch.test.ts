import { join } from 'node:path';
import { SigmaUnsupportedError } from '../errors';
import type { SigmaRule } from '../model';
import { parseSigmaFile } from '../parse';
import { getPipeline } from '../pipelines';
import { CORPUS, ruleFrom } from '../test-support/rules';
import { ElasticsearchBackend, luceneRegex } from './elasticsearch';

const ci = (value: unknown): { value: unknown; case_insensitive: true } => ({ value, case_insensitive: true });

describe('Elasticsearch / OpenSearch query DSL', () => {
  test('a SigmaHQ rule through the ecs pipeline becomes one bool filter on the windows index', () => {
    const rule = parseSigmaFile(join(CORPUS, 'rules/windows/process_creation/proc_creation_win_net_user_add.yml')).documents[0] as SigmaRule;
    expect(new ElasticsearchBackend({ pipelines: [getPipeline('ecs')] }).convertRule(rule)).toEqual({
      index: 'logs-windows-*',
      query: {
        bool: {
          filter: [
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
                  { wildcard: { 'event.original': ci('*evil 100%*') } },
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

  test('field references need a script and are refused with a reason', () => {
    const rule = ruleFrom('    sel:\n        A|fieldref: B\n    condition: sel\n');
    expect(() => new ElasticsearchBackend().convertRule(rule)).toThrow(SigmaUnsupportedError);
    expect(() => new ElasticsearchBackend().convertRule(rule)).toThrow(
      'test.yml detection.sel.A|fieldref: elasticsearch backend cannot express field references (A = B)',
    );
  });
});

import { parseBulk } from './bulk';

const AT = new Date('2026-11-20T00:00:00Z');
const parse = (body: string, index?: string, source?: string) => parseBulk(body, index, { source }, 'beats', AT);

describe('the bulk body', () => {
  it('pairs actions with documents; a raw log line in message is parsed by its source', () => {
    const doc = {
      '@timestamp': '2026-11-20T01:00:00Z',
      message: 'Nov 20 01:00:00 h sshd[1]: Invalid user x from 1.2.3.4',
      host: { name: 'h' },
      log: { file: { path: '/var/log/secure' }, offset: 42 },
    };
    const [item] = parse(`{"create":{"_index":"filebeat-8"}}\n${JSON.stringify(doc)}\n`);
    expect(item).toMatchObject({
      kind: 'doc',
      action: 'create',
      index: 'filebeat-8',
      input: {
        raw: { kind: 'line', line: doc.message },
        hint: { source: 'openssh', position: '/var/log/secure:42', timestamp: '2026-11-20T01:00:00Z', original: doc.message, extra: { host: { name: 'h' } } },
      },
    });
  });

  it('takes a document whose message no source knows as a record', () => {
    const [item] = parse('{"index":{"_id":"a1"}}\n{"@timestamp":"2026-11-20T01:00:00Z","message":"plain words","ecs":{"version":"8"}}\n');
    expect(item).toMatchObject({ kind: 'doc', id: 'a1', index: 'citysoc-events', input: { raw: { kind: 'record' }, hint: { id: 'a1' } } });
  });

  it('reports malformed action and document lines, unsupported actions and a missing document, by line', () => {
    const items = parse('nope\n{"index":{}}\n{bad json\n{"update":{"_id":"1"}}\n{"doc":{}}\n{"delete":{"_id":"2"}}\n{"create":{}}\n');
    expect(items.map((i) => (i.kind === 'error' ? [i.action, i.type, i.reason] : i.kind))).toEqual([
      ['index', 'illegal_argument_exception', 'line 1: the action line is not valid JSON: Unexpected token \'o\', "nope" is not valid JSON'],
      ['index', 'mapper_parsing_exception', expect.stringMatching(/^line 3: failed to parse the document: /)],
      ['update', 'illegal_argument_exception', 'line 4: update is not supported: stored events are immutable evidence'],
      ['delete', 'illegal_argument_exception', 'line 6: delete is not supported: stored events are immutable evidence'],
      ['create', 'action_request_validation_exception', 'line 7: the create action has no document line after it'],
    ]);
  });

  it('an index named after a source names the source', () => {
    const [item] = parse(
      '{"index":{}}\n{"message":"allowed=true ugi=a (auth:SIMPLE) ip=/1.1.1.1 cmd=open src=/x dst=null perm=null proto=rpc"}\n',
      'citysoc-hdfs-audit',
    );
    expect(item).toMatchObject({ input: { hint: { source: 'hdfs-audit' } } });
    const [other] = parse('{"index":{}}\n{"message":"x"}\n', 'citysoc-events');
    expect(other).toMatchObject({ input: { raw: { kind: 'record' }, hint: { source: undefined } } });
  });
});

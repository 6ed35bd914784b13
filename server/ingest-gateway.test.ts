import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SpoolBus } from '../adapters/embedded/spool-bus';
import { type IngestPlatform, startIngestPlatform } from './test-support/ingest-platform';

const SSH_FAIL = 'Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2';
const SSH_OK = 'Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2';
const HDFS_AUDIT = 'allowed=true ugi=alice (auth:KERBEROS) ip=/10.1.2.3 cmd=open src=/data/police/cases dst=null perm=null proto=rpc';

describe('the Fluent Bit endpoint', () => {
  let g: IngestPlatform;
  beforeAll(async () => {
    g = await startIngestPlatform();
  });
  afterAll(async () => g.stop());

  it('takes `format json` (an array of records with date), parses each line by the tagged source and keeps the original', async () => {
    const body = JSON.stringify([
      { date: 1765349748.25, log: SSH_FAIL, file_path: '/var/log/auth.log', file_offset: 100 },
      { date: 1765359140.0, log: SSH_OK, file_path: '/var/log/auth.log', file_offset: 220 },
    ]);
    const res = await g.post('/ingest/v1/fluent-bit/citysoc.openssh.chengguan.web-01', body, { 'content-type': 'application/json' });
    expect(res).toMatchObject({ status: 200, json: { accepted: 2, deadLettered: 0, errors: [] } });
    const found = await g.search('citysoc.source:openssh');
    expect(found.total).toBe(2);
    const failed = found.events.find((e) => e.event.outcome === 'failure')!;
    expect(failed).toMatchObject({
      message: 'Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2',
      event: { action: 'ssh_login', outcome: 'failure', original: SSH_FAIL, category: ['authentication'] },
      user: { name: 'webmaster' },
      source: { ip: '173.234.31.186', port: 38926 },
      host: { name: 'LabSZ' },
      organization: { name: 'chengguan' },
      log: { file: { path: '/var/log/auth.log' }, offset: 100 },
      citysoc: { source: 'openssh', collector: 'token:fluent-bit-01' },
    });
    expect(failed.event.id).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof failed.event.ingested).toBe('string');
  });

  it('takes `json_lines` with the tag in the header, detects the source when the tag says auto, and dead-letters a bad line', async () => {
    const body = [
      JSON.stringify({ date: '2026-11-20T08:00:00Z', log: HDFS_AUDIT }),
      '{"date": 1, "log": ',
      JSON.stringify({ date: 1765349748, log: 'nothing any source knows' }),
    ].join('\n');
    const res = await g.post('/ingest/v1/fluent-bit', body, { 'x-citysoc-tag': 'citysoc.auto.dsj.nn-01' });
    expect(res.status).toBe(200);
    expect(res.json.accepted).toBe(1);
    expect(res.json.deadLettered).toBe(2);
    expect(res.json.errors).toEqual([
      { record: 2, source: 'unknown', reason: expect.stringMatching(/^line 2 is not valid JSON \(format json_lines\): /) },
      { record: 3, source: 'unknown', reason: 'no log source recognised this input (give the source type in the tag or --source)' },
    ]);
    const audit = await g.search('citysoc.source:hdfs-audit');
    expect(audit.events[0]).toMatchObject({
      '@timestamp': '2026-11-20T08:00:00.000Z',
      user: { name: 'alice' },
      host: { name: 'nn-01' },
      organization: { name: 'dsj' },
      citysoc: { data: { action: 'read', resource: '/data/police/cases' } },
    });
    const letters = await g.search('citysoc.dead_letter:true');
    expect(letters.events.map((e) => [e.event.original, (e as { error?: { message: string } }).error!.message]).sort()).toEqual([
      ['nothing any source knows', 'no log source recognised this input (give the source type in the tag or --source)'],
      ['{"date": 1, "log": ', expect.stringMatching(/^line 2 is not valid JSON/)],
    ]);
  });

  it('a retried payload is stored once', async () => {
    const body = JSON.stringify([{ date: 1765349748, log: SSH_FAIL.replace('38926', '40000'), file_path: '/var/log/secure', file_offset: 7 }]);
    for (let i = 0; i < 3; i++) expect((await g.post('/ingest/v1/fluent-bit/citysoc.openssh', body)).status).toBe(200);
    expect((await g.search('source.port:40000')).total).toBe(1);
  });

  it('two identical lines at different file offsets are two events', async () => {
    const line = SSH_FAIL.replace('38926', '40001');
    const body = JSON.stringify([
      { date: 1, log: line, file_path: '/var/log/secure', file_offset: 10 },
      { date: 1, log: line, file_path: '/var/log/secure', file_offset: 20 },
    ]);
    await g.post('/ingest/v1/fluent-bit/citysoc.openssh', body);
    expect((await g.search('source.port:40001')).total).toBe(2);
  });

  it('journald entries from the systemd input become syslog events at the journal clock', async () => {
    const entry = {
      date: 1765349748,
      MESSAGE: 'Failed password for root from 10.9.8.7 port 2222 ssh2',
      _HOSTNAME: 'app-07',
      SYSLOG_IDENTIFIER: 'sshd',
      _PID: '811',
      _SOURCE_REALTIME_TIMESTAMP: '1765349748123456',
    };
    const res = await g.post('/ingest/v1/fluent-bit/citysoc.auto.zwy', JSON.stringify([entry]));
    expect(res.json.accepted).toBe(1);
    const [ev] = (await g.search('source.ip:10.9.8.7')).events;
    expect(ev).toMatchObject({
      '@timestamp': '2025-12-10T06:55:48.123Z',
      host: { name: 'app-07' },
      user: { name: 'root' },
      event: { outcome: 'failure' },
      citysoc: { source: 'openssh' },
    });
    expect(JSON.parse(ev!.event.original!)).toMatchObject({ MESSAGE: entry.MESSAGE });
  });

  it('an unknown source in the tag dead-letters with the known names', async () => {
    const res = await g.post('/ingest/v1/fluent-bit/citysoc.nosuch', JSON.stringify([{ date: 1, log: 'x' }]));
    expect(res.json.errors[0].reason).toMatch(/^unknown source type "nosuch"; known: windows-event, .*, json, auto$/);
  });

  it('a malformed %-escape in the tag is taken literally, not a crash', async () => {
    const res = await g.post('/ingest/v1/fluent-bit/citysoc.openssh.%E0%A4%A.h', JSON.stringify([{ date: 1, log: SSH_OK.replace('49116', '50002') }]));
    expect(res).toMatchObject({ status: 200, json: { accepted: 1 } });
    expect((await g.search('source.port:50002')).events[0]).toMatchObject({ organization: { name: '%E0%A4%A' } });
  });

  it('takes a gzip-compressed body', async () => {
    const body = gzipSync(JSON.stringify([{ date: 1, log: SSH_OK.replace('49116', '50001') }]));
    expect((await g.post('/ingest/v1/fluent-bit/citysoc.openssh', body, { 'content-encoding': 'gzip' })).json.accepted).toBe(1);
  });

  it('refuses without a token (401), with a token lacking the collector role (403), over the size limit (413)', async () => {
    const anon = await fetch(`${g.platform.url}/ingest/v1/fluent-bit`, { method: 'POST', body: '[]' });
    expect(anon.status).toBe(401);
    expect((await g.post('/ingest/v1/fluent-bit', '[]', { authorization: `Bearer ${g.analystToken}` })).status).toBe(403);
    const big = await g.post('/ingest/v1/fluent-bit', 'x'.repeat(11 * 1024 * 1024));
    expect(big).toMatchObject({ status: 413, json: { error: 'TOO_LARGE' } });
  });
});

describe('the Elasticsearch-compatible _bulk endpoint', () => {
  let g: IngestPlatform;
  beforeAll(async () => {
    g = await startIngestPlatform();
  });
  afterAll(async () => g.stop());

  const apiKey = () => `ApiKey ${Buffer.from(`fb-id:${g.token}`).toString('base64')}`;

  it('answers the Beats probe on GET / and HEAD / with an ES version and product header', async () => {
    const res = await fetch(`${g.platform.url}/`, { headers: { authorization: apiKey() } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    expect(((await res.json()) as { version: { number: string } }).version.number).toMatch(/^8\./);
    expect((await fetch(`${g.platform.url}/`, { method: 'HEAD' })).status).toBe(200);
    expect(await (await fetch(`${g.platform.url}/_license`)).json()).toEqual({ license: { status: 'active', uid: 'citysoc', type: 'basic', mode: 'basic' } });
  });

  it('answers a Filebeat-style bulk body item by item: good documents stored, malformed lines get errors and dead letters', async () => {
    const beat = (message: string, offset: number) => ({
      '@timestamp': '2026-11-20T10:00:00.000Z',
      message,
      ecs: { version: '8.0.0' },
      agent: { type: 'filebeat', version: '8.17.0' },
      host: { name: 'bastion-01' },
      log: { file: { path: '/var/log/secure' }, offset },
      input: { type: 'filestream' },
    });
    const body = [
      JSON.stringify({ create: { _index: 'filebeat-8.17.0' } }),
      JSON.stringify(beat(SSH_FAIL, 0)),
      JSON.stringify({ create: { _index: 'filebeat-8.17.0' } }),
      '{"message": "truncated',
      '{"create": {"_index": ', // malformed action line
      JSON.stringify({ index: { _index: 'filebeat-8.17.0', _id: 'given-id-1' } }),
      JSON.stringify(beat('an application said something', 300)),
      JSON.stringify({ delete: { _index: 'filebeat-8.17.0', _id: 'x' } }),
      '',
    ].join('\n');
    const res = await g.post('/_bulk', body, { authorization: apiKey(), 'content-type': 'application/x-ndjson' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-elastic-product')).toBe('Elasticsearch');
    expect(res.json.errors).toBe(true);
    const items = res.json.items as Record<string, { status: number; _id: string; result?: string; error?: { type: string; reason: string } }>[];
    expect(items.map((it) => [Object.keys(it)[0], Object.values(it)[0]!.status, Object.values(it)[0]!.error?.type ?? Object.values(it)[0]!.result])).toEqual([
      ['create', 201, 'created'],
      ['create', 400, 'mapper_parsing_exception'],
      ['index', 400, 'illegal_argument_exception'],
      ['index', 201, 'created'],
      ['delete', 400, 'illegal_argument_exception'],
    ]);
    expect(items[1]!.create!.error!.reason).toMatch(/^line 4: failed to parse the document: /);
    expect(items[3]!.index!._id).toBe('given-id-1');
    const ssh = await g.search('citysoc.source:openssh');
    expect(ssh.events).toHaveLength(1);
    expect(ssh.events[0]).toMatchObject({
      '@timestamp': expect.stringMatching(/-12-10T06:55:48.000Z$/),
      event: { action: 'ssh_login', outcome: 'failure', original: SSH_FAIL },
      agent: { type: 'filebeat' },
      log: { file: { path: '/var/log/secure' } },
      host: { name: 'LabSZ' },
    });
    expect(await g.platform.ports.events.get('given-id-1')).toMatchObject({ message: 'an application said something', citysoc: { source: 'ecs' } });
    const letters = await g.search('citysoc.dead_letter:true');
    expect(letters.events.map((e) => e.event.original).sort()).toEqual(
      ['{"create": {"_index": ', '{"message": "truncated', JSON.stringify({ delete: { _index: 'filebeat-8.17.0', _id: 'x' } })].sort(),
    );
  });

  it('accepts Basic auth with the token as password and /<index>/_bulk naming the source', async () => {
    const basic = `Basic ${Buffer.from(`fluent-bit:${g.token}`).toString('base64')}`;
    const body = `{"index":{}}\n${JSON.stringify({ '@timestamp': '2026-11-20T10:00:00Z', message: HDFS_AUDIT.replace('alice', 'bob') })}\n`;
    const res = await g.post('/citysoc-hdfs-audit/_bulk', body, { authorization: basic });
    expect(res.json).toMatchObject({ errors: false, items: [{ index: { _index: 'citysoc-hdfs-audit', status: 201 } }] });
    expect((await g.search('user.name:bob')).events[0]).toMatchObject({ citysoc: { source: 'hdfs-audit' }, event: { action: 'open' } });
  });

  it('refuses a wrong key with an ES-shaped 401', async () => {
    const res = await g.post('/_bulk', '{"index":{}}\n{}\n', { authorization: `ApiKey ${Buffer.from('id:wrong').toString('base64')}` });
    expect(res.status).toBe(401);
    expect(res.json.error.type).toBe('security_exception');
  });
});

describe('backpressure', () => {
  let g: IngestPlatform;
  beforeAll(async () => {
    g = await startIngestPlatform({ 'ingest.spoolMaxBytes': 1024 * 1024 });
  });
  afterAll(async () => g.stop());

  it('answers 429 with Retry-After while the spool holds more than its limit, and accepts again once it drains', async () => {
    // A consumer group that cannot keep up: the spool keeps every message until all groups have
    // committed it, so its backlog is what the gateway must push back on.
    let stalled = true;
    const sub = await g.platform.ports.bus.subscribe('citysoc.events', 'a-stalled-consumer', async () => {
      if (stalled) throw new Error('not yet');
    });
    const bus = g.platform.ports.bus as SpoolBus;
    const records = Array.from({ length: 3000 }, (_, i) => ({ date: 1, log: `${SSH_FAIL} #${i} ${'x'.repeat(300)}` }));
    expect((await g.post('/ingest/v1/fluent-bit/citysoc.openssh', JSON.stringify(records))).status).toBe(200);
    bus.compact();
    expect(bus.spoolBytes()).toBeGreaterThan(1024 * 1024);
    const res = await g.post('/ingest/v1/fluent-bit/citysoc.openssh', '[]');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('5');
    const bulk = await g.post('/_bulk', '{"index":{}}\n{}\n');
    expect(bulk.status).toBe(429);
    expect(bulk.json.error.type).toBe('es_rejected_execution_exception');
    // the consumer catches up, compaction frees the spool, the gateway accepts again
    stalled = false;
    for (let i = 0; i < 200 && bus.spoolBytes() > 1024 * 1024; i++) {
      await new Promise((r) => setTimeout(r, 100));
      bus.compact();
    }
    expect((await g.post('/ingest/v1/fluent-bit/citysoc.openssh', '[]')).status).toBe(200);
    await sub.stop();
  }, 30_000);
});

describe('metrics', () => {
  let g: IngestPlatform;
  beforeAll(async () => {
    g = await startIngestPlatform();
  });
  afterAll(async () => g.stop());

  it('serves /metrics in Prometheus format: in/out per source, failures, dead letters, spool bytes, indexer lag', async () => {
    const records = Array.from({ length: 3000 }, (_, i) => ({ date: 1, log: `${SSH_FAIL} #${i}` }));
    expect((await g.post('/ingest/v1/fluent-bit/citysoc.openssh', JSON.stringify(records))).status).toBe(200);
    expect((await fetch(`${g.platform.url}/ingest/v1/fluent-bit`, { method: 'POST', body: '[]' })).status).toBe(401);
    await g.post('/ingest/v1/fluent-bit/citysoc.auto', JSON.stringify([{ date: 1, log: 'gibberish' }]));
    await g.drained();
    // finding 11 of the security review: metrics only for a caller with metrics:read
    expect((await fetch(`${g.platform.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${g.platform.url}/metrics`, { headers: { authorization: `Bearer ${g.token}` } })).status).toBe(403);
    const monitor = (await g.platform.identity.issueApiToken('prometheus', ['monitor'], 'test')).token;
    const res = await fetch(`${g.platform.url}/metrics`, { headers: { authorization: `Bearer ${monitor}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const text = await res.text();
    expect(text).toContain('citysoc_ingest_events_in_total{source="openssh"} 3000');
    expect(text).toContain('citysoc_ingest_events_out_total{source="openssh"} 3000');
    expect(text).toContain('citysoc_ingest_parse_failures_total{source="unknown"} 1');
    expect(text).toContain('citysoc_ingest_dead_letters_total{source="unknown"} 1');
    expect(text).toContain('citysoc_store_events_written_total 3001');
    expect(text).toContain('citysoc_bus_lag_messages{topic="citysoc.events",group="indexer"} 0');
    expect(text).toMatch(/citysoc_spool_bytes \d+/);
    expect(text).toContain('citysoc_ingest_requests_rejected_total{reason="unauthenticated"} 1');
  });
});

describe('enrichment and the detection hook on a running platform', () => {
  let g: IngestPlatform;
  const refs = mkdtempSync(path.join(tmpdir(), 'citysoc-refs-'));
  const identities = path.join(refs, 'identities.yaml');
  const datasets = path.join(refs, 'datasets.yaml');
  beforeAll(async () => {
    writeFileSync(identities, 'identities:\n  - user: alice\n    department: 公安局\n    roles: [data-engineer]\n');
    writeFileSync(datasets, 'datasets:\n  - dataset: police-cases\n    resources: [/data/police]\n    classification: 涉密\n    owner_department: 公安局\n');
    g = await startIngestPlatform({ 'ingest.enrichment.identities': identities, 'ingest.enrichment.datasets': datasets });
  });
  afterAll(async () => g.stop());

  it("events carry the user's department and roles and the dataset's classification; a reload takes effect; hooks see every event", async () => {
    const seen: string[] = [];
    const off = g.platform.gateway.pipeline.onEvent((e) => seen.push(`${e.user?.name}:${e.citysoc?.data?.classification}`));
    await g.post('/ingest/v1/fluent-bit/citysoc.hdfs-audit.dsj.nn-01', JSON.stringify([{ date: 1763700000, log: HDFS_AUDIT }]));
    writeFileSync(identities, 'identities:\n  - user: alice\n    department: 公安局\n    roles: [data-engineer]\n    privileged: true\n');
    expect(g.platform.gateway.reloadReferenceData()).toEqual({ ok: true, counts: { assets: 0, identities: 1, datasets: 1 } });
    await g.post('/ingest/v1/fluent-bit/citysoc.hdfs-audit.dsj.nn-01', JSON.stringify([{ date: 1763700001, log: HDFS_AUDIT.replace('cases', 'cases/2026') }]));
    off();
    const found = await g.search('user.name:alice');
    const byResource = Object.fromEntries(found.events.map((e) => [e.citysoc!.data!.resource, e]));
    expect(byResource['/data/police/cases']).toMatchObject({
      user: { roles: ['data-engineer'] },
      organization: { name: 'dsj' },
      citysoc: { identity: { department: '公安局', privileged: false }, data: { dataset: 'police-cases', classification: '涉密', owner_department: '公安局' } },
    });
    expect(byResource['/data/police/cases/2026']).toMatchObject({ citysoc: { identity: { privileged: true } } });
    expect(seen).toEqual(['alice:涉密', 'alice:涉密']);
  });
});

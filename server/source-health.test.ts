/**
 * The sources read model behind the real ingest gateway: what the Fluent Bit, ECS events and
 * _bulk routes acknowledge (stored, dead-lettered, repeats) is exactly what `sources` counts,
 * row by row and in total, and what /metrics counts per source type; past the bound new sources
 * fall into the other row and the totals still add up; only metrics:read may ask.
 */
import { readFileSync } from 'node:fs';
import { sharedPath } from '../core/shared-data';
import { adminSession, type Running, signInAs, startTestPlatform } from './test-support/harness';

jest.setTimeout(120_000);

const SOURCES = '{sources{collector host sourceType department other events deadLetters parseFailures lastSeen lastDeadLetterReason eventsPerSecond}}';

interface Row {
  collector: string | null;
  host: string | null;
  sourceType: string | null;
  department: string | null;
  other: boolean;
  events: number;
  deadLetters: number;
  parseFailures: number;
  lastSeen: string;
  lastDeadLetterReason: string | null;
  eventsPerSecond: number;
}

describe('the sources read model behind the real gateway', () => {
  let r: Running;
  let admin: string;
  let analyst: string;
  let collector: string;
  const acknowledged = { stored: 0, deadLettered: 0 };

  beforeAll(async () => {
    r = await startTestPlatform(undefined, false, { 'sourceHealth.maxSources': 4 });
    admin = await adminSession(r);
    analyst = await signInAs(r, admin, 'fen.xi', 'analyst', '城管');
    collector = (await r.platform.identity.issueApiToken('fb-01', ['collector'], 'test')).token;
  });
  afterAll(async () => r.stop());

  const post = async (pathname: string, body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${r.platform.url}${pathname}`, { method: 'POST', body, headers: { authorization: `Bearer ${collector}`, ...headers } });
    expect(res.status).toBe(200);
    return (await res.json()) as { stored: number; deadLettered: number; repeats: number; items?: unknown[] };
  };
  const count = (a: { stored: number; deadLettered: number }) => {
    acknowledged.stored += a.stored;
    acknowledged.deadLettered += a.deadLettered;
  };
  const sources = async (token = admin) => {
    const q = await r.gql<{ sources: Row[] }>(SOURCES, {}, token);
    if (!q.data) throw new Error(JSON.stringify(q.errors));
    return q.data.sources;
  };
  const total = (rows: Row[]) => ({
    stored: rows.reduce((n, x) => n + x.events, 0),
    deadLettered: rows.reduce((n, x) => n + x.deadLetters, 0),
  });

  it('counts the loghub OpenSSH sample per department and host as the Fluent Bit route acknowledged it, dead letters included', async () => {
    const lines = readFileSync(sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(0, 300);
    const body = (part: string[]) =>
      part.map((log, i) => JSON.stringify({ date: 1_700_000_000 + i, log, file_path: '/var/log/secure', file_offset: i })).join('\n');
    const cg = await post('/ingest/v1/fluent-bit/citysoc.openssh.cg.jump-01', body(lines.slice(0, 200)));
    const ga = await post('/ingest/v1/fluent-bit/citysoc.openssh.ga.jump-02', `${body(lines.slice(200))}\n{"date": 1, "log": `);
    // the same payload again: repeats, stored nothing new
    const again = await post('/ingest/v1/fluent-bit/citysoc.openssh.cg.jump-01', body(lines.slice(0, 200)));
    expect(again).toMatchObject({ stored: 0, deadLettered: 0, repeats: 200 });
    for (const a of [cg, ga, again]) count(a);
    const rows = await sources();
    // loghub's lines name their host (LabSZ): the tag's host is kept only on the line no parser read;
    // departments are as the collectors tag them (codes)
    const keyed = rows.map((x) => [x.collector, x.sourceType, x.host, x.department, x.events, x.deadLetters]);
    expect(keyed.sort((a, b) => String(a.slice(0, 4)).localeCompare(String(b.slice(0, 4))))).toEqual([
      ['token:fb-01', 'openssh', 'jump-02', 'ga', 0, 1],
      ['token:fb-01', 'openssh', 'LabSZ', 'cg', cg.stored, 0],
      ['token:fb-01', 'openssh', 'LabSZ', 'ga', ga.stored, 0],
    ]);
    expect([cg.stored, ga.stored, ga.deadLettered]).toEqual([200, 100, 1]);
    expect(rows.find((x) => x.host === 'jump-02')).toMatchObject({
      events: 0,
      deadLetters: 1,
      parseFailures: 1,
      lastDeadLetterReason: expect.stringMatching(/^line 101 is not valid JSON/),
    });
    expect(total(rows)).toEqual(acknowledged);
    expect(rows.find((x) => x.department === 'cg')!.eventsPerSecond).toBeCloseTo(cg.stored / 60, 3);
  });

  it('past four sources the ECS events and _bulk routes fall into the other row, and every count still adds up with the answers and /metrics', async () => {
    const ecs = (host: string, i: number) => JSON.stringify({ '@timestamp': '2026-12-07T08:00:00Z', message: `m${i}`, host: { name: host } });
    count(await post('/ingest/v1/events', [ecs('app-01', 1), ecs('app-02', 2), 'not json', ecs('app-03', 3)].join('\n')));
    const bulk = [JSON.stringify({ create: {} }), ecs('bulk-01', 4), JSON.stringify({ create: {} }), '{"message": "truncated', ''].join('\n');
    const res = await fetch(`${r.platform.url}/_bulk`, {
      method: 'POST',
      body: bulk,
      headers: { authorization: `Bearer ${collector}`, 'content-type': 'application/x-ndjson' },
    });
    const items = ((await res.json()) as { items: Record<string, { status: number }>[] }).items.map((it) => Object.values(it)[0]!.status);
    expect(items).toEqual([201, 400]);
    count({ stored: 1, deadLettered: 1 });

    const rows = await sources();
    expect(rows.filter((x) => !x.other)).toHaveLength(4);
    const other = rows[rows.length - 1]!;
    expect(other).toMatchObject({ other: true, collector: null, host: null, sourceType: null, department: null });
    expect(total(rows)).toEqual(acknowledged);

    const metrics = (await r.platform.gateway.metrics.text()).body;
    const sum = (name: string) => [...metrics.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
    expect({ stored: sum('citysoc_ingest_events_out_total'), deadLettered: sum('citysoc_ingest_dead_letters_total') }).toEqual(acknowledged);
  });

  it('only callers with metrics:read may ask; the refusal says which permission', async () => {
    const q = await r.gql(SOURCES, {}, analyst);
    expect(q.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^sources\.list needs the permission metrics:read/),
      extensions: { code: 'FORBIDDEN' },
    });
    expect((await r.gql(SOURCES, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

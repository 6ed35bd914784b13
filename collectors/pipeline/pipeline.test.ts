import { Enricher } from '../enrich/enricher';
import { Pipeline } from './pipeline';
import type { EcsEvent } from '../../core/event';

const AT = new Date('2026-11-20T08:00:00Z');
const SSH = 'Nov 20 07:59:58 bastion-01 sshd[811]: Failed password for root from 10.1.1.9 port 5022 ssh2';

describe('the ingest pipeline', () => {
  it('detects the source, keeps the original and stamps id, ingest time, source and collector', () => {
    const r = new Pipeline({ timeZone: 'UTC' }).process({ kind: 'line', line: SSH }, { collector: 'fb-01', receivedAt: AT });
    expect(r).toMatchObject({
      ok: true,
      source: 'openssh',
      event: {
        '@timestamp': '2026-11-20T07:59:58.000Z',
        event: { original: SSH, ingested: '2026-11-20T08:00:00.000Z', action: 'ssh_login', outcome: 'failure' },
        citysoc: { source: 'openssh', collector: 'fb-01' },
      },
    });
  });

  it('derives the same id for the same input from the same collector, and different ids otherwise', () => {
    const p = new Pipeline({ timeZone: 'UTC' });
    const id = (collector: string, position?: string) => p.process({ kind: 'line', line: SSH }, { collector, position, receivedAt: AT }).event.event.id;
    expect(id('fb-01')).toBe(id('fb-01'));
    expect(id('fb-01')).not.toBe(id('fb-02'));
    expect(id('fb-01', '/var/log/secure:10')).not.toBe(id('fb-01', '/var/log/secure:20'));
  });

  it('turns unparseable input into a dead letter with the original, the parser error and the source', () => {
    const r = new Pipeline({ timeZone: 'UTC' }).process(
      { kind: 'line', line: 'allowed=maybe' },
      { collector: 'fb-01', source: 'hdfs-audit', receivedAt: AT, host: 'nn-01' },
    );
    expect(r).toEqual({
      ok: false,
      source: 'hdfs-audit',
      error: 'not an HDFS audit line: allowed=, ugi= and cmd= are required',
      event: {
        '@timestamp': '2026-11-20T08:00:00.000Z',
        message: 'allowed=maybe',
        event: { id: expect.stringMatching(/^dl-[0-9a-f]{32}$/), kind: 'pipeline_error', original: 'allowed=maybe', ingested: '2026-11-20T08:00:00.000Z' },
        error: { message: 'not an HDFS audit line: allowed=, ugi= and cmd= are required', type: 'parse_error' },
        citysoc: { dead_letter: true, source: 'hdfs-audit', collector: 'fb-01' },
        host: { name: 'nn-01' },
      },
    });
  });

  it('keeps an input whose given id is over 128 characters as a dead letter that says so', () => {
    const p = new Pipeline({ timeZone: 'UTC' });
    const long = p.process({ kind: 'line', line: SSH }, { collector: 'fb-01', receivedAt: AT, id: 'x'.repeat(129) });
    expect(long).toMatchObject({
      ok: false,
      source: 'openssh',
      error: 'event.id: the id given has 129 characters; at most 128 (the search engines refuse longer document ids)',
      event: { event: { id: expect.stringMatching(/^dl-[0-9a-f]{32}$/), original: SSH }, citysoc: { dead_letter: true } },
    });
    expect(p.process({ kind: 'line', line: SSH }, { collector: 'fb-01', receivedAt: AT, id: 'x'.repeat(128) })).toMatchObject({
      ok: true,
      event: { event: { id: 'x'.repeat(128) } },
    });
  });

  it("a Dec line received in January is last year's", () => {
    const r = new Pipeline({ timeZone: 'UTC' }).process(
      { kind: 'line', line: SSH.replace('Nov 20', 'Dec 31') },
      { collector: 'c', receivedAt: new Date('2027-01-01T00:00:05Z') },
    );
    expect(r.event['@timestamp']).toBe('2026-12-31T07:59:58.000Z');
  });

  it('reads times without a zone in the configured zone, with the offset that zone had then', () => {
    const r = new Pipeline({ timeZone: '+08:00' }).process({ kind: 'line', line: SSH }, { collector: 'c', receivedAt: AT });
    expect(r.event['@timestamp']).toBe('2026-11-20T07:59:58.000+08:00');
    const berlin = new Pipeline({ timeZone: 'Europe/Berlin' });
    const at = (line: string) => berlin.process({ kind: 'line', line }, { collector: 'c', receivedAt: AT }).event['@timestamp'];
    expect(at(SSH)).toBe('2026-11-20T07:59:58.000+01:00');
    expect(at(SSH.replace('Nov 20', 'Jul 20'))).toBe('2026-07-20T07:59:58.000+02:00');
  });

  it('without a configured zone, reads them in the host zone', () => {
    const r = new Pipeline().process({ kind: 'line', line: SSH }, { collector: 'c', receivedAt: AT });
    expect(Date.parse(r.event['@timestamp'] as string)).toBe(
      Date.UTC(2026, 10, 20, 7, 59, 58) - new Date(Date.UTC(2026, 10, 20, 7, 59, 58)).getTimezoneOffset() * -60_000,
    );
  });

  it("the tag's host and department fill what the line does not say", () => {
    const line = 'allowed=true ugi=alice (auth:KERBEROS) ip=/10.1.2.3 cmd=open src=/data/x dst=null perm=null proto=rpc';
    const r = new Pipeline({ timeZone: 'UTC' }).process({ kind: 'line', line }, { collector: 'c', host: 'nn-01', department: '大数据局', receivedAt: AT });
    expect(r.event).toMatchObject({ '@timestamp': '2026-11-20T08:00:00.000Z', host: { name: 'nn-01' }, organization: { name: '大数据局' } });
  });

  it('calls the detection hooks with every normalized event, and a failing hook loses nothing', () => {
    const errors: unknown[] = [];
    const p = new Pipeline({ timeZone: 'UTC', onHookError: (e) => errors.push(e) });
    const seen: EcsEvent[] = [];
    p.onEvent(() => {
      throw new Error('rule bug');
    });
    const off = p.onEvent((e) => seen.push(e));
    expect(p.process({ kind: 'line', line: SSH }, { collector: 'c', receivedAt: AT }).ok).toBe(true);
    p.process({ kind: 'line', line: 'garbage' }, { collector: 'c', receivedAt: AT });
    off();
    p.process({ kind: 'line', line: SSH }, { collector: 'c', receivedAt: AT });
    expect(seen.map((e) => e.event.action)).toEqual(['ssh_login']);
    expect(errors).toHaveLength(2);
  });

  it('enriches with the current reference data', () => {
    let enricher = new Enricher({ assets: [], identities: [], datasets: [] });
    const p = new Pipeline({ timeZone: 'UTC', enricher: () => enricher });
    expect(p.process({ kind: 'line', line: SSH }, { collector: 'c', receivedAt: AT }).event.user).toEqual({ name: 'root' });
    enricher = new Enricher({
      assets: [],
      identities: [{ user: 'root', aliases: [], roles: ['sysadmin'], privileged: true, department: '大数据局' }],
      datasets: [],
    });
    expect(p.process({ kind: 'line', line: SSH }, { collector: 'c', receivedAt: AT }).event).toMatchObject({
      user: { name: 'root', roles: ['sysadmin'] },
      citysoc: { identity: { privileged: true, department: '大数据局' } },
    });
  });

  it('counts inputs and failures per source for the metrics', () => {
    const counts: string[] = [];
    const p = new Pipeline({
      timeZone: 'UTC',
      observer: { received: (s) => counts.push(`in:${s}`), normalized: (s) => counts.push(`ok:${s}`), parseFailed: (s) => counts.push(`fail:${s}`) },
    });
    p.process({ kind: 'line', line: SSH }, { collector: 'c' });
    p.process({ kind: 'line', line: '???' }, { collector: 'c' });
    expect(counts).toEqual(['in:openssh', 'ok:openssh', 'in:unknown', 'fail:unknown']);
  });
});

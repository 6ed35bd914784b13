import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '../adapters/sqlite/event-store';
import { EXIT, main } from './cli';
import { bruteForceIps } from './test-support/ssh-guessing';
import { sharedPath } from '../core/shared-data';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  process.exitCode = undefined;
  const code = await main(['node', 'citysoc', ...args], { out: (s) => void (out += s), err: (s) => void (err += s) });
  process.exitCode = undefined;
  return { code, out, err };
}

describe('the citysoc command line', () => {
  it('a verb whose capability has not landed says so and exits non-zero', async () => {
    const r = await run('up', '--demo', '--data-dir', mkdtempSync(path.join(tmpdir(), 'cs-cli-')));
    expect(r.code).toBe(EXIT.notImplemented);
    expect(r.err).toBe('citysoc: demonstration data (--demo) is not available in this build yet\n');
  });

  it('a bad option value exits 2 with the key, value and expectation', async () => {
    const r = await run('up', '--port', '99999', '--data-dir', mkdtempSync(path.join(tmpdir(), 'cs-cli-')));
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('server.port = "99999" (from command line): expected a whole number 0..65535');
  });

  it('an unknown verb is a usage error', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/unknown command 'frobnicate'/);
  });

  const OPENSSH = sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log');

  it('parse writes ECS JSON lines to stdout and each failing line with its number to stderr, exit 1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cs-parse-'));
    const file = path.join(dir, 'mixed.log');
    writeFileSync(
      file,
      [
        'Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for root from 1.2.3.4 port 22 ssh2',
        'not a log line',
        '',
        'Dec 10 06:55:49 LabSZ sshd[24201]: Invalid user bob from 1.2.3.5',
      ].join('\n'),
    );
    const r = await run('parse', '--source', 'auto', file, '--data-dir', dir);
    expect(r.code).toBe(EXIT.failure);
    expect(r.err).toBe(`${file}:2: no log source recognised this input (give the source type in the tag or --source)\n`);
    const events = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: { action: string; original: string }; citysoc: { source: string } });
    expect(events.map((e) => [e.event.action, e.citysoc.source])).toEqual([
      ['ssh_login', 'openssh'],
      ['invalid_user', 'openssh'],
    ]);
    expect(events[1]!.event.original).toBe('Dec 10 06:55:49 LabSZ sshd[24201]: Invalid user bob from 1.2.3.5');
  });

  it("parse with a named source reports lines of another format as that source's errors", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cs-parse-'));
    const file = path.join(dir, 'x.log');
    writeFileSync(file, 'Dec 10 06:55:48 LabSZ CRON[1]: (root) CMD (true)\n');
    const r = await run('parse', '--source', 'openssh', file, '--data-dir', dir);
    expect(r).toEqual({ code: EXIT.failure, out: '', err: `${file}:1: not an sshd line: program is "CRON"\n` });
  });

  it('an unknown source type is a usage error listing the known ones', async () => {
    const r = await run('parse', '--source', 'iis', OPENSSH);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/^citysoc: unknown source type "iis"; known: windows-event, .*, openssh, .*, auto\n$/);
  });

  it('parse of a missing file is a usage error naming it', async () => {
    const r = await run('parse', '--source', 'auto', '/nonexistent/x.log');
    expect(r).toEqual({ code: EXIT.usage, out: '', err: 'citysoc: cannot read /nonexistent/x.log: ENOENT\n' });
  });

  it('parse of every OpenSSH sample line succeeds with auto-detection', async () => {
    const r = await run('parse', '--source', 'auto', OPENSSH, '--data-dir', mkdtempSync(path.join(tmpdir(), 'cs-parse-')));
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toBe('');
    expect(r.out.trim().split('\n')).toHaveLength(2000);
  });

  it('ingest of OpenSSH_2k stores failed passwords, invalid users, accepted logins and disconnects per source IP exactly as the raw lines count them; a replay stores nothing twice', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cs-ingest-'));
    const first = await run('ingest', OPENSSH, '--data-dir', dir);
    expect(first).toEqual({ code: EXIT.ok, out: 'accepted: 2000\nstored: 2000 (0 already present)\ndead-lettered: 0\n', err: '' });
    const again = await run('ingest', '--source', 'openssh', OPENSSH, '--data-dir', dir);
    expect(again.out).toBe('accepted: 2000\nstored: 2000 (2000 already present)\ndead-lettered: 0\n');

    // Counted from the raw text, independently of the parsers.
    const expected: Record<string, Map<string, number>> = { failed: new Map(), invalid: new Map(), accepted: new Map(), disconnect: new Map() };
    const bump = (kind: string, ip: string) => expected[kind]!.set(ip, (expected[kind]!.get(ip) ?? 0) + 1);
    for (const line of readFileSync(OPENSSH, 'utf8').split(/\r?\n/)) {
      let m: RegExpExecArray | null;
      if ((m = /Failed password for (?:invalid user )?.*? from (\S+) port \d+/.exec(line))) bump('failed', m[1]!);
      else if ((m = /: Invalid user .*? from (\S+)$/.exec(line))) bump('invalid', m[1]!);
      else if ((m = /: Accepted \w+ for .*? from (\S+) port/.exec(line))) bump('accepted', m[1]!);
      else if ((m = /: (?:Received disconnect|Disconnected) from (?:(?:invalid |authenticating )?user \S+ )?(\d[\d.]*)/.exec(line))) bump('disconnect', m[1]!);
    }
    const store = new SqliteEventStore(path.join(dir, 'events.db'));
    const queries: Record<string, string> = {
      failed: 'event.action:ssh_login AND event.outcome:failure AND openssh.method:password',
      invalid: 'event.action:invalid_user',
      accepted: 'event.action:ssh_login AND event.outcome:success',
      disconnect: 'event.action:disconnect',
    };
    for (const [kind, query] of Object.entries(queries)) {
      const res = await store.aggregate({ query, aggs: { ip: { type: 'terms', field: 'source.ip', size: 10_000 } } });
      const got = res.aggs.ip!.type === 'terms' ? res.aggs.ip!.buckets.map((b) => [String(b.key), b.count]).sort() : [];
      expect([kind, got]).toEqual([kind, [...expected[kind]!.entries()].sort()]);
    }
    expect(expected.failed!.size).toBeGreaterThan(10);
    expect((await store.search({ size: 1 })).total).toBe(2000);
    await store.close();
  });

  it('detect runs the shipped SSH rules over the real OpenSSH log and prints brute-force alerts as JSON lines', async () => {
    const log = sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log');
    const r = await run('detect', log, '--rules', path.resolve(__dirname, '../rules/ssh'));
    expect(r.code).toBe(0);
    const alerts = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; title: string; group_key?: string });
    const brute = alerts.filter((a) => a.type === 'correlation' && a.title === 'SSH Brute Force From One Address');
    const lines = readFileSync(log, 'utf8').split('\n');
    expect([...new Set(brute.map((a) => a.group_key))].sort()).toEqual(bruteForceIps(lines));
  });

  it('rules validate accepts every shipped rule', async () => {
    const r = await run('rules', 'validate', path.resolve(__dirname, '../rules'));
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').pop()).toMatch(/^(\d+) files: \1 ok, 0 unsupported, 0 error \(100\.00% accepted\)$/);
  });

  it('rules convert prints the Elasticsearch query of a rule', async () => {
    const r = await run('rules', 'convert', '--target', 'es', path.resolve(__dirname, '../rules/ssh/ssh_brute_force.yml'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('"bool"');
  });
});

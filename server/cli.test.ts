import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '../adapters/sqlite/event-store';
import { SqliteAlertStore } from '../adapters/sqlite/alert-store';
import { EXIT } from './cli';
import { runCli } from './test-support/run-cli';
import { startTestPlatform } from './test-support/harness';
import { bruteForceIps } from './test-support/ssh-guessing';
import { sharedPath } from '../core/shared-data';

const run = runCli;

function writeConfig(dir: string, yaml: string): string {
  const f = path.join(dir, 'citysoc.yaml');
  writeFileSync(f, yaml);
  return f;
}

describe('the citysoc command line', () => {
  it('a bad option value exits 2 with the key, value and expectation', async () => {
    const r = await run('up', '--port', '99999', '--data-dir', mkdtempSync(path.join(tmpdir(), 'cs-cli-')));
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('server.port = "99999" (from command line): expected a whole number 0..65535');
  });

  it('--version prints the version; --help of parse lists the source types', async () => {
    const v = await run('--version');
    expect(v.code).toBe(EXIT.ok);
    expect(v.out).toBe(`${(JSON.parse(readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version}\n`);
    const h = await run('parse', '--help');
    expect(h.out).toContain('openssh');
    expect(h.out).toContain('ranger-audit');
  });

  it('admin reset-password gives a new one-time password the user can sign in with, ends the sessions, and is audited (finding 11)', async () => {
    const r = await startTestPlatform(undefined, true);
    const dir = r.dir;
    await r.stop();
    const reset = await run('admin', 'reset-password', 'admin', '--data-dir', dir);
    expect(reset.code).toBe(EXIT.ok);
    const otp = /new one-time password for admin: (\S+)/.exec(reset.out)?.[1];
    expect(otp).toBeDefined();
    const again = await startTestPlatform(dir);
    const login = await again.gql<{ login: { mustChangePassword: boolean } }>('mutation($p:String!){login(username:"admin",password:$p){mustChangePassword}}', {
      p: otp,
    });
    expect(login.data!.login.mustChangePassword).toBe(true);
    const [rec] = await again.platform.ports.audit.query({ action: 'users.reset_password' });
    expect(rec).toMatchObject({ actorType: 'system', resource: 'user:admin', decision: 'allow' });
    expect(rec!.actor).toMatch(/^cli:/);
    await again.stop();
    const unknown = await run('admin', 'reset-password', 'nobody', '--data-dir', mkdtempSync(path.join(tmpdir(), 'cs-cli-')));
    expect(unknown.code).toBe(EXIT.failure);
    expect(unknown.err).toBe('citysoc: no user nobody\n');
  });

  it('a failed start (an unreadable enrichment file) exits non-zero with the reason and spends no one-time password (finding 11)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cs-cli-'));
    const bad = path.join(dir, 'assets.yaml');
    writeFileSync(bad, 'assets: [ {unclosed');
    // a real process, which must exit by itself (nothing left holding the event loop)
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(__dirname, 'test-support/citysoc-main.ts'),
        'up',
        '--data-dir',
        dir,
        '--port',
        '0',
        '--config',
        writeConfig(dir, `ingest:\n  enrichment:\n    assets: ${bad}\n`),
      ],
      {
        cwd: path.resolve(__dirname, '..'),
        env: { ...process.env, CITYSOC_LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => void (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(EXIT.usage);
    expect(out).not.toContain('one-time password');
    expect(err).toContain(bad);
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
    // The platform's default lateness (60 s): the replay's last minute comes back within it, and the
    // correlation windows, which remember the event ids they counted, must not count it again.
    const first = await run('ingest', OPENSSH, '--data-dir', dir);
    expect(first.code).toBe(EXIT.ok);
    expect(first.err).toBe('');
    expect(first.out).toMatch(
      /^read: 2000\naccepted: 2000\ndead-lettered: 0\nstored: 2000 \(0 already present; dead letters are kept searchable\)\nUEBA: 2000 events processed, \d+ anomalies scored, \d+ risk signals\nalerts raised or updated: \d+ \(\d+ new\)\n/,
    );
    // the replay raises the brute-force alerts, one per guessing address, as live ingest does
    const bruteLines = first.out.split('\n').filter((l) => l.includes('SSH Brute Force From One Address'));
    const ips = [...new Set(bruteLines.map((l) => /ip=(\S+)/.exec(l)?.[1]))].sort();
    expect(ips).toEqual(bruteForceIps(readFileSync(OPENSSH, 'utf8').split('\n')));
    const again = await run('ingest', '--source', 'openssh', OPENSSH, '--data-dir', dir);
    // already stored: not published again, so UEBA's open hours and the windows see nothing twice
    expect(again.out).toMatch(
      /^read: 2000\naccepted: 2000\ndead-lettered: 0\nstored: 2000 \(2000 already present; dead letters are kept searchable\)\nUEBA: 0 events processed, 0 anomalies scored, 0 risk signals\nalerts raised or updated: 0 \(0 new\)\n$/,
    );
    // nothing counted twice: the alerts keep their counts
    const alerts = new SqliteAlertStore(path.join(dir, 'alerts.db'));
    const list = await alerts.list({ size: 1000 });
    expect(list.alerts.filter((a) => a.rule.name === 'SSH Brute Force From One Address').reduce((n, a) => n + a.count, 0)).toBe(
      bruteLines.reduce((n, l) => n + Number(/×(\d+)/.exec(l)![1]), 0),
    );
    await alerts.close();
    const quiet = await run('ingest', '--no-detect', OPENSSH, '--data-dir', mkdtempSync(path.join(tmpdir(), 'cs-ingest-')));
    expect(quiet.out).toBe('read: 2000\naccepted: 2000\ndead-lettered: 0\nstored: 2000 (0 already present; dead letters are kept searchable)\n');

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
    // the documented order: --rules first, then the files
    const r = await run('detect', '--rules', path.resolve(__dirname, '../rules/ssh'), log);
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

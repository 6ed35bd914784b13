import { SHAPED_EVENTS } from '../../analytics/sigma/test-support/windows-shapes';
import { normalizeWindowsEvent, windowsEvent } from './windows-event';
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

  const shaped = (name: string) => SHAPED_EVENTS.find((e) => e.name.startsWith(name))!.shapes;

  test('evtx_dump records (#attributes) parse with the event time, provider, record id and process id', () => {
    const out = parse(shaped('System 7045').evtx_dump as object);
    expect(out.ok && out.event).toMatchObject({
      '@timestamp': '2026-03-02T03:04:05.000Z',
      event: { code: '7045', provider: 'Service Control Manager', dataset: 'windows.system' },
      host: { name: 'app-03.city.gov', os: { type: 'windows' } },
      winlog: { record_id: '5512', provider_name: 'Service Control Manager', process: { pid: 704 }, event_data: { ServiceName: 'PSEXESVC' } },
    });
  });

  test('every converter shape is recognised and reads into the same record', () => {
    for (const e of SHAPED_EVENTS) {
      const reference = normalizeWindowsEvent(e.shapes.evtx_dump as Record<string, unknown>, CTX);
      if (!reference.ok) throw new Error(reference.error);
      for (const [shape, record] of Object.entries(e.shapes)) {
        const input = typeof record === 'string' ? { kind: 'line' as const, line: record } : { kind: 'record' as const, record };
        expect([e.name, shape, windowsEvent.detect(input)]).toEqual([e.name, shape, true]);
        const n = normalizeWindowsEvent(record, CTX);
        if (!n.ok) throw new Error(`${shape}: ${n.error}`);
        const sys = n.record.Event.System;
        const ref = reference.record.Event.System;
        expect([shape, sys.EventID, sys.Channel, sys.Provider, sys.Computer, sys.EventRecordID]).toEqual([
          shape,
          ref.EventID,
          ref.Channel,
          expect.objectContaining({ Name: (ref.Provider as { Name: string }).Name }),
          ref.Computer,
          ref.EventRecordID,
        ]);
        // NXLog writes whole seconds (and Fluent Bit its local time): the same instant, to the second.
        expect(Math.floor(Date.parse(n.record['@timestamp']) / 1000)).toBe(Math.floor(Date.parse(reference.record['@timestamp']) / 1000));
        // Fluent Bit without XML has no field names; the other shapes carry the same data
        // (NXLog and the flat records may leave out empty values).
        if (shape === 'fluentbit') expect(n.record.Event.EventData.param2).toBe('li.admin');
        else if (shape === 'nxlog' || shape === 'flat') expect(reference.record.Event.EventData).toMatchObject(n.record.Event.EventData);
        else expect([shape, n.record.Event.EventData]).toEqual([shape, reference.record.Event.EventData]);
      }
    }
  });

  test('UserData children join EventData, names lose their spaces, unnamed Data is kept as Data and paramN', () => {
    const cleared = normalizeWindowsEvent(shaped('Security 1102').xml as string, CTX);
    expect(cleared.ok && cleared.record.Event.EventData).toEqual({
      SubjectUserSid: 'S-1-5-21-3623811015-3361044348-30300820-1104',
      SubjectUserName: 'li.admin',
      SubjectDomainName: 'CITY',
      SubjectLogonId: '0x4c1a2',
    });
    const defender = normalizeWindowsEvent(shaped('Defender 5007').evtx_dump as Record<string, unknown>, CTX);
    expect(defender.ok && Object.keys(defender.record.Event.EventData)).toEqual(['ProductName', 'ProductVersion', 'OldValue', 'NewValue']);
    const agent = normalizeWindowsEvent(shaped('MSExchange').xml as string, CTX);
    expect(agent.ok && agent.record.Event.EventData).toMatchObject({
      Data: ['Install-TransportAgent', expect.stringContaining('-AssemblyPath'), 'CITY\\mail.admin'],
      param1: 'Install-TransportAgent',
      param3: 'CITY\\mail.admin',
    });
  });

  test('Fluent Bit records with Render_Event_As_XML are read from their XML', () => {
    const out = windowsEvent.parse({ kind: 'record', record: { System: shaped('System 7045').xml as string, Message: 'A service was installed.' } }, CTX);
    expect(out.ok && out.event).toMatchObject({ message: 'A service was installed.', winlog: { event_data: { ImagePath: '%SystemRoot%\\PSEXESVC.exe' } } });
  });

  test('records that are not Windows events are not claimed, and broken XML is an error that says so', () => {
    for (const record of [{ message: 'x' }, { EventID: 4624 }, { winlog: {} }, { System: 'not xml' }])
      expect(windowsEvent.detect({ kind: 'record', record })).toBe(false);
    expect(windowsEvent.parse({ kind: 'line', line: '<Event><System><EventID>1</EventID>' }, CTX)).toEqual({
      ok: false,
      error: expect.stringMatching(/^(invalid event XML|missing or invalid System.TimeCreated)/),
    });
  });

  describe('flat records, read without per-field regexes or intermediate objects', () => {
    const flat = (extra: object) => ({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'ws-1', ...extra });
    const read = (record: object) => {
      const out = normalizeWindowsEvent(record as Record<string, unknown>, CTX);
      if (!out.ok) throw new Error(out.error);
      return out.record;
    };

    test('the System element holds exactly the parts the record has, in the XML order, absent and empty parts left out', () => {
      const r = read(flat({ TimeCreated: '2026-03-01T08:00:00.148Z', Provider_Name: '', Level: null, ProcessID: 4, Image: 'C:\\a.exe' }));
      expect(r['@timestamp']).toBe('2026-03-01T08:00:00.148Z');
      expect(r.Event.System).toEqual({
        EventID: 1,
        TimeCreated: { SystemTime: '2026-03-01T08:00:00.148Z' },
        Execution: { ProcessID: 4 },
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: 'ws-1',
      });
      expect(Object.keys(r.Event.System)).toEqual(['EventID', 'TimeCreated', 'Execution', 'Channel', 'Computer']);
      expect(r.Event.EventData).toEqual({ Image: 'C:\\a.exe' });
    });

    test('scalar values become text as before: numbers and booleans as String() writes them, null dropped', () => {
      const r = read(flat({ TimeCreated: '2026-03-01T08:00:00.000Z', ProcessId: 4012, Initiated: true, Big: 1e21, Gone: null, List: ['a', 7] }));
      expect(r.Event.EventData).toEqual({ ProcessId: '4012', Initiated: 'true', Big: '1e+21', List: ['a', '7'] });
    });

    test('names lose every kind of whitespace, ASCII or not; other punctuation stays', () => {
      const r = read(
        flat({ TimeCreated: '2026-03-01T08:00:00.000Z', 'Threat Name': 'x', 'Tab\tName': 'y', 'Wide\u3000Name': 'z', 'Dash-Name': 'w', Ünïcode: 'v' }),
      );
      expect(Object.keys(r.Event.EventData)).toEqual(['ThreatName', 'TabName', 'WideName', 'Dash-Name', 'Ünïcode']);
    });

    test('EventData names that are Object.prototype members are kept as data, not taken for System parts', () => {
      const r = read(flat({ TimeCreated: '2026-03-01T08:00:00.000Z', toString: 'a', constructor: 'b', hasOwnProperty: 'c' }));
      expect(r.Event.EventData).toEqual({ toString: 'a', constructor: 'b', hasOwnProperty: 'c' });
      expect(r.Event.System.EventID).toBe(1);
    });

    test('times: canonical UTC is kept as it is, other forms are converted, impossible instants are rejected', () => {
      const time = (t: string) => {
        const out = normalizeWindowsEvent(flat({ TimeCreated: t }), CTX);
        return out.ok ? out.record['@timestamp'] : out.error;
      };
      expect(time('2024-02-29T23:59:59.999Z')).toBe('2024-02-29T23:59:59.999Z');
      expect(time('2024-03-01T02:03:04.5678901Z')).toBe('2024-03-01T02:03:04.567Z');
      expect(time('2024-03-01 10:03:04.567 +08:00')).toBe('2024-03-01T10:03:04.567+08:00');
      expect(time('2024-03-01T02:03:60.000Z')).toBe('2024-03-01T02:03:60.000Z');
      expect(time('2023-02-29T00:00:00.000Z')).toMatch(/^missing or invalid System.TimeCreated/);
      expect(time('2024-03-01T24:00:00.000Z')).toMatch(/^missing or invalid System.TimeCreated/);
      // Year 0 is a leap year to Date.parse but not to the calendar isoFromAny checks days with.
      expect(time('0000-02-29T00:00:00.000Z')).toMatch(/^missing or invalid System.TimeCreated/);
      expect(time('0999-03-01T00:00:00.000Z')).toBe('0999-03-01T00:00:00.000Z');
    });
  });
});

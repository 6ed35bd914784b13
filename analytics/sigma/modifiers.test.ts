import { SigmaParseError } from './errors';
import { matcher, ruleFrom } from './test-support/rules';

const sel = (item: string): string => `    sel:\n        ${item}\n    condition: sel\n`;

describe('value modifiers match the events the spec says they match', () => {
  test('no modifier: whole-value equality, case-insensitive', () => {
    const m = matcher(sel("Image: 'C:\\Windows\\System32\\whoami.exe'"));
    expect(m({ Image: 'c:\\windows\\system32\\WHOAMI.EXE' })).toBe(true);
    expect(m({ Image: 'C:\\Windows\\System32\\whoami.exe.bak' })).toBe(false);
  });

  test('contains matches anywhere in the value', () => {
    const m = matcher(sel("CommandLine|contains: 'urlcache'"));
    expect(m({ CommandLine: 'certutil -URLCache -f http://x' })).toBe(true);
    expect(m({ CommandLine: 'certutil -decode a b' })).toBe(false);
  });

  test('startswith anchors at the beginning only', () => {
    const m = matcher(sel("User|startswith: 'adm_'"));
    expect(m({ User: 'ADM_alice' })).toBe(true);
    expect(m({ User: 'x_adm_alice' })).toBe(false);
  });

  test('endswith anchors at the end only', () => {
    const m = matcher(sel("Image|endswith: '\\cmd.exe'"));
    expect(m({ Image: 'C:\\Windows\\cmd.exe' })).toBe(true);
    expect(m({ Image: 'C:\\Windows\\cmd.exe.txt' })).toBe(false);
  });

  test('a list of values is OR; all turns it into AND', () => {
    const any = matcher(sel("CommandLine|contains: ['user', 'add']"));
    const all = matcher(sel("CommandLine|contains|all: ['user', 'add']"));
    expect(any({ CommandLine: 'net user' })).toBe(true);
    expect(all({ CommandLine: 'net user' })).toBe(false);
    expect(all({ CommandLine: 'net user bob /add' })).toBe(true);
  });

  test('cased makes the comparison case-sensitive', () => {
    const m = matcher(sel("CommandLine|cased|contains: 'IEX'"));
    expect(m({ CommandLine: 'powershell IEX(x)' })).toBe(true);
    expect(m({ CommandLine: 'powershell iex(x)' })).toBe(false);
  });

  test('wildcards * and ? inside plain values; escaped ones are literal', () => {
    const m = matcher(sel("Image: 'C:\\Tools\\prog?.exe'"));
    expect(m({ Image: 'C:\\Tools\\progA.exe' })).toBe(true);
    expect(m({ Image: 'C:\\Tools\\progAB.exe' })).toBe(false);
    const lit = matcher(sel("CommandLine: 'what\\?'"));
    expect(lit({ CommandLine: 'what?' })).toBe(true);
    expect(lit({ CommandLine: 'whatX' })).toBe(false);
  });

  test('base64 matches the encoded value', () => {
    const m = matcher(sel("CommandLine|base64: 'http://'"));
    expect(m({ CommandLine: 'aHR0cDovLw==' })).toBe(true);
    expect(m({ CommandLine: 'http://' })).toBe(false);
    // Base64 is case-significant: the same letters in another case are other bytes.
    expect(m({ CommandLine: 'AHR0CDOVLW==' })).toBe(false);
  });

  test('base64offset|contains finds the value at any byte offset of a base64 blob', () => {
    const m = matcher(sel("CommandLine|base64offset|contains: 'Invoke-Mimikatz'"));
    for (const prefix of ['', 'a', 'ab']) {
      const blob = Buffer.from(`${prefix}Invoke-Mimikatz -DumpCreds`).toString('base64');
      expect(m({ CommandLine: `powershell -enc ${blob}` })).toBe(true);
    }
    expect(m({ CommandLine: Buffer.from('Invoke-Expression').toString('base64') })).toBe(false);
    const blob = Buffer.from('Invoke-Mimikatz').toString('base64');
    expect(m({ CommandLine: blob.toLowerCase() })).toBe(false);
    expect(m({ CommandLine: blob.toUpperCase() })).toBe(false);
  });

  test('wide|base64offset|contains finds UTF-16LE text inside base64 (PowerShell -enc)', () => {
    const m = matcher(sel("CommandLine|wide|base64offset|contains: 'IEX'"));
    const blob = Buffer.from('$x=1; IEX (New-Object Net.WebClient)', 'utf16le').toString('base64');
    expect(m({ CommandLine: `powershell -enc ${blob}` })).toBe(true);
    expect(m({ CommandLine: Buffer.from('IEX', 'utf8').toString('base64') })).toBe(false);
  });

  test('utf16le, utf16be and utf16 (with BOM) then base64', () => {
    expect(matcher(sel("F|utf16le|base64: 'cmd'"))({ F: Buffer.from('cmd', 'utf16le').toString('base64') })).toBe(true);
    expect(matcher(sel("F|utf16be|base64: 'cmd'"))({ F: Buffer.from([0, 0x63, 0, 0x6d, 0, 0x64]).toString('base64') })).toBe(true);
    expect(matcher(sel("F|utf16|base64: 'cmd'"))({ F: Buffer.from([0xff, 0xfe, 0x63, 0, 0x6d, 0, 0x64, 0]).toString('base64') })).toBe(true);
    expect(matcher(sel("F|utf16le|base64: 'cmd'"))({ F: Buffer.from('cmd').toString('base64') })).toBe(false);
  });

  test('windash matches -, /, en dash, em dash and horizontal bar flags', () => {
    const m = matcher(sel("CommandLine|windash|contains: ' -urlcache '"));
    for (const dash of ['-', '/', '\u2013', '\u2014', '\u2015']) expect(m({ CommandLine: `certutil ${dash}urlcache -f` })).toBe(true);
    expect(m({ CommandLine: 'certutil +urlcache -f' })).toBe(false);
  });

  test('re is case-sensitive by default; re|i, re|m, re|s set flags', () => {
    expect(matcher(sel("CommandLine|re: 'Invoke-[A-Z]+'"))({ CommandLine: 'x Invoke-WebRequest' })).toBe(true);
    expect(matcher(sel("CommandLine|re: 'Invoke-[A-Z]+'"))({ CommandLine: 'x invoke-webrequest' })).toBe(false);
    expect(matcher(sel("CommandLine|re|i: 'Invoke-[A-Z]+'"))({ CommandLine: 'x invoke-webrequest' })).toBe(true);
    expect(matcher(sel("F|re|m: '^b$'"))({ F: 'a\nb\nc' })).toBe(true);
    expect(matcher(sel("F|re: '^b$'"))({ F: 'a\nb\nc' })).toBe(false);
    expect(matcher(sel("F|re|s: 'a.b'"))({ F: 'a\nb' })).toBe(true);
    expect(matcher(sel("F|re: 'a.b'"))({ F: 'a\nb' })).toBe(false);
  });

  test('cidr matches IPv4 and IPv6 ranges', () => {
    const v4 = matcher(sel("DestinationIp|cidr: '10.0.0.0/8'"));
    expect(v4({ DestinationIp: '10.20.30.40' })).toBe(true);
    expect(v4({ DestinationIp: '11.0.0.1' })).toBe(false);
    const v6 = matcher(sel("DestinationIp|cidr: 'fe80::/10'"));
    expect(v6({ DestinationIp: 'fe80::1' })).toBe(true);
    expect(v6({ DestinationIp: '2001:db8::1' })).toBe(false);
    expect(v6({ DestinationIp: '10.0.0.1' })).toBe(false);
  });

  test('cidr: prefix boundaries, /0, mapped and embedded IPv4; spaces are not part of an address', () => {
    const v4 = matcher(sel("DestinationIp|cidr: '192.168.1.0/23'"));
    expect(v4({ DestinationIp: '192.168.0.255' })).toBe(true);
    expect(v4({ DestinationIp: '192.168.1.255' })).toBe(true);
    expect(v4({ DestinationIp: '192.168.2.0' })).toBe(false);
    expect(v4({ DestinationIp: ' 192.168.0.1 ' })).toBe(false);
    expect(v4({ DestinationIp: '192.168.0.1\n' })).toBe(false);
    expect(v4({ DestinationIp: '::ffff:192.168.0.1' })).toBe(false);
    expect(v4({ DestinationIp: 'not an ip' })).toBe(false);
    const all = matcher(sel("DestinationIp|cidr: '0.0.0.0/0'"));
    expect(all({ DestinationIp: '255.255.255.255' })).toBe(true);
    expect(all({ DestinationIp: '::1' })).toBe(false);
    const mapped = matcher(sel("DestinationIp|cidr: '::ffff:10.0.0.0/104'"));
    expect(mapped({ DestinationIp: '::ffff:10.1.2.3' })).toBe(true);
    expect(mapped({ DestinationIp: '::ffff:11.1.2.3' })).toBe(false);
  });

  test('cidr: a bare address is its own /32 or /128', () => {
    const v4 = matcher(sel("DestinationIp|cidr: '10.1.2.3'"));
    expect(v4({ DestinationIp: '10.1.2.3' })).toBe(true);
    expect(v4({ DestinationIp: '10.1.2.4' })).toBe(false);
    const v6 = matcher(sel("DestinationIp|cidr: '2001:db8::1'"));
    expect(v6({ DestinationIp: '2001:db8:0::1' })).toBe(true);
    expect(v6({ DestinationIp: '2001:db8::2' })).toBe(false);
  });

  test.each([
    ' 10.0.0.0/8',
    '10.0.0.0/8 ',
    '10.0.0.0 /8',
    '10.0.0.0/33',
    '10.0.0/8',
    '10.0.0.0/8/9',
    '10.0.0.0/',
    '10.0.0.256',
    'fe80::/129',
    'fe80:::1',
    'x/8',
    '10.0.0.0/-1',
  ])('cidr rejects %p', (range) => {
    expect(() => ruleFrom(sel(`Ip|cidr: '${range}'`))).toThrow(SigmaParseError);
  });

  test('exists: true requires the field, false its absence (null counts as present)', () => {
    const yes = matcher(sel('PasswordLastSet|exists: true'));
    const no = matcher(sel('PasswordLastSet|exists: false'));
    expect(yes({ PasswordLastSet: null })).toBe(true);
    expect(yes({ Other: 1 })).toBe(false);
    expect(no({ Other: 1 })).toBe(true);
    expect(no({ PasswordLastSet: '' })).toBe(false);
  });

  test('null matches a missing or null field, empty string matches only empty', () => {
    const isNull = matcher(sel('PasswordLastSet: null'));
    expect(isNull({})).toBe(true);
    expect(isNull({ PasswordLastSet: null })).toBe(true);
    expect(isNull({ PasswordLastSet: '' })).toBe(false);
    const empty = matcher(sel("PasswordLastSet: ''"));
    expect(empty({ PasswordLastSet: '' })).toBe(true);
    expect(empty({})).toBe(false);
  });

  test('fieldref compares two fields of the same event', () => {
    const m = matcher(sel("SourceUser|fieldref: 'TargetUser'"));
    expect(m({ SourceUser: 'Bob', TargetUser: 'bob' })).toBe(true);
    expect(m({ SourceUser: 'Bob', TargetUser: 'alice' })).toBe(false);
  });

  test('gt, gte, lt, lte compare numbers (numeric strings too)', () => {
    expect(matcher(sel('Bytes|gt: 100'))({ Bytes: 101 })).toBe(true);
    expect(matcher(sel('Bytes|gt: 100'))({ Bytes: 100 })).toBe(false);
    expect(matcher(sel('Bytes|gte: 100'))({ Bytes: '100' })).toBe(true);
    expect(matcher(sel('Bytes|lt: 100'))({ Bytes: 99.5 })).toBe(true);
    expect(matcher(sel('Bytes|lte: 100'))({ Bytes: 101 })).toBe(false);
    expect(matcher(sel('Bytes|lte: 100'))({ Bytes: 'many' })).toBe(false);
  });

  test('neq matches when the field differs from every value', () => {
    const m = matcher(sel('LogonType|neq: [3, 10]'));
    expect(m({ LogonType: 2 })).toBe(true);
    expect(m({ LogonType: 10 })).toBe(false);
  });

  test('time-part modifiers extract UTC parts from timestamps', () => {
    expect(matcher(sel('EventTime|hour|gte: 22'))({ EventTime: '2024-03-01T23:15:00Z' })).toBe(true);
    expect(matcher(sel('EventTime|hour|gte: 22'))({ EventTime: '2024-03-01T08:15:00Z' })).toBe(false);
    expect(matcher(sel('EventTime|minute: 15'))({ EventTime: '2024-03-01T08:15:00Z' })).toBe(true);
    expect(matcher(sel('EventTime|day: 1'))({ EventTime: '2024-03-01T08:15:00Z' })).toBe(true);
    expect(matcher(sel('EventTime|month: 3'))({ EventTime: '2024-03-01T08:15:00Z' })).toBe(true);
    expect(matcher(sel('EventTime|year: 2023'))({ EventTime: '2024-03-01T08:15:00Z' })).toBe(false);
    expect(matcher(sel('EventTime|week: 9'))({ EventTime: '2024-03-01T08:15:00Z' })).toBe(true);
  });

  test('expand keeps %placeholders% until a pipeline resolves them', () => {
    const rule = ruleFrom(sel("Computer|expand: '%DomainControllers%'"));
    const value = rule.detection.identifiers.sel?.anyOf[0]?.[0]?.values[0];
    expect(value).toEqual({ type: 'string', tokens: [{ kind: 'placeholder', name: 'DomainControllers' }] });
  });

  test('keywords search the raw text: event.original, else message; |all keywords need every one', () => {
    const m = matcher("    keywords:\n        - 'event::clear'\n        - 'event::drop'\n    condition: keywords\n");
    expect(m({ event: { original: 'mimikatz # EVENT::Clear' } })).toBe(true);
    expect(m({ 'event.original': 'mimikatz # EVENT::Drop' })).toBe(true);
    expect(m({ message: 'mimikatz # EVENT::Clear' })).toBe(true);
    // event.original is the raw event, holding every value: when present, it alone is searched.
    expect(m({ event: { original: 'sekurlsa::logonpasswords' }, message: 'event::clear' })).toBe(false);
    expect(m({ event: { original: 'sekurlsa::logonpasswords' }, msg: 'event::clear' })).toBe(false);
    expect(m({ event: { original: null }, message: 'event::clear' })).toBe(true);
    expect(m({ message: 'sekurlsa::logonpasswords', msg: 'event::clear' })).toBe(false);
    const all = matcher("    k:\n        '|all':\n            - 'OabVirtualDirectory'\n            - ' -ExternalUrl '\n    condition: k\n");
    expect(all({ event: { original: 'Set-OabVirtualDirectory x -ExternalUrl y' } })).toBe(true);
    expect(all({ event: { original: 'Set-OabVirtualDirectory' }, message: 'x -ExternalUrl y' })).toBe(false);
  });

  test('keywords search every value of an event without raw text (raw Windows JSON), at any depth', () => {
    const m = matcher("    keywords:\n        - 'Install-TransportAgent'\n        - 'event::drop'\n    condition: keywords\n");
    const evtx = (data: Record<string, unknown>) => ({ Event: { System: { EventID: 6, Channel: 'MSExchange Management' }, EventData: data } });
    expect(m(evtx({ Data: ['Install-TransportAgent', '-Name "x" -TransportAgentFactory "y"'] }))).toBe(true);
    expect(m(evtx({ Data: [{ '#text': 'mimikatz EVENT::DROP' }] }))).toBe(true);
    expect(m(evtx({ Data: ['Get-TransportAgent'] }))).toBe(false);
    // Property names are not values.
    expect(m(evtx({ 'Install-TransportAgent': 'x' }))).toBe(false);
    // Numbers and booleans are searched as their text, as field values are.
    expect(matcher('    keywords:\n        - 4625\n    condition: keywords\n')({ Event: { System: { EventID: 4625 } } })).toBe(true);
    // A wildcard keyword does not span two values.
    const span = matcher("    keywords:\n        - 'Install*Agent'\n    condition: keywords\n");
    expect(span({ a: 'Install', b: 'Agent' })).toBe(false);
    expect(span({ a: 'Install-TransportAgent' })).toBe(true);
    const all = matcher("    k:\n        '|all':\n            - 'OabVirtualDirectory'\n            - ' -ExternalUrl '\n    condition: k\n");
    expect(all({ a: 'Set-OabVirtualDirectory', b: { c: ['x -ExternalUrl y'] } })).toBe(true);
    expect(all({ a: 'Set-OabVirtualDirectory', b: 'x -ExternalUrl' })).toBe(false);
  });

  test('an unknown modifier is a parse error naming the file, line and YAML path', () => {
    expect(() => ruleFrom(sel("Image|endwith: 'x'"))).toThrow(SigmaParseError);
    expect(() => ruleFrom(sel("Image|endwith: 'x'"))).toThrow("test.yml:9:9 detection.sel.Image|endwith: unknown value modifier 'endwith' in 'Image|endwith'");
  });

  test('null inside a value list is rejected (spec: Special Field Values)', () => {
    expect(() => ruleFrom(sel("F: ['', null]"))).toThrow('null cannot be part of a list of values');
  });
});

// Flat Sysmon events (Sigma's own field names at the top level: EventID, Channel, Image,
// CommandLine, ...), the shape rsigma evaluates fastest with its `sysmon` pipeline and CitySOC
// reads as the flat Windows shape. Deterministic: the same seed writes the same lines.
import { rng } from './events';

const IMAGES = [
  'C:\\Windows\\System32\\svchost.exe',
  'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
  'C:\\Windows\\explorer.exe',
  'C:\\Windows\\System32\\cmd.exe',
  'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
  'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
  'C:\\Windows\\System32\\conhost.exe',
  'C:\\Windows\\System32\\net1.exe',
  'C:\\Windows\\System32\\certutil.exe',
  'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Windows\\System32\\rundll32.exe',
  'C:\\Windows\\System32\\reg.exe',
];
const ARGS = [
  '',
  ' /c dir',
  ' -NoProfile -Command Get-Date',
  ' user bob /domain',
  ' -urlcache -f http://10.1.2.3/a.exe',
  ' --type=renderer --lang=zh-CN',
  ' /n /dde',
  ' 0xffffffff -ForceV1',
  ' query HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run',
  ' shell32.dll,Control_RunDLL',
];
const CHANNEL = 'Microsoft-Windows-Sysmon/Operational';

/** Event i of a stream: 60% process starts, then network, file, registry, image load, DNS and process access. */
export function flatSysmonEvents(n: number, seed = 42): string[] {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const out: string[] = [];
  const start = Date.UTC(2026, 2, 1, 8, 0, 0);
  for (let i = 0; i < n; i++) {
    const time = new Date(start + i * 37).toISOString();
    const image = pick(IMAGES);
    const base = { EventID: 1, Channel: CHANNEL, Computer: `ws-${i % 300}.city.local`, TimeCreated: time, UtcTime: time.replace('T', ' ').slice(0, 23) };
    const kind = random();
    let event: Record<string, unknown>;
    if (kind < 0.6)
      event = {
        ...base,
        ProcessGuid: `{5770385f-c22a-43e0-bf4c-${String(i).padStart(12, '0')}}`,
        ProcessId: 4000 + (i % 5000),
        Image: image,
        OriginalFileName: image.split('\\').pop(),
        CommandLine: `"${image}"${pick(ARGS)}`,
        CurrentDirectory: 'C:\\Users\\alice\\',
        User: `CITY\\user${i % 500}`,
        IntegrityLevel: pick(['Medium', 'High', 'System']),
        Hashes: 'SHA256=8C5F1E2B7A3D4C6E9F0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F6',
        ParentImage: pick(IMAGES),
        ParentCommandLine: pick(IMAGES),
      };
    else if (kind < 0.72)
      event = {
        ...base,
        EventID: 3,
        Image: image,
        User: `CITY\\user${i % 500}`,
        Protocol: 'tcp',
        Initiated: 'true',
        SourceIp: `10.20.${i % 255}.${(i >> 8) % 255}`,
        SourcePort: 49152 + (i % 16000),
        DestinationIp: `10.0.${i % 255}.7`,
        DestinationHostname: pick(['intranet.city.local', 'update.microsoft.com', '']),
        DestinationPort: pick([443, 80, 445, 3389, 8080]),
      };
    else if (kind < 0.82)
      event = { ...base, EventID: 11, Image: image, TargetFilename: `C:\\Users\\alice\\AppData\\Local\\Temp\\f${i}.${pick(['tmp', 'dll', 'ps1', 'docx'])}` };
    else if (kind < 0.9)
      event = {
        ...base,
        EventID: 13,
        EventType: 'SetValue',
        Image: image,
        TargetObject: pick([
          'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater',
          'HKCU\\Software\\Microsoft\\Office\\16.0\\Word\\Options\\x',
          'HKLM\\System\\CurrentControlSet\\Services\\bam\\State',
        ]),
        Details: pick(['C:\\Users\\Public\\u.exe', 'DWORD (0x00000001)', '(Empty)']),
      };
    else if (kind < 0.95)
      event = {
        ...base,
        EventID: 7,
        Image: image,
        ImageLoaded: pick(['C:\\Windows\\System32\\ntdll.dll', 'C:\\Windows\\System32\\dbghelp.dll', 'C:\\Users\\Public\\x.dll']),
        Signed: 'true',
      };
    else if (kind < 0.98)
      event = { ...base, EventID: 22, Image: image, QueryName: pick(['intranet.city.local', 'pastebin.com', 'api.telegram.org', 'ws-7']), QueryStatus: '0' };
    else
      event = {
        ...base,
        EventID: 10,
        SourceImage: image,
        TargetImage: pick(['C:\\Windows\\System32\\lsass.exe', 'C:\\Windows\\explorer.exe']),
        GrantedAccess: pick(['0x1010', '0x1410', '0x1fffff']),
        CallTrace: 'C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|UNKNOWN(00000000001)',
      };
    out.push(JSON.stringify(event));
  }
  return out;
}

// The JS matcher with every accepted SigmaHQ rule (rules, emerging threats, threat hunting)
// loaded: events/s on one core for the indexed RuleSet next to naive evaluation (every rule on
// every event) in the same run, on Windows process-creation events and on a mixed stream, plus
// memory. Prints figures only. Usage: npx tsx bench/sigma.ts [seconds per measurement, default 3]
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RuleSet } from '../analytics/sigma/backends/ruleset';
import { getPipeline } from '../analytics/sigma/pipelines';
import { expandPaths } from '../analytics/sigma/validate';
import { rng } from './events';
import { sharedPath } from '../core/shared-data';

const CORPUS = sharedPath('data/sigma');
const SECONDS = Number(process.argv[2] ?? 3);
const random = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

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
];

function processCreation(i: number): Record<string, unknown> {
  const image = pick(IMAGES);
  return {
    Event: {
      System: {
        EventID: 1,
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        Computer: `ws-${i % 300}.city.local`,
        Provider: { Name: 'Microsoft-Windows-Sysmon' },
      },
      EventData: {
        UtcTime: '2026-03-01 08:15:02.123',
        ProcessGuid: `{5770385f-c22a-43e0-bf4c-${String(i).padStart(12, '0')}}`,
        ProcessId: 4000 + (i % 5000),
        Image: image,
        OriginalFileName: image.split('\\').pop(),
        CommandLine: `"${image}"${pick(ARGS)}`,
        CurrentDirectory: 'C:\\Users\\alice\\',
        User: `CITY\\user${i % 500}`,
        IntegrityLevel: 'Medium',
        Hashes: 'SHA256=8C5F1E2B7A3D4C6E9F0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F6',
        ParentImage: pick(IMAGES),
        ParentCommandLine: pick(IMAGES),
      },
    },
  };
}

function mixed(i: number): Record<string, unknown> {
  switch (i % 5) {
    case 0:
      return processCreation(i);
    case 1:
      return {
        Event: {
          System: { EventID: 3, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'ws-1' },
          EventData: { Image: pick(IMAGES), DestinationIp: `10.0.${i % 255}.7`, DestinationPort: 443, Initiated: 'true' },
        },
      };
    case 2:
      return {
        Event: {
          System: { EventID: 4624, Channel: 'Security', Computer: 'dc01' },
          EventData: { TargetUserName: `user${i % 500}`, LogonType: 3, IpAddress: `10.1.${i % 255}.9` },
        },
      };
    case 3:
      return {
        Event: {
          System: { EventID: 13, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'ws-2' },
          EventData: {
            Image: pick(IMAGES),
            TargetObject: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater',
            Details: 'C:\\Users\\Public\\u.exe',
          },
        },
      };
    default:
      return {
        Event: {
          System: { EventID: 11, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'ws-3' },
          EventData: { Image: pick(IMAGES), TargetFilename: `C:\\Users\\alice\\AppData\\Local\\Temp\\f${i}.tmp` },
        },
      };
  }
}

function measure(set: RuleSet, events: Record<string, unknown>[]): { rate: number; perEvent: string } {
  for (let i = 0; i < 500; i++) set.match(events[i % events.length] as Record<string, unknown>);
  let n = 0;
  let matches = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(SECONDS * 1e9));
  while (process.hrtime.bigint() - start < budget) {
    for (let k = 0; k < 100; k++) matches += set.match(events[n++ % events.length] as Record<string, unknown>).length;
  }
  return { rate: n / (Number(process.hrtime.bigint() - start) / 1e9), perEvent: (matches / n).toFixed(2) };
}

const mb = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`;
const files = expandPaths([`${CORPUS}/rules`, `${CORPUS}/rules-emerging-threats`, `${CORPUS}/rules-threat-hunting`]);
const pipelines = [getPipeline('windows')];
// A real collection before each memory reading (without --expose-gc on the command line).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
gc();
const before = process.memoryUsage();
const indexed = new RuleSet({ pipelines });
const loadStart = Date.now();
const { loaded, rejected } = indexed.addFiles(files);
const loadMs = Date.now() - loadStart;
// The prefilter index is built on first use; build it here so its time and memory are counted.
const indexStart = Date.now();
indexed.candidateCount({});
const indexMs = Date.now() - indexStart;
gc();
const after = process.memoryUsage();
const naive = new RuleSet({ pipelines, mode: 'naive' });
naive.addFiles(files);

console.log(`node ${process.version}, ${SECONDS}s per measurement, one core (single thread)`);
console.log(`rules loaded: ${loaded} from ${files.length} files (${rejected.length} files rejected), compile ${loadMs} ms, prefilter index ${indexMs} ms`);
gc();
console.log(
  `memory for the indexed rule set (rules and prefilter index): heap +${mb(after.heapUsed - before.heapUsed)}, typed arrays +${mb(after.arrayBuffers - before.arrayBuffers)}; process RSS ${mb(after.rss)} (both rule sets loaded: RSS ${mb(process.memoryUsage().rss)}, heap ${mb(process.memoryUsage().heapUsed)})`,
);
for (const [label, make] of [
  ['windows process_creation', processCreation],
  ['mixed (proc, net, logon, registry, file)', mixed],
] as const) {
  const events = Array.from({ length: 2000 }, (_, i) => make(i));
  const avgCandidates = events.slice(0, 200).reduce((a, e) => a + indexed.candidateCount(e), 0) / 200;
  const n = measure(naive, events);
  const x = measure(indexed, events);
  console.log(`${label}:`);
  console.log(`  naive (every rule)     ${n.rate.toFixed(0).padStart(8)} events/s  matches per event ${n.perEvent}`);
  console.log(
    `  indexed (prefilter)    ${x.rate.toFixed(0).padStart(8)} events/s  matches per event ${x.perEvent}  ratio ${(x.rate / n.rate).toFixed(1)}x  rules past prefilter per event ${avgCandidates.toFixed(0)}`,
  );
}
gc();
console.log(`final RSS ${mb(process.memoryUsage().rss)}, heap ${mb(process.memoryUsage().heapUsed)}`);

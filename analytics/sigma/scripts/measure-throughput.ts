// Rough RuleSet throughput on one synthetic Sysmon process-creation event: indexed vs naive.
// Usage: npx tsx analytics/sigma/scripts/measure-throughput.ts <rules dir>...
import { RuleSet } from '../backends/ruleset';
import { getPipeline } from '../pipelines';
import { expandPaths } from '../validate';

const files = expandPaths(process.argv.slice(2));
const event = {
  Event: {
    System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'ws-017.city.local', Provider: { Name: 'Microsoft-Windows-Sysmon' } },
    EventData: {
      UtcTime: '2026-03-01 08:15:02.123',
      ProcessGuid: '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}',
      ProcessId: 4242,
      Image: 'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
      FileVersion: '124.0.1',
      Description: 'Firefox',
      Product: 'Firefox',
      Company: 'Mozilla Corporation',
      OriginalFileName: 'firefox.exe',
      CommandLine: '"C:\\Program Files\\Mozilla Firefox\\firefox.exe" -contentproc --channel=1234 -isForBrowser',
      CurrentDirectory: 'C:\\Program Files\\Mozilla Firefox\\',
      User: 'CITY\\alice',
      LogonId: '0x3e7a1',
      IntegrityLevel: 'Medium',
      Hashes: 'SHA256=8C5F1E2B7A3D4C6E9F0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F6',
      ParentProcessGuid: '{5770385f-c22a-43e0-bf4c-06f5698ffbd0}',
      ParentProcessId: 4100,
      ParentImage: 'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
      ParentCommandLine: '"C:\\Program Files\\Mozilla Firefox\\firefox.exe"',
      ParentUser: 'CITY\\alice',
    },
  },
};

function measure(label: string, set: RuleSet, ls?: { category: string; product: string }): void {
  for (let i = 0; i < 200; i++) set.match(event, ls); // warm up JIT and the index
  const start = process.hrtime.bigint();
  let n = 0;
  while (process.hrtime.bigint() - start < 2_000_000_000n) {
    set.match(event, ls);
    n++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `${label.padEnd(40)} ${(n / seconds).toFixed(0).padStart(8)} events/s  ${((seconds / n) * 1e6).toFixed(1)} µs/event  matches=${set.match(event, ls).length}`,
  );
}

const pipelines = [getPipeline('windows')];
const indexed = new RuleSet({ pipelines });
const naive = new RuleSet({ pipelines, mode: 'naive' });
const { loaded, rejected } = indexed.addFiles(files);
naive.addFiles(files);
console.log(`rules loaded ${loaded}, files rejected ${rejected.length}, rules past the literal prefilter for this event: ${indexed.candidateCount(event)}`);
measure('naive (every rule)', naive);
measure('indexed (literal prefilter)', indexed);
measure('indexed + logsource routing', indexed, { category: 'process_creation', product: 'windows' });

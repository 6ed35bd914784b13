// Logsource routing: a rule runs only on events of its product (and Windows service), in the
// RuleSet whatever the pipelines, and through the pipelines' conditions in every backend.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from '../../core/shared-data';
import { normalizeWindowsEvent, windowsEvent } from '../../collectors/parsers/windows-event';
import { sourceByName } from '../../collectors/parsers';
import { JsMatcherBackend } from './backends/js';
import { RuleSet } from './backends/ruleset';
import { eventLogsource, productCondition, routeNeed, routes } from './logsource';
import type { SigmaRule } from './model';
import { parseSigmaFile, parseSigmaYaml } from './parse';
import { getPipeline } from './pipelines';
import { CORPUS } from './test-support/rules';
import { SHAPED_EVENTS } from './test-support/windows-shapes';
import { expandPaths } from './validate';

const ctx = { defaultYear: 2026, receivedAt: new Date('2026-12-31T00:00:00Z') };
type Doc = Record<string, unknown>;

/** Twin rules: the same ECS detection for Windows and for Linux. */
const twin = (product: string): SigmaRule =>
  parseSigmaYaml(`title: whoami on ${product}
id: 00000000-0000-4000-8000-00000000000${product === 'windows' ? 1 : 2}
logsource:
    product: ${product}
detection:
    sel:
        process.command_line|contains: whoami
    condition: sel
`).documents[0] as SigmaRule;

const linuxEvents = (): Doc[] => {
  const source = sourceByName('linux-syslog')!;
  const lines = [
    'Jun 14 15:16:01 combo crond[2011]: (root) CMD (whoami > /tmp/who)',
    'Jun 14 15:16:02 combo su(pam_unix)[2012]: session opened for user root by (uid=0)',
  ];
  return lines.map((line) => {
    const parsed = source.parse({ kind: 'line', line }, ctx);
    if (!parsed.ok) throw new Error(parsed.error);
    return { ...parsed.event, event: { ...(parsed.event.event as Doc), original: line } };
  });
};

const windowsEcsEvents = (): Doc[] => {
  const out: Doc[] = [];
  for (const e of SHAPED_EVENTS)
    for (const record of Object.values(e.shapes)) {
      const parsed = windowsEvent.parse(typeof record === 'string' ? { kind: 'line', line: record } : { kind: 'record', record }, ctx);
      if (!parsed.ok) throw new Error(parsed.error);
      out.push(parsed.event);
    }
  // A process start with the same command line as the Linux cron job.
  out.push({ ...out[0], process: { command_line: 'whoami /all' } });
  return out;
};

describe('logsource routing', () => {
  test('a Windows rule does not fire on a Linux event and vice versa, with the ecs pipeline and with none', () => {
    const linux = linuxEvents();
    const windows = windowsEcsEvents();
    for (const pipelines of [[getPipeline('ecs')], []]) {
      const set = new RuleSet({ pipelines });
      set.add(twin('windows'));
      set.add(twin('linux'));
      const titles = (events: Doc[]) => [...new Set(events.flatMap((e) => set.match(e).map((m) => m.title)))];
      expect(titles(linux)).toEqual(['whoami on linux']);
      expect(titles(windows)).toEqual(['whoami on windows']);
    }
  });

  test('no SigmaHQ Windows rule fires on the Linux sample, no Linux rule on Windows events', () => {
    const set = new RuleSet({ pipelines: [getPipeline('ecs')] });
    set.addFiles(expandPaths([join(CORPUS, 'rules/windows'), join(CORPUS, 'rules/linux')]));
    const product = new Map(set.rules().map((r) => [r.id ?? r.title, r.logsource.product]));
    const source = sourceByName('linux-syslog')!;
    const lines = readFileSync(sharedPath('data/loghub/Linux/Linux_2k.log'), 'utf8').split('\n').filter(Boolean);
    const linux = lines.flatMap((line) => {
      const p = source.parse({ kind: 'line', line }, ctx);
      return p.ok ? [{ ...p.event, event: { ...(p.event.event as Doc), original: line } }] : [];
    });
    expect(linux.length).toBeGreaterThan(1900);
    const productsHit = (events: Doc[]) => [...new Set(events.flatMap((e) => set.match(e).map((m) => product.get(m.ruleId))))].sort();
    expect(productsHit(windowsEcsEvents())).toEqual(['windows']);
    expect(productsHit(linux).filter((p) => p !== 'linux')).toEqual([]);
  });

  test('zeek_rdp_public_listener (not selection) matches no Windows event in any shape or pipeline, and does match a public Zeek RDP listener', () => {
    const file = join(CORPUS, 'rules/network/zeek/zeek_rdp_public_listener.yml');
    const rule = parseSigmaFile(file).documents[0] as SigmaRule;
    for (const pipelines of [[getPipeline('windows')], [getPipeline('ecs')], []]) {
      const set = new RuleSet({ pipelines });
      set.add(rule);
      for (const e of SHAPED_EVENTS)
        for (const record of Object.values(e.shapes)) {
          const n = normalizeWindowsEvent(record, ctx);
          if (!n.ok) throw new Error(n.error);
          expect(set.match(n.record as unknown as Doc)).toEqual([]);
        }
      for (const e of windowsEcsEvents()) expect(set.match(e)).toEqual([]);
      expect(set.match({ event: { module: 'zeek', dataset: 'zeek.rdp' }, 'id.orig_h': '198.51.100.7' }).map((m) => m.title)).toEqual([
        'Publicly Accessible RDP Service',
      ]);
    }
    // The condition the pipelines add keeps it off Windows events in every backend too.
    const windowsShaped = { Event: { System: { EventID: 1 } } };
    expect(new JsMatcherBackend([getPipeline('windows')]).compile(rule).match(windowsShaped)).toBe(false);
    expect(new JsMatcherBackend([getPipeline('ecs')]).compile(rule).match({ host: { os: { type: 'windows' } } })).toBe(false);
    // Without the condition (a backend given no pipeline) the rule's own detection holds on anything.
    expect(new JsMatcherBackend([]).compile(rule).match(windowsShaped)).toBe(true);
  });

  test('the router admits every event the product condition admits (routing never overrules a pipeline)', () => {
    const events: Doc[] = [
      ...windowsEcsEvents(),
      ...linuxEvents(),
      { host: { os: { type: 'Windows' } } },
      { host: { os: { type: null } }, winlog: { channel: null } },
      { host: { os: { type: ['linux', 'windows'] } } },
      { 'host.os.type': 'linux', 'event.dataset': 'openssh.auth' },
      { event: { dataset: ['x', 'AUDITD.LOG'] } },
      { event: { module: ['Zeek', 'aws'] } },
      { event: { module: 7 } },
      { Event: { System: { EventID: null } } },
      {},
    ];
    const products = ['windows', 'linux', 'macos', 'zeek', 'aws', 'okta', '7'];
    for (const product of products) {
      const condition = productCondition(product)!;
      const rule = parseSigmaYaml(`title: t\nlogsource:\n    product: x\ndetection:\n    sel: ${JSON.stringify(condition)}\n    condition: sel\n`)
        .documents[0] as SigmaRule;
      const holds = new JsMatcherBackend().compile(rule).match;
      const need = routeNeed({ product });
      for (const e of events) expect([product, e, routes(need, eventLogsource(e))]).toEqual([product, e, holds(e)]);
    }
  });

  test('a Windows service rule runs only on its channel', () => {
    const set = new RuleSet();
    set.add(
      parseSigmaYaml('title: t\nlogsource:\n    product: windows\n    service: system\ndetection:\n    sel:\n        EventID: 7045\n    condition: sel\n')
        .documents[0] as SigmaRule,
    );
    const ev = (channel: string) => ({ EventID: 7045, Event: { System: { EventID: 7045, Channel: channel } } });
    expect([set.match(ev('System')).length, set.match(ev('Security')).length, set.match({ winlog: { channel: 'system' }, EventID: 7045 }).length]).toEqual([
      1, 0, 1,
    ]);
  });
});

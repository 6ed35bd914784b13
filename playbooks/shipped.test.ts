import path from 'node:path';
import type { FlowItem } from './catalog';
import { planShipped, playbookHash, readShipped, type ShippedPlaybook } from './shipped';

const shipped = readShipped(path.join(__dirname, 'flows'));
const v = (p: ShippedPlaybook, version: number, change: (i: FlowItem) => FlowItem = (i) => i): ShippedPlaybook => ({
  ...p,
  version,
  items: p.items.map((i) =>
    change(
      i.type === 'tab'
        ? {
            ...i,
            env: [
              { name: 'CITYSOC_PLAYBOOK', value: p.name },
              { name: 'CITYSOC_PLAYBOOK_VERSION', value: String(version) },
            ],
          }
        : i,
    ),
  ),
});

describe('shipped playbooks as code', () => {
  it('ships the three playbooks, each one tab with its name and version', () => {
    expect(shipped.map((p) => [p.name, p.version, p.items[0]!.id, p.items.length])).toEqual([
      ['mass-export', 1, 'citysoc-pb-mass-export', 9],
      ['risky-account', 1, 'citysoc-pb-risky-account', 10],
      ['ssh-brute-force', 1, 'citysoc-pb-ssh-brute-force', 4],
    ]);
  });

  it('installs them all on a fresh start and nothing the second time', () => {
    const first = planShipped([], shipped, new Map());
    expect([first.installed, first.upgraded, first.changed]).toEqual([['mass-export', 'risky-account', 'ssh-brute-force'], [], true]);
    expect(first.flows).toHaveLength(23);
    const again = planShipped(first.flows, shipped, first.records);
    expect([again.installed, again.upgraded, again.changed]).toEqual([[], [], false]);
  });

  it('upgrades an untouched playbook to a newer shipped version, even when its nodes were only moved', () => {
    const first = planShipped([], shipped, new Map());
    const moved = first.flows.map((f) => (f.id === 'ssh-block' ? { ...f, x: 999, y: 999 } : f));
    const ssh2 = v(shipped[2]!, 2, (i) => (i.id === 'ssh-block' ? { ...i, hours: 48 } : i));
    const up = planShipped(moved, [shipped[0]!, shipped[1]!, ssh2], first.records);
    expect([up.installed, up.upgraded, up.held]).toEqual([[], ['ssh-brute-force'], []]);
    expect(up.flows.find((f) => f.id === 'ssh-block')!.hours).toBe(48);
    expect(up.records.get('ssh-brute-force')).toMatchObject({ version: 2, hash: playbookHash('citysoc-pb-ssh-brute-force', ssh2.items) });
  });

  it('never overwrites a playbook edited in the editor: the upgrade is held and reported', () => {
    const first = planShipped([], shipped, new Map());
    const edited = first.flows.map((f) => (f.id === 'ssh-block' ? { ...f, hours: 1 } : f));
    const held = planShipped(edited, [v(shipped[2]!, 2)], first.records);
    expect([held.upgraded, held.held, held.changed]).toEqual([[], [{ name: 'ssh-brute-force', version: 2 }], false]);
    expect(held.flows.find((f) => f.id === 'ssh-block')!.hours).toBe(1);
    expect(held.records.get('ssh-brute-force')).toMatchObject({ version: 1, upgradeAvailable: 2 });
  });

  it('does not bring back a playbook that was deleted', () => {
    const first = planShipped([], shipped, new Map());
    const without = first.flows.filter((f) => f.id !== 'citysoc-pb-ssh-brute-force' && f.z !== 'citysoc-pb-ssh-brute-force');
    const next = planShipped(without, [v(shipped[2]!, 2)], first.records);
    expect([next.installed, next.upgraded, next.changed]).toEqual([[], [], false]);
    expect(next.records.get('ssh-brute-force')!.version).toBe(2);
  });

  it('does not install a playbook whose node ids are taken', () => {
    const taken: FlowItem[] = [{ id: 'ssh-in', type: 'inject', z: 'mine' }];
    const plan = planShipped(taken, [shipped[2]!], new Map());
    expect([plan.installed, plan.held]).toEqual([[], [{ name: 'ssh-brute-force', version: 1 }]]);
  });
});

/**
 * Playbooks as code: the flows shipped in flows/*.json (one tab each, marked with its name and
 * version in the tab's environment) are installed on first start and upgraded when a newer
 * version ships — but only while the installed copy is as shipped: a playbook changed in the
 * editor is never overwritten (the upgrade is reported instead), and one deleted stays deleted.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CitySocError } from '../core/errors';
import type { StateStore } from '../core/ports/state-store';
import { envOf, type FlowItem, SHIPPED_NAME_ENV, SHIPPED_VERSION_ENV } from './catalog';

export const SHIPPED = 'playbook-shipped';

export interface ShippedPlaybook {
  readonly name: string;
  readonly version: number;
  readonly file: string;
  /** The tab first, then its nodes. */
  readonly items: FlowItem[];
}

export interface ShippedRecord {
  readonly version: number;
  /** Hash of the playbook as installed, to tell an untouched copy from an edited one. */
  readonly hash: string;
  readonly tabId: string;
  readonly upgradeAvailable?: number;
}

export function readShipped(dir: string): ShippedPlaybook[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      let items: FlowItem[];
      try {
        items = JSON.parse(readFileSync(file, 'utf8')) as FlowItem[];
      } catch (e) {
        throw new CitySocError('CONFIG_INVALID', `shipped playbook ${f}: not JSON (${(e as Error).message})`);
      }
      const tabs = Array.isArray(items) ? items.filter((i) => i.type === 'tab') : [];
      if (tabs.length !== 1) throw new CitySocError('CONFIG_INVALID', `shipped playbook ${f}: needs exactly one tab, found ${tabs.length}`);
      const tab = tabs[0]!;
      const name = envOf(tab, SHIPPED_NAME_ENV);
      const version = Number(envOf(tab, SHIPPED_VERSION_ENV));
      if (!name || !Number.isInteger(version) || version < 1)
        throw new CitySocError('CONFIG_INVALID', `shipped playbook ${f}: the tab needs ${SHIPPED_NAME_ENV} and a whole ${SHIPPED_VERSION_ENV} ≥ 1 in its env`);
      const stray = items.filter((i) => i.type !== 'tab' && i.z !== tab.id);
      if (stray.length) throw new CitySocError('CONFIG_INVALID', `shipped playbook ${f}: nodes ${stray.map((s) => s.id).join(', ')} are not on its tab`);
      return { name, version, file: f, items: [tab, ...items.filter((i) => i.type !== 'tab')] };
    });
}

/** The tab and its nodes, without layout (moving nodes around is not editing the playbook). */
export function playbookHash(tabId: string, flows: readonly FlowItem[]): string {
  const mine = flows
    .filter((f) => f.id === tabId || f.z === tabId)
    .map(({ x: _x, y: _y, w: _w, h: _h, ...rest }) => rest)
    .sort((a, b) => a.id.localeCompare(b.id));
  return createHash('sha256').update(JSON.stringify(mine)).digest('hex');
}

export interface ShippedPlan {
  readonly flows: FlowItem[];
  readonly installed: string[];
  readonly upgraded: string[];
  /** Newer versions not applied because the installed copy was edited. */
  readonly held: { name: string; version: number }[];
  readonly records: Map<string, ShippedRecord>;
  readonly changed: boolean;
}

export function planShipped(current: readonly FlowItem[], shipped: readonly ShippedPlaybook[], records: ReadonlyMap<string, ShippedRecord>): ShippedPlan {
  let flows = [...current];
  const out = new Map(records);
  const installed: string[] = [];
  const upgraded: string[] = [];
  const held: { name: string; version: number }[] = [];
  for (const p of shipped) {
    const tabId = p.items[0]!.id;
    const rec = records.get(p.name);
    if (!rec) {
      const clash = p.items.find((i) => flows.some((f) => f.id === i.id));
      if (clash) {
        held.push({ name: p.name, version: p.version });
        continue;
      }
      flows = [...flows, ...p.items];
      out.set(p.name, { version: p.version, hash: playbookHash(tabId, p.items), tabId });
      installed.push(p.name);
      continue;
    }
    if (rec.version >= p.version) continue;
    const present = flows.some((f) => f.id === rec.tabId);
    if (!present) {
      // Deleted on purpose: remember the version so it is not offered again.
      out.set(p.name, { ...rec, version: p.version });
      continue;
    }
    if (playbookHash(rec.tabId, flows) !== rec.hash) {
      held.push({ name: p.name, version: p.version });
      out.set(p.name, { ...rec, upgradeAvailable: p.version });
      continue;
    }
    flows = [...flows.filter((f) => f.id !== rec.tabId && f.z !== rec.tabId), ...p.items];
    out.set(p.name, { version: p.version, hash: playbookHash(tabId, p.items), tabId });
    upgraded.push(p.name);
  }
  return { flows, installed, upgraded, held, records: out, changed: installed.length + upgraded.length > 0 };
}

export async function loadShippedRecords(state: StateStore): Promise<Map<string, ShippedRecord>> {
  return new Map((await state.all(SHIPPED)).map((d) => [d.id, d.doc as unknown as ShippedRecord]));
}

export async function saveShippedRecords(
  state: StateStore,
  before: ReadonlyMap<string, ShippedRecord>,
  after: ReadonlyMap<string, ShippedRecord>,
): Promise<void> {
  for (const [name, rec] of after) if (JSON.stringify(before.get(name)) !== JSON.stringify(rec)) await state.put(SHIPPED, name, { ...rec });
}

/** What a deploy changed, node by node: ids added, removed and changed (with type and name, for people). */
import { createHash } from 'node:crypto';
import type { FlowItem } from '../catalog';

export interface FlowChange {
  readonly id: string;
  readonly type: string;
  readonly name?: string;
}

export interface FlowDiff {
  readonly added: FlowChange[];
  readonly changed: FlowChange[];
  readonly removed: FlowChange[];
}

const change = (n: FlowItem): FlowChange => ({ id: n.id, type: n.type, ...((n.name ?? n.label) ? { name: String(n.name ?? n.label) } : {}) });

export function diffFlows(before: readonly FlowItem[], after: readonly FlowItem[]): FlowDiff {
  const old = new Map(before.map((n) => [n.id, n]));
  const now = new Map(after.map((n) => [n.id, n]));
  return {
    added: after.filter((n) => !old.has(n.id)).map(change),
    changed: after.filter((n) => old.has(n.id) && JSON.stringify(old.get(n.id)) !== JSON.stringify(n)).map(change),
    removed: before.filter((n) => !now.has(n.id)).map(change),
  };
}

/** Node-RED's revision of a flow configuration: SHA-256 of its JSON, as the runtime computes it. */
export function flowRev(flows: readonly FlowItem[]): string {
  return createHash('sha256').update(JSON.stringify(flows)).digest('hex');
}

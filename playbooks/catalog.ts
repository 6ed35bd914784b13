/**
 * The playbooks deployed (one per Node-RED tab) and which of them are enabled, by whom. Enabling
 * is kept apart from the flows, in the StateStore: turning a playbook on or off is not a deploy,
 * and the person who turned it on is the one accountable for the runs its triggers start.
 */
import type { StateStore } from '../core/ports/state-store';

export const ENABLEMENT = 'playbook-enablement';
/** Tab environment variables that mark a shipped playbook and its version. */
export const SHIPPED_NAME_ENV = 'CITYSOC_PLAYBOOK';
export const SHIPPED_VERSION_ENV = 'CITYSOC_PLAYBOOK_VERSION';

export interface FlowItem {
  readonly id: string;
  readonly type: string;
  readonly z?: string;
  readonly label?: string;
  readonly name?: string;
  readonly disabled?: boolean;
  readonly info?: string;
  readonly env?: readonly { name: string; value: string; type?: string }[];
  readonly [k: string]: unknown;
}

export interface PlaybookSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Disabled in the editor (Node-RED does not start its nodes). */
  readonly disabledInEditor: boolean;
  readonly shipped?: { readonly name: string; readonly version: number };
  readonly triggers: readonly string[];
  readonly nodes: number;
}

export interface Enablement {
  readonly enabled: boolean;
  readonly by: string;
  readonly at: string;
}

const TRIGGER_TYPES = new Set(['citysoc-alert-in', 'citysoc-risk-level', 'citysoc-schedule', 'citysoc-manual']);

export function envOf(tab: FlowItem, name: string): string | undefined {
  return tab.env?.find((e) => e.name === name)?.value;
}

export function summarize(flows: readonly FlowItem[]): PlaybookSummary[] {
  const tabs = flows.filter((f) => f.type === 'tab');
  return tabs.map((t) => {
    const nodes = flows.filter((f) => f.z === t.id);
    const shippedName = envOf(t, SHIPPED_NAME_ENV);
    const shippedVersion = Number(envOf(t, SHIPPED_VERSION_ENV));
    return {
      id: t.id,
      name: t.label ?? t.id,
      description: t.info ?? '',
      disabledInEditor: t.disabled === true,
      ...(shippedName ? { shipped: { name: shippedName, version: Number.isFinite(shippedVersion) ? shippedVersion : 0 } } : {}),
      triggers: nodes.filter((n) => TRIGGER_TYPES.has(n.type)).map((n) => n.type.replace(/^citysoc-/, '')),
      nodes: nodes.length,
    };
  });
}

export class PlaybookCatalog {
  private enablement = new Map<string, Enablement>();
  private playbooks: PlaybookSummary[] = [];

  private constructor(private readonly state: StateStore) {}

  static async open(state: StateStore): Promise<PlaybookCatalog> {
    const c = new PlaybookCatalog(state);
    await c.reload();
    return c;
  }

  /** Another replica changed an enablement: read them again. */
  async reload(): Promise<void> {
    const docs = await this.state.all(ENABLEMENT);
    this.enablement = new Map(docs.map((d) => [d.id, d.doc as unknown as Enablement]));
  }

  /** The deployed flows changed (load, deploy, rollback). */
  setFlows(flows: readonly FlowItem[]): void {
    this.playbooks = summarize(flows);
  }

  list(): PlaybookSummary[] {
    return this.playbooks;
  }

  get(id: string): PlaybookSummary | undefined {
    return this.playbooks.find((p) => p.id === id);
  }

  name(id: string): string {
    return this.get(id)?.name ?? id;
  }

  /** Who enabled the playbook, when it is enabled. */
  enabled(id: string): Enablement | null {
    const e = this.enablement.get(id);
    return e?.enabled ? e : null;
  }

  enablementOf(id: string): Enablement | undefined {
    return this.enablement.get(id);
  }

  async setEnabled(id: string, enabled: boolean, by: string, at: Date): Promise<Enablement> {
    const e: Enablement = { enabled, by, at: at.toISOString() };
    await this.state.put(ENABLEMENT, id, { ...e });
    this.enablement.set(id, e);
    return e;
  }
}

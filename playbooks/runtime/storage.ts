/**
 * Node-RED's storage module over CitySOC's StateStore: flows and credentials as versions
 * (flow-versions.ts), runtime settings, editor sessions and the library as documents. Nothing is
 * written to Node-RED's user directory. A deploy reaches saveFlows with the user Node-RED
 * authenticated; `commit` turns it into a door action (authorized and audited) that stores the
 * version. Credentials arrive just before the flows they belong to and are stored with them.
 */
import type { StateStore } from '../../core/ports/state-store';
import type { FlowItem } from '../catalog';
import { type FlowVersion, FlowVersions, RUNTIME } from './flow-versions';

export const LIBRARY = 'playbook-library';

/** What Node-RED passes as the deploying user (req.user as our adminAuth made it). */
export type RedUser = Record<string | symbol, unknown> | null | undefined;

export interface StorageHooks {
  /** Stores the deploy as a version on behalf of the user (the door action); rejects to refuse it. */
  commit(user: RedUser, change: { flows: FlowItem[]; credentials: Record<string, unknown>; basedOn: number }): Promise<FlowVersion>;
  /** The flows now loaded or deployed (the catalog follows them). */
  flowsChanged(flows: readonly FlowItem[], version: number): void;
}

interface Loaded {
  version: number;
  flows: FlowItem[];
  credentials: Record<string, unknown>;
}

export class StateStorage {
  private loaded: Loaded = { version: 0, flows: [], credentials: {} };
  private pendingCredentials: Record<string, unknown> | null = null;

  constructor(
    private readonly state: StateStore,
    readonly versions: FlowVersions,
    private readonly hooks: StorageHooks,
  ) {}

  /** Credentials for the next save, when the runtime will not hand them over (a rollback's encrypted set). */
  stageCredentials(c: Record<string, unknown>): void {
    this.pendingCredentials = c;
  }

  /** The version this runtime runs. */
  get version(): number {
    return this.loaded.version;
  }

  /** The Node-RED storage module object (settings.storageModule). */
  module(): Record<string, unknown> {
    return {
      init: async () => undefined,
      getFlows: () => this.getFlows(),
      saveFlows: (flows: FlowItem[], user: RedUser) => this.saveFlows(flows, user),
      getCredentials: async () => this.loaded.credentials,
      saveCredentials: async (c: Record<string, unknown>) => void (this.pendingCredentials = c),
      getSettings: async () => this.getSettings(),
      saveSettings: (s: Record<string, unknown>) => this.saveSettings(s),
      getSessions: async () => ((await this.state.get(RUNTIME, 'sessions')) ?? {}) as Record<string, unknown>,
      saveSessions: (s: Record<string, unknown>) => this.state.put(RUNTIME, 'sessions', s),
      getLibraryEntry: (type: string, path: string) => this.getLibraryEntry(type, path),
      saveLibraryEntry: (type: string, path: string, meta: Record<string, unknown>, body: string) =>
        this.state.put(LIBRARY, `${type}/${path.replace(/^\/+/, '')}`, { type, path: path.replace(/^\/+/, ''), meta, body }),
    };
  }

  private async getFlows(): Promise<FlowItem[]> {
    const head = await this.versions.head();
    const doc = head > 0 ? await this.versions.get(head) : null;
    this.loaded = { version: head, flows: doc?.flows ?? [], credentials: doc?.credentials ?? {} };
    this.hooks.flowsChanged(this.loaded.flows, head);
    return this.loaded.flows;
  }

  private async saveFlows(flows: FlowItem[], user: RedUser): Promise<void> {
    const credentials = this.pendingCredentials ?? this.loaded.credentials;
    this.pendingCredentials = null;
    const v = await this.hooks.commit(user, { flows, credentials, basedOn: this.loaded.version });
    this.loaded = { version: v.version, flows, credentials };
    this.hooks.flowsChanged(flows, v.version);
  }

  private async getSettings(): Promise<Record<string, unknown>> {
    const s = ((await this.state.get(RUNTIME, 'settings')) ?? {}) as Record<string, unknown>;
    // Telemetry stays off whatever was stored: nothing leaves the platform uninvited.
    return { ...s, telemetryEnabled: false };
  }

  private async saveSettings(s: Record<string, unknown>): Promise<void> {
    await this.state.put(RUNTIME, 'settings', { ...s, telemetryEnabled: false });
  }

  /** A library folder lists its subfolders (names) and entries ({fn, ...meta}); an entry answers its body. */
  private async getLibraryEntry(type: string, path: string): Promise<unknown> {
    const p = path.replace(/^\/+/, '').replace(/\/+$/, '');
    const entry = (await this.state.get(LIBRARY, `${type}/${p}`)) as { body?: string } | null;
    if (entry && p !== '') return entry.body ?? '';
    const prefix = p === '' ? '' : `${p}/`;
    const dirs = new Set<string>();
    const files: Record<string, unknown>[] = [];
    for (const { doc } of await this.state.all(LIBRARY)) {
      const d = doc as { type: string; path: string; meta?: Record<string, unknown> };
      if (d.type !== type || !d.path.startsWith(prefix)) continue;
      const rest = d.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash >= 0) dirs.add(rest.slice(0, slash));
      else files.push({ ...(d.meta ?? {}), fn: rest });
    }
    if (p !== '' && dirs.size === 0 && files.length === 0) {
      const err = new Error(`no library entry ${type}/${p}`) as Error & { code: string };
      err.code = 'not_found';
      throw err;
    }
    return [...[...dirs].sort(), ...files.sort((a, b) => String(a.fn).localeCompare(String(b.fn)))];
  }
}

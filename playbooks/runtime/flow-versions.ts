/**
 * Every deploy of the playbooks as a version in the StateStore (so every replica runs the same
 * flows): who, when, what changed, the revision, the flows and their credentials (encrypted by
 * Node-RED with the platform's credential secret). A version is created only if its number is
 * new (create-if-new across replicas) and only on top of the version the deployer loaded, so
 * two concurrent deploys never silently drop one another's change: the second is refused.
 */
import { CitySocError } from '../../core/errors';
import type { StateStore } from '../../core/ports/state-store';
import type { FlowItem } from '../catalog';
import { diffFlows, type FlowDiff, flowRev } from './flow-diff';

export const VERSIONS = 'playbook-flow-versions';
export const VERSION_INDEX = 'playbook-flow-index';
export const RUNTIME = 'playbook-runtime';

export const VERSION_ACTIONS = ['deploy', 'rollback', 'shipped'] as const;
export type VersionAction = (typeof VERSION_ACTIONS)[number];

export interface FlowVersion {
  readonly version: number;
  readonly rev: string;
  readonly at: string;
  /** The actor's name (user, `playbook:…`, `system`). */
  readonly by: string;
  /** The person accountable. */
  readonly person: string;
  readonly action: VersionAction;
  readonly message: string;
  readonly basedOn: number;
  readonly diff: FlowDiff;
}

export interface VersionDoc extends FlowVersion {
  readonly flows: FlowItem[];
  readonly credentials: Record<string, unknown>;
}

export interface Commit {
  readonly flows: FlowItem[];
  readonly credentials: Record<string, unknown>;
  readonly basedOn: number;
  readonly by: string;
  readonly person: string;
  readonly action: VersionAction;
  readonly message: string;
}

const vid = (v: number) => `v${String(v).padStart(9, '0')}`;

export class FlowVersions {
  constructor(
    private readonly state: StateStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * The latest version number (0: nothing deployed yet). A version stored by a replica that died
   * before it moved the head is found and adopted here, so the numbering never gets stuck.
   */
  async head(): Promise<number> {
    const h = (await this.state.get(RUNTIME, 'head')) as { version?: number } | null;
    let v = h?.version ?? 0;
    for (;;) {
      const next = (await this.state.get(VERSIONS, vid(v + 1))) as VersionDoc | null;
      if (!next) break;
      await this.state.put(VERSION_INDEX, vid(v + 1), meta(next));
      v++;
    }
    if (v !== (h?.version ?? 0)) await this.state.put(RUNTIME, 'head', { version: v });
    return v;
  }

  async get(version: number): Promise<VersionDoc | null> {
    return (await this.state.get(VERSIONS, vid(version))) as VersionDoc | null;
  }

  /** Versions, newest first, without their flows. */
  async list(): Promise<FlowVersion[]> {
    const docs = await this.state.all(VERSION_INDEX);
    return docs.map((d) => d.doc as unknown as FlowVersion).sort((a, b) => b.version - a.version);
  }

  async commit(c: Commit): Promise<FlowVersion> {
    const head = await this.head();
    if (c.basedOn !== head)
      throw new CitySocError(
        'CONFLICT',
        `the playbooks were deployed elsewhere (version ${head}) after version ${c.basedOn} was loaded here; reload the flows and deploy again`,
      );
    const prev = head > 0 ? await this.get(head) : null;
    const doc: VersionDoc = {
      version: head + 1,
      rev: flowRev(c.flows),
      at: this.clock().toISOString(),
      by: c.by,
      person: c.person,
      action: c.action,
      message: c.message,
      basedOn: c.basedOn,
      diff: diffFlows(prev?.flows ?? [], c.flows),
      flows: c.flows,
      credentials: c.credentials,
    };
    if (!(await this.state.create(VERSIONS, vid(doc.version), doc as unknown as Record<string, unknown>)))
      throw new CitySocError('CONFLICT', `version ${doc.version} of the playbooks was just deployed elsewhere; reload the flows and deploy again`);
    await this.state.put(VERSION_INDEX, vid(doc.version), meta(doc));
    await this.state.put(RUNTIME, 'head', { version: doc.version });
    return meta(doc) as unknown as FlowVersion;
  }
}

function meta(d: VersionDoc): Record<string, unknown> {
  const { flows: _f, credentials: _c, ...m } = d;
  return m as unknown as Record<string, unknown>;
}

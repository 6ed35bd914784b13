/**
 * Node-RED's persistent context (flow and global variables a playbook keeps between runs) in
 * CitySOC's StateStore, one document per scope. Reads are served from memory (Node-RED allows
 * synchronous context reads); each write is stored before its callback is called, and writes
 * of one scope are stored in order. Values are kept as JSON.
 */
import type { StateStore } from '../../core/ports/state-store';

export const CONTEXT = 'playbook-context';

interface PropertyUtil {
  getObjectProperty(o: unknown, key: string): unknown;
  setObjectProperty(o: unknown, key: string, value: unknown, createMissing?: boolean): boolean;
}

type Callback = (err?: Error | null, ...values: unknown[]) => void;

export class StateContextStore {
  private data = new Map<string, Record<string, unknown>>();
  private readonly writes = new Map<string, Promise<void>>();

  constructor(
    private readonly state: StateStore,
    private readonly util: PropertyUtil,
  ) {}

  async open(): Promise<void> {
    this.data = new Map((await this.state.all(CONTEXT)).map((d) => [d.id, d.doc]));
  }

  async close(): Promise<void> {
    await Promise.all(this.writes.values());
  }

  get(scope: string, key: string | string[], callback?: Callback): unknown {
    const one = (k: string) => {
      const d = this.data.get(scope);
      return d === undefined ? undefined : this.util.getObjectProperty(d, k);
    };
    try {
      const values = Array.isArray(key) ? key.map(one) : [one(key)];
      if (!callback) return Array.isArray(key) ? values : values[0];
      callback(null, ...values);
    } catch (e) {
      if (!callback) throw e;
      callback(e as Error);
    }
    return undefined;
  }

  set(scope: string, key: string | string[], value: unknown, callback?: Callback): void {
    const keys = Array.isArray(key) ? key : [key];
    const values = Array.isArray(key) ? (Array.isArray(value) ? value : [value]) : [value];
    const d = { ...(this.data.get(scope) ?? {}) };
    try {
      keys.forEach((k, i) => this.util.setObjectProperty(d, k, i < values.length ? JSON.parse(JSON.stringify(values[i] ?? null)) : null, true));
    } catch (e) {
      if (!callback) throw e;
      return callback(e as Error);
    }
    this.data.set(scope, d);
    const write = this.persist(scope);
    if (callback)
      write.then(
        () => callback(null),
        (e: unknown) => callback(e as Error),
      );
  }

  keys(scope: string, callback?: Callback): unknown {
    const ks = Object.keys(this.data.get(scope) ?? {});
    if (!callback) return ks;
    callback(null, ks);
    return undefined;
  }

  async delete(scope: string): Promise<void> {
    this.data.delete(scope);
    await this.persist(scope);
  }

  /** Drops the context of nodes no longer deployed. */
  async clean(activeNodes: string[]): Promise<void> {
    const gone = [...this.data.keys()].filter((s) => s !== 'global' && !activeNodes.includes(s.split(':')[0]!));
    await Promise.all(gone.map((s) => this.delete(s)));
  }

  private persist(scope: string): Promise<void> {
    const prev = this.writes.get(scope) ?? Promise.resolve();
    const next = prev
      .catch(() => undefined)
      .then(async () => {
        const d = this.data.get(scope);
        if (d === undefined) await this.state.remove(CONTEXT, scope);
        else await this.state.put(CONTEXT, scope, d);
      });
    this.writes.set(scope, next);
    void next.finally(() => this.writes.get(scope) === next && this.writes.delete(scope)).catch(() => undefined);
    return next;
  }
}

/** The `contextStorage.default.module` Node-RED instantiates. */
export function contextStoreModule(store: StateContextStore): () => StateContextStore {
  return () => store;
}

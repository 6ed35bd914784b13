/**
 * Node-RED embedded in the CitySOC process: `RED.init` with our settings on a stand-in for the
 * HTTP server (it receives only the editor's WebSocket upgrades, which the platform's server hands
 * over; requests reach Node-RED's Express apps through the HttpMounts), started, and stopped in
 * order. Node-RED keeps its state in module globals, so there is one runtime per process.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { CitySocError } from '../../core/errors';
import type { FlowItem } from '../catalog';
import { nodeRedSettings, RED_LEVELS, type SettingsInput } from './settings';

type ExpressApp = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

interface RedModule {
  init(server: unknown, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly httpAdmin: ExpressApp;
  readonly httpNode: ExpressApp;
  readonly events: EventEmitter;
  readonly nodes: { getType(type: string): unknown };
  readonly util: { getObjectProperty(o: unknown, k: string): unknown; setObjectProperty(o: unknown, k: string, v: unknown, c?: boolean): boolean };
  readonly runtime: {
    flows: {
      setFlows(opts: {
        flows: { flows?: FlowItem[]; credentials?: Record<string, unknown> };
        deploymentType: string;
        user?: unknown;
      }): Promise<{ rev: string }>;
      getFlows(opts: Record<string, unknown>): Promise<{ flows: FlowItem[]; rev: string }>;
    };
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RED = (): RedModule => require('node-red') as RedModule;

let running = false;

export interface RuntimeEvents {
  /** Flows are being stopped for a deploy (or the stop of the runtime). */
  readonly stopping: () => void;
  /** Flows started (first start, deploy, reload). */
  readonly started: () => void;
}

export interface StartInput extends Omit<SettingsInput, 'userDir' | 'logHandler'> {
  /** Node-RED's user directory: kept empty of flows and credentials (they live in the StateStore). */
  readonly workDir: string;
  readonly log: { error(o: object, m: string): void; warn(o: object, m: string): void; debug(o: object, m: string): void };
  readonly events: RuntimeEvents;
}

export class NodeRedRuntime {
  /** What Node-RED takes for the HTTP server: it only listens for 'upgrade' on it. */
  readonly upgrades = new EventEmitter();
  private stopped = false;

  private constructor(private readonly events: RuntimeEvents) {}

  static async start(o: StartInput): Promise<NodeRedRuntime> {
    if (running) throw new CitySocError('CONFLICT', 'a Node-RED runtime runs in this process already; there is one per process');
    running = true;
    try {
      mkdirSync(o.workDir, { recursive: true, mode: 0o700 });
      // The registry reads the user directory's package.json; nothing else is written there.
      const pkg = path.join(o.workDir, 'package.json');
      if (!existsSync(pkg)) writeFileSync(pkg, JSON.stringify({ name: 'citysoc-playbooks', private: true, description: 'Node-RED work directory of CitySOC' }));
      const rt = new NodeRedRuntime(o.events);
      const red = RED();
      const settings = nodeRedSettings({
        ...o,
        userDir: o.workDir,
        logHandler: (m) => {
          const text = typeof m.msg === 'string' ? m.msg : m.msg instanceof Error ? m.msg.message : JSON.stringify(m.msg);
          const ctx = { component: 'node-red', ...(m.type ? { node: m.type, id: m.id } : {}) };
          if (m.level <= RED_LEVELS.error) o.log.error(ctx, text);
          else if (m.level <= RED_LEVELS.warn) o.log.warn(ctx, text);
          else o.log.debug(ctx, text);
        },
      });
      red.init(rt.upgrades, settings);
      red.events.on('flows:stopping', rt.onStopping);
      red.events.on('flows:started', rt.onStarted);
      await red.start();
      return rt;
    } catch (e) {
      running = false;
      throw e;
    }
  }

  private readonly onStopping = () => this.events.stopping();
  private readonly onStarted = () => this.events.started();

  get editorApp(): ExpressApp {
    return RED().httpAdmin;
  }

  get hooksApp(): ExpressApp {
    return RED().httpNode;
  }

  get util(): RedModule['util'] {
    return RED().util;
  }

  /**
   * Node types in the flows that this runtime does not have (a core node left out, a module not
   * installed). Node-RED would stop every flow waiting for them, so such a deploy is refused.
   */
  unknownTypes(flows: readonly FlowItem[]): string[] {
    const known = (t: string) => t === 'tab' || t === 'subflow' || t === 'group' || t.startsWith('subflow:') || RED().nodes.getType(t) !== undefined;
    return [...new Set(flows.map((f) => f.type).filter((t) => !known(t)))].sort();
  }

  /** Deploys a whole configuration (rollback, shipped playbooks); `user` carries who does it to the storage module. */
  async deploy(flows: FlowItem[], credentials: Record<string, unknown> | undefined, user: unknown): Promise<string> {
    const r = await RED().runtime.flows.setFlows({ flows: { flows, ...(credentials ? { credentials } : {}) }, deploymentType: 'full', user });
    return r.rev;
  }

  /** Loads the flows from storage again (another replica deployed). */
  async reload(): Promise<void> {
    await RED().runtime.flows.setFlows({ flows: {}, deploymentType: 'reload' });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const red = RED();
    try {
      await red.stop();
    } finally {
      red.events.off('flows:stopping', this.onStopping);
      red.events.off('flows:started', this.onStarted);
      running = false;
    }
  }
}

/**
 * Where runs come from. `alert in` nodes share one consumer group on citysoc.alerts (one group
 * for the whole module, so a node removed in the editor never leaves a group behind that holds
 * the spool): each alert is matched against every enabled `alert in` node, the runs are stored,
 * and only then is the bus offset committed. While a deploy swaps the nodes the intake pauses,
 * so no alert falls into the gap. `schedule`, `risk level` and `manual` start runs the same way.
 */
import { Alert } from '../../core/alert';
import type { Bus, DeliveredMessage, Subscription } from '../../core/ports/bus';
import { CitySocError } from '../../core/errors';
import type { PlaybookCatalog } from '../catalog';
import type { PlaybookHost, RiskChange } from '../host';
import { deterministicId } from '../runs/envelope';
import type { FlowNode, RunEngine, StartItem } from '../runs/engine';
import type { EngineLog } from '../runs/engine';
import { type AlertFilter, matchesAlert } from './alert-filter';

export const ALERT_GROUP = 'playbooks';

interface Gate {
  readonly promise: Promise<void>;
  readonly open: () => void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

export class AlertIntake {
  private readonly nodes = new Map<string, { node: FlowNode; filter: AlertFilter }>();
  private sub: Subscription | null = null;
  private paused: Gate | null = null;
  /** Alerts matched and runs started, for the benchmark and the tests. */
  readonly counts = { alerts: 0, rejected: 0, started: 0 };

  constructor(
    private readonly bus: Bus,
    private readonly engine: RunEngine,
    private readonly catalog: PlaybookCatalog,
    private readonly log?: EngineLog,
  ) {}

  add(node: FlowNode, filter: AlertFilter): void {
    this.nodes.set(node.id, { node, filter });
  }

  remove(node: FlowNode): void {
    if (this.nodes.get(node.id)?.node === node) this.nodes.delete(node.id);
  }

  async start(): Promise<void> {
    if (this.sub) return;
    this.sub = await this.bus.subscribe<unknown>('citysoc.alerts', ALERT_GROUP, (batch) => this.take(batch));
  }

  /** A deploy is swapping the nodes: hold the current batch (uncommitted) until it is done. */
  pause(): void {
    this.paused ??= gate();
  }

  resume(): void {
    this.paused?.open();
    this.paused = null;
  }

  private async take(batch: DeliveredMessage<unknown>[]): Promise<void> {
    while (this.paused) await this.paused.promise;
    const items: StartItem[] = [];
    for (const m of batch) {
      const parsed = Alert.safeParse(m.value);
      if (!parsed.success) {
        this.counts.rejected++;
        const reason = parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ');
        await this.engine.store.reject({ source: `citysoc.alerts@${m.offset}`, reason, raw: JSON.stringify(m.value ?? null).slice(0, 65536) });
        this.log?.warn({ offset: m.offset, reason }, 'alert on citysoc.alerts is not valid; kept with the rejected trigger inputs');
        continue;
      }
      this.counts.alerts++;
      const alert = parsed.data;
      for (const { node, filter } of this.nodes.values()) {
        const on = this.catalog.enabled(node.z);
        if (!on || !matchesAlert(filter, alert)) continue;
        items.push({
          node,
          runId: deterministicId('run', node.id, alert.id),
          trigger: { kind: 'alert', nodeId: node.id, alertId: alert.id, ruleId: alert.rule.id },
          playbookName: this.catalog.name(node.z),
          person: on.by,
          ...(alert.department ? { department: alert.department } : {}),
          msg: { topic: alert.rule.name, payload: alert.id, alert },
        });
      }
    }
    if (items.length === 0) return;
    await this.engine.capacity();
    this.counts.started += (await this.engine.start(items)).length;
  }

  async stop(): Promise<void> {
    this.resume();
    await this.sub?.stop();
    this.sub = null;
  }
}

/** `schedule`: a run every N minutes, or every day at a time; slots have ids, so a slot runs once. */
export class ScheduleTrigger {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly node: FlowNode,
    private readonly spec: { everyMinutes?: number; at?: string },
    private readonly engine: RunEngine,
    private readonly catalog: PlaybookCatalog,
    private readonly log?: EngineLog,
  ) {}

  static parse(s: { every?: unknown; at?: unknown }): { everyMinutes?: number; at?: string } {
    const every = Number(s.every ?? 0);
    const at = typeof s.at === 'string' ? s.at.trim() : '';
    if (at !== '') {
      const m = /^(\d{1,2}):(\d{2})$/.exec(at);
      if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new CitySocError('INPUT_INVALID', `'${at}' is not a time of day such as 02:30`);
      return { at };
    }
    if (!Number.isFinite(every) || every < 1 || every > 7 * 24 * 60)
      throw new CitySocError('INPUT_INVALID', 'give a daily time (HH:MM) or an interval of 1 to 10080 minutes');
    return { everyMinutes: Math.floor(every) };
  }

  /** The next slot strictly after `now`. */
  static next(spec: { everyMinutes?: number; at?: string }, now: Date): Date {
    if (spec.at) {
      const [h, m] = spec.at.split(':').map(Number) as [number, number];
      const d = new Date(now);
      d.setHours(h, m, 0, 0);
      if (d.getTime() <= now.getTime()) d.setDate(d.getDate() + 1);
      return d;
    }
    const step = spec.everyMinutes! * 60_000;
    return new Date((Math.floor(now.getTime() / step) + 1) * step);
  }

  start(): void {
    const slot = ScheduleTrigger.next(this.spec, new Date());
    this.timer = setTimeout(() => void this.fire(slot).finally(() => this.timer && this.start()), Math.max(0, slot.getTime() - Date.now()));
    this.timer.unref?.();
  }

  private async fire(slot: Date): Promise<void> {
    const on = this.catalog.enabled(this.node.z);
    if (!on) return;
    await this.engine
      .start([
        {
          node: this.node,
          runId: deterministicId('run', this.node.id, slot.toISOString()),
          trigger: { kind: 'schedule', nodeId: this.node.id, at: slot.toISOString() },
          playbookName: this.catalog.name(this.node.z),
          person: on.by,
          msg: { topic: 'schedule', payload: slot.toISOString() },
        },
      ])
      .catch((err: unknown) => this.log?.error({ err, node: this.node.id }, 'scheduled run not started'));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** `risk level`: a run when an entity's risk crosses the node's level upwards. */
export class RiskTrigger {
  private readonly nodes = new Map<string, { node: FlowNode; level: number; entityType: string | null }>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly host: PlaybookHost,
    private readonly engine: RunEngine,
    private readonly catalog: PlaybookCatalog,
    private readonly log?: EngineLog,
  ) {}

  static parse(s: { level?: unknown; entityType?: unknown }): { level: number; entityType: string | null } {
    const level = Number(s.level);
    if (!Number.isFinite(level) || level <= 0 || level > 100) throw new CitySocError('INPUT_INVALID', 'the risk level is a number above 0 and at most 100');
    const t = typeof s.entityType === 'string' ? s.entityType.trim() : '';
    if (t !== '' && !['user', 'host', 'ip'].includes(t)) throw new CitySocError('INPUT_INVALID', `entity type '${t}' is not one of user, host, ip`);
    return { level, entityType: t === '' ? null : t };
  }

  /** False when the platform gives no risk source. */
  add(node: FlowNode, spec: { level: number; entityType: string | null }): boolean {
    if (!this.host.watchRisk) return false;
    this.nodes.set(node.id, { node, ...spec });
    this.unsubscribe ??= this.host.watchRisk((c) => void this.changed(c));
    return true;
  }

  remove(node: FlowNode): void {
    if (this.nodes.get(node.id)?.node === node) this.nodes.delete(node.id);
    if (this.nodes.size === 0 && this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = null;
    }
  }

  private async changed(c: RiskChange): Promise<void> {
    const items: StartItem[] = [];
    for (const { node, level, entityType } of this.nodes.values()) {
      const on = this.catalog.enabled(node.z);
      if (!on || (entityType && c.entity.type !== entityType) || !(c.from < level && c.to >= level)) continue;
      const entity = `${c.entity.type}:${c.entity.value}`;
      items.push({
        node,
        runId: deterministicId('run', node.id, entity, c.at),
        trigger: { kind: 'risk', nodeId: node.id, entity, at: c.at },
        playbookName: this.catalog.name(node.z),
        person: on.by,
        ...(c.department ? { department: c.department } : {}),
        msg: { topic: 'risk', payload: c, alert: { entities: [c.entity], department: c.department } },
      });
    }
    await this.engine.start(items).catch((err: unknown) => this.log?.error({ err }, 'risk-triggered runs not started'));
  }
}

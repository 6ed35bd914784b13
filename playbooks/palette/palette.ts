/**
 * The CitySOC palette as Node-RED sees it: the node files in nodes/ are thin CommonJS shells that
 * hand each node to `setup` (reached through `RED.settings.citysoc`), and everything a node does
 * lives here, typed and tested. A node whose settings are wrong shows it (red status, an error
 * in the log) and fails every message with the reason rather than acting on a guess.
 */
import { ROLES } from '../../core/roles';
import type { Actor } from '../../core/actor';
import { CitySocError } from '../../core/errors';
import type { Alert } from '../../core/alert';
import type { PlaybookCatalog } from '../catalog';
import type { Done, EngineLog, FlowNode, RunEngine } from '../runs/engine';
import { envelopeOf, type Message } from '../runs/envelope';
import { ACTION_TYPES, type ActionDeps, isActionType, type Settings } from './actions';
import { parseAlertFilter } from './alert-filter';
import { alertOf, entitiesOf, render } from './message';
import { AlertIntake, RiskTrigger, ScheduleTrigger } from './triggers';
import { randomUUID } from 'node:crypto';

/** A Node-RED node as the palette drives it. */
export interface RedNode extends FlowNode {
  on(event: 'input', h: (msg: Message, send: (m: unknown) => void, done: Done) => void): void;
  on(event: 'close', h: (removed: boolean, done: () => void) => void): void;
  error(e: unknown, msg?: unknown): void;
  readonly credentials?: Record<string, string | undefined>;
}

export interface PaletteDeps extends ActionDeps {
  readonly engine: RunEngine;
  readonly catalog: PlaybookCatalog;
  readonly intake: AlertIntake;
  readonly risk: RiskTrigger;
  readonly log?: EngineLog;
  /** Default approval deadline. */
  readonly approvalTimeoutHours: number;
}

export const TRIGGER_TYPES = ['citysoc-alert-in', 'citysoc-risk-level', 'citysoc-schedule', 'citysoc-manual'] as const;
export const CONTROL_TYPES = ['citysoc-approval', 'citysoc-dry-run'] as const;

export interface Palette {
  setup(type: string, node: RedNode, settings: Settings): void;
  /** Starts runs of a playbook's `manual` triggers on an alert; the run is accountable to the caller. */
  runManual(actor: Actor, playbookId: string, alert: Alert, dryRun: boolean): Promise<string[]>;
}

function broken(node: RedNode, reason: string): void {
  node.status({ fill: 'red', shape: 'ring', text: 'invalid settings' });
  node.error(`invalid settings: ${reason}`);
  node.on('input', (_msg, _send, done) => done(new Error(`invalid settings: ${reason}`)));
}

export function createPalette(d: PaletteDeps): Palette {
  const manual = new Map<string, RedNode>();

  const approval = (node: RedNode, s: Settings) => {
    const role = (typeof s.approverRole === 'string' && s.approverRole) || 'security_lead';
    if (!(ROLES as readonly string[]).includes(role)) throw new CitySocError('INPUT_INVALID', `approver role '${role}' is not one of ${ROLES.join(', ')}`);
    const hours = s.timeoutHours === undefined || s.timeoutHours === '' ? d.approvalTimeoutHours : Number(s.timeoutHours);
    if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30) throw new CitySocError('INPUT_INVALID', 'the approval deadline is from 0 to 720 hours');
    const question =
      (typeof s.question === 'string' && s.question.trim()) || 'Approve the next steps of {{citysoc.playbookName}} for alert {{alert.rule.name}}?';
    node.on('input', (msg, _send, done) => {
      const a = alertOf(msg);
      const enrichment = msg.enrichment as { summary?: unknown } | undefined;
      void d.engine.park(node, msg, done, {
        question: render(question, msg),
        context: {
          ...(a.id ? { alert: { id: a.id, rule: (msg.alert as { rule?: unknown }).rule, department: a.department, entities: a.entities } } : {}),
          ...(enrichment?.summary ? { enrichment: enrichment.summary } : {}),
        },
        approverRole: role,
        excluded: entitiesOf(msg, 'user'),
        timeoutMs: hours * 3_600_000,
      });
    });
  };

  const dryRun = (node: RedNode) => {
    node.on('input', (msg, _send, done) => {
      const env = envelopeOf(msg);
      if (env) msg.citysoc = { ...env, dryRun: true };
      void (async () => {
        if (env) await d.engine.markDryRun(env.runId, node.z);
        await d.engine.perform(node, msg, done, { outputPath: '', simulate: () => ({ dryRun: true }), act: async () => ({ dryRun: true }) });
      })().catch((e: unknown) => done(e instanceof Error ? e : new Error(String(e))));
    });
  };

  const trigger = (type: string, node: RedNode, s: Settings) => {
    switch (type) {
      case 'citysoc-alert-in': {
        d.intake.add(node, parseAlertFilter(s));
        node.on('close', (_r, done) => (d.intake.remove(node), done()));
        node.status({ fill: 'green', shape: 'dot', text: 'citysoc.alerts' });
        return;
      }
      case 'citysoc-schedule': {
        const t = new ScheduleTrigger(node, ScheduleTrigger.parse(s), d.engine, d.catalog, d.log);
        t.start();
        node.on('close', (_r, done) => (t.stop(), done()));
        return;
      }
      case 'citysoc-risk-level': {
        if (!d.risk.add(node, RiskTrigger.parse(s))) node.status({ fill: 'grey', shape: 'ring', text: 'no risk source in this platform' });
        node.on('close', (_r, done) => (d.risk.remove(node), done()));
        return;
      }
      case 'citysoc-manual': {
        manual.set(node.id, node);
        node.on('close', (_r, done) => (manual.get(node.id) === node && manual.delete(node.id), done()));
        return;
      }
    }
  };

  return {
    setup(type, node, s) {
      d.engine.register(node);
      node.on('close', (_removed, done) => (d.engine.unregister(node), done()));
      try {
        if ((TRIGGER_TYPES as readonly string[]).includes(type)) return trigger(type, node, s);
        if (type === 'citysoc-approval') return approval(node, s);
        if (type === 'citysoc-dry-run') return dryRun(node);
        if (!isActionType(type)) throw new CitySocError('INPUT_INVALID', `${type} is not a CitySOC node`);
        const spec = ACTION_TYPES[type](s, d, node);
        node.on('input', (msg, _send, done) => void d.engine.perform(node, msg, done, spec));
      } catch (e) {
        broken(node, e instanceof Error ? e.message : String(e));
      }
    },

    async runManual(actor, playbookId, alert, dryRun) {
      const nodes = [...manual.values()].filter((n) => n.z === playbookId);
      if (nodes.length === 0)
        throw new CitySocError('CONFLICT', `playbook ${playbookId} has no manual trigger deployed; add a "manual" node to run it by hand`);
      await d.engine.capacity();
      return d.engine.start(
        nodes.map((node) => ({
          node,
          runId: `run-${randomUUID()}`,
          trigger: { kind: 'manual' as const, nodeId: node.id, alertId: alert.id, ruleId: alert.rule.id },
          playbookName: d.catalog.name(playbookId),
          person: actor.person,
          ...(alert.department ? { department: alert.department } : {}),
          dryRun,
          msg: { topic: alert.rule.name, payload: alert.id, alert },
        })),
      );
    },
  };
}

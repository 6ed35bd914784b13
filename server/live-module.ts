/**
 * The live alert feed: a GraphQL subscription, served over SSE by graphql-yoga, of every alert the
 * alert writer creates or changes, as it is written (the analytics module's AlertFeed).
 *
 * A subscriber is authorized once, through the door, when it subscribes (alerts:read, one audit
 * record); each alert pushed to it then passes that decision's row filter (evaluated in memory by
 * core/query/evaluate.ts, as the store applies it to the queue) and its field treatments. A stream
 * ends — and the client subscribes again, through the door — as soon as what it was opened under no
 * longer holds: the credential was revoked or now carries other roles or another department, the
 * account was isolated, or the PDP would now decide otherwise (a policy change, an emergency grant
 * that expired, a time-of-day condition). It also ends when the subscriber falls too far behind
 * (the console then reloads its lists). Subscribers are bounded in all and per person.
 */
import { Repeater } from 'graphql-yoga';
import { z } from 'zod';
import type { Actor } from '../core/actor';
import type { Alert } from '../core/alert';
import type { Authorizer, Decision, ResourceRef } from '../core/authz';
import type { Doc } from '../core/doc';
import { bind, defineAction, type Scope, type StoredItem } from '../core/door';
import { CitySocError } from '../core/errors';
import type { Logger } from '../core/logging';
import { defineModule, KERNEL, viaService } from '../core/module';
import { evaluate } from '../core/query/evaluate';
import type { AlertFeed } from '../analytics/module';
import type { IdentityKernel } from '../identity/module';

export const LiveConfig = z.strictObject({
  /** Open subscriptions on this process, all callers together. */
  maxSubscribers: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** Open subscriptions of one person (tabs, screens, tokens they issued). */
  maxPerPerson: z.coerce.number().int().min(1).max(1000).default(10),
  /** Alerts waiting for a subscriber that does not read; beyond it the stream ends. */
  maxQueued: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** How often open streams are checked against their credential and decision when no alert comes. */
  recheckSeconds: z.coerce.number().int().min(1).max(3600).default(15),
});
export type LiveConfig = z.infer<typeof LiveConfig>;

/** What a subscriber receives: the alert as the queue shows it to them, and whether it is new. */
export interface AlertChange {
  readonly alert: Alert;
  readonly created: boolean;
}

/** Who opened a stream and under which decision; a stream lives while `holds()` says so. */
interface Subscriber<C> {
  readonly person: string;
  /** The change as this subscriber may see it, or null when its decision excludes it. */
  admit(change: C): C | null;
  holds(now: Date): boolean;
  push(change: C): void;
  end(): void;
}

/**
 * The open streams of one kind of change on this process (alerts, playbook runs, cases), with their
 * limits: a change is offered to every subscriber, each admitting only what its decision lets it
 * see, and a subscriber whose credential or decision no longer holds is let go.
 */
export class LiveStreams<C> {
  private readonly subscribers = new Set<Subscriber<C>>();
  private readonly timer: NodeJS.Timeout;
  private readonly unwatch: () => void;

  /**
   * `credentialsChanged` registers a call for every change of users, sessions and tokens (the
   * identity store's onChange): a stream whose session ended, whose account was disabled or whose
   * token was revoked ends then, not at the next timer. Policy, isolation and grants are judged on
   * the timer (and at the next change offered).
   */
  constructor(
    private readonly what: string,
    private readonly limits: LiveConfig,
    private readonly clock: () => Date,
    private readonly log: Logger,
    credentialsChanged?: (judgeAgain: () => void) => () => void,
  ) {
    this.timer = setInterval(() => this.sweep(), limits.recheckSeconds * 1000);
    this.timer.unref();
    this.unwatch = credentialsChanged?.(() => this.sweep()) ?? (() => undefined);
  }

  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Runs in the writer's own call: a subscriber whose check or admission fails is let go (the
   * client subscribes again) and never makes the writer fail or skip the other subscribers.
   */
  publish(change: C): void {
    const now = this.clock();
    for (const s of [...this.subscribers]) {
      try {
        if (!s.holds(now)) {
          s.end();
          continue;
        }
        const seen = s.admit(change);
        if (seen) s.push(seen);
      } catch (err) {
        this.letGo(s, err);
      }
    }
  }

  /** Ends every stream whose credential or decision no longer holds (on a timer; tests call it to skip the wait). */
  sweep(): void {
    const now = this.clock();
    for (const s of [...this.subscribers]) {
      try {
        if (!s.holds(now)) s.end();
      } catch (err) {
        this.letGo(s, err);
      }
    }
  }

  private letGo(s: Subscriber<C>, err: unknown): void {
    this.log.error({ err, person: s.person }, `a live ${this.what} subscription failed; its stream ends`);
    s.end();
  }

  /** A stream for a caller the door has just authorized; refused over the limits. */
  open(actor: Actor, admit: (change: C) => C | null, holds: (now: Date) => boolean): AsyncIterable<C> {
    if (this.subscribers.size >= this.limits.maxSubscribers)
      throw new CitySocError('LIMIT_EXCEEDED', `this server already serves ${this.limits.maxSubscribers} live ${this.what} subscriptions`, {
        limit: this.limits.maxSubscribers,
      });
    const mine = [...this.subscribers].filter((s) => s.person === actor.person).length;
    if (mine >= this.limits.maxPerPerson)
      throw new CitySocError('LIMIT_EXCEEDED', `${actor.person} already has ${this.limits.maxPerPerson} live ${this.what} subscriptions open`, {
        limit: this.limits.maxPerPerson,
      });
    const maxQueued = this.limits.maxQueued;
    const subscribers = this.subscribers;
    return new Repeater<C>(async (push, stop) => {
      let waiting = 0;
      const subscriber: Subscriber<C> = {
        person: actor.person,
        admit,
        holds,
        push(change) {
          // A reader that stopped reading is let go rather than buffered without end.
          if (++waiting > maxQueued) {
            stop();
            return;
          }
          void push(change).then(() => void waiting--);
        },
        end: () => stop(),
      };
      subscribers.add(subscriber);
      await stop;
      subscribers.delete(subscriber);
    });
  }

  close(): void {
    clearInterval(this.timer);
    this.unwatch();
    for (const s of [...this.subscribers]) s.end();
  }
}

/** The open alert streams of this process, fed by one listener on the alert feed. */
export class LiveAlerts {
  private readonly streams: LiveStreams<AlertChange>;
  private readonly unlisten: () => void;

  constructor(feed: AlertFeed, limits: LiveConfig, clock: () => Date, log: Logger, credentialsChanged?: (judgeAgain: () => void) => () => void) {
    this.streams = new LiveStreams<AlertChange>('alert', limits, clock, log, credentialsChanged);
    this.unlisten = feed.on((alert, created) => this.streams.publish({ alert, created }));
  }

  get size(): number {
    return this.streams.size;
  }

  sweep(): void {
    this.streams.sweep();
  }

  /** A stream of the alerts the scope's row filter admits, with its field treatments. */
  open(actor: Actor, scope: Scope, holds: (now: Date) => boolean): AsyncIterable<AlertChange> {
    const filters = scope.filters;
    return this.streams.open(
      actor,
      (c) => (filters.every((f) => evaluate(f, c.alert as unknown as Doc)) ? { alert: scope.treatOne(c.alert), created: c.created } : null),
      holds,
    );
  }

  close(): void {
    this.unlisten();
    this.streams.close();
  }
}

/** What a decision allows, for telling whether a later decision is the same. */
function decisionKey(d: Decision): string {
  return JSON.stringify([d.decision, d.obligations.rowFilter?.query ?? null, d.obligations.fields ?? [], d.obligations.grantId ?? null]);
}

/**
 * Whether the stream opened by `opened` under `decision` may go on: the same credential still
 * authenticates as the same person with the same roles and department, the account is not
 * isolated, and the PDP decides the subscription's request as it did.
 */
export function stillHolds(
  opened: Actor,
  decision: Decision,
  deps: { authenticate(): Actor | null; authorizer: Authorizer; sourceIp: string | undefined },
  resource: ResourceRef = { type: 'alerts' },
): (now: Date) => boolean {
  const key = decisionKey(decision);
  const roles = [...opened.roles].sort().join(',');
  return (now) => {
    const current = deps.authenticate();
    if (!current || current.mustChangePassword) return false;
    if (current.name !== opened.name || current.person !== opened.person || current.department !== opened.department) return false;
    if ([...current.roles].sort().join(',') !== roles) return false;
    const a = deps.authorizer;
    if (a.isolation(current.name, now) || a.isolation(current.person, now)) return false;
    const again = a.decide({
      subject: { user: current.name, roles: current.roles, ...(current.department ? { department: current.department } : {}) },
      resource,
      action: 'read',
      context: { time: now, zone: a.zoneOf(deps.sourceIp), ...(deps.sourceIp ? { ip: deps.sourceIp } : {}) },
    });
    return decisionKey(again) === key;
  };
}

/**
 * Whether `actor` may read the item now, as the door's `visible` judges a row of a list: the live
 * feeds of stored things (playbook runs, cases) judge each change per subscriber with it.
 */
export function readable(authorizer: Authorizer, actor: Actor, sourceIp: string | undefined, item: StoredItem, now: Date): boolean {
  const d = authorizer.decide({
    subject: { user: actor.name, roles: actor.roles, ...(actor.department ? { department: actor.department } : {}) },
    resource: item.resource,
    action: 'read',
    context: { time: now, zone: authorizer.zoneOf(sourceIp), ...(sourceIp ? { ip: sourceIp } : {}) },
  });
  return d.decision === 'allow' && (!d.obligations.rowFilter || evaluate(d.obligations.rowFilter.node, item.doc));
}

/** What the live module hands to the modules after it (the playbooks' and the cases' live feeds share its limits). */
export interface LiveServices {
  readonly live: LiveAlerts;
  readonly limits: LiveConfig;
}

/** The subscription's input: the caller's own bearer credential, to re-check it while the stream lives (never audited). */
export interface SubscribeInput {
  readonly token: string | null;
}

export const liveAlertsModule = defineModule<LiveConfig>({
  name: 'live-alerts',
  dependsOn: ['analytics', 'alerts', KERNEL.identity],
  config: { key: 'live', schema: LiveConfig },
  async start(ctx) {
    const { feed } = ctx.services.get<{ feed: AlertFeed }>('analytics');
    const identity = ctx.services.get<IdentityKernel>(KERNEL.identity);
    const live = new LiveAlerts(feed, ctx.config, ctx.clock, ctx.log, (f) => identity.store.onChange(f));
    const authorizer = ctx.door.authorizer;
    const svc = bind(ctx.door, {
      subscribe: defineAction({
        name: 'alerts.live',
        permission: 'alerts:read',
        resource: () => 'alerts:live',
        run: async (actx, i: SubscribeInput) => {
          const scope = actx.scope('alerts');
          const token = i.token;
          const holds = stillHolds(actx.actor, scope.decision, {
            authenticate: () => (token ? identity.store.authenticate(token, actx.sourceIp) : null),
            authorizer,
            sourceIp: actx.sourceIp,
          });
          return live.open(actx.actor, scope, holds);
        },
      }),
    });
    return {
      services: { live, limits: ctx.config } satisfies LiveServices,
      graphql: {
        typeDefs: LIVE_TYPEDEFS,
        resolvers: {
          Subscription: {
            alertChanged: {
              subscribe: viaService(svc.subscribe, (_a, who) => ({ token: who.token })),
              resolve: (change: AlertChange) => change,
            },
          },
        },
      },
      async stop() {
        live.close();
      },
    };
  },
});

const LIVE_TYPEDEFS = /* GraphQL */ `
  "An alert as the alert writer just wrote it."
  type AlertChange {
    "The alert with the subscriber's field treatments applied."
    alert: Alert!
    "True for a new alert, false for a repeat folded into an existing one."
    created: Boolean!
  }
  type Subscription {
    "Every alert created or changed by detection from now on, of the departments the caller may see (GraphQL over SSE: send Accept: text/event-stream). The stream ends when the caller's credential, roles or policy decision change; subscribe again."
    alertChanged: AlertChange!
  }
`;

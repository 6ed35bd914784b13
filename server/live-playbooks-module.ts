/**
 * The live feed of playbook runs and approvals: a GraphQL subscription, served over SSE like
 * `alertChanged`, of every run the engine starts or moves on and every approval it asks or gets
 * answered, as the run store writes them (playbooks' RunChanges). The console refreshes its run
 * and approval lists from it, so a pending approval appears without a reload.
 *
 * The subscription is authorized once through the door (playbooks:read, one audit record); each
 * change is then judged for the subscriber as `playbookRuns` and `playbookApprovals` judge their
 * rows: the PDP's decision for the run's department, and its row filter. A stream ends as
 * `alertChanged`'s does (credential, roles, isolation, policy decision), with the live module's
 * limits, counted apart from the alert streams.
 */
import type { ResourceRef } from '../core/authz';
import { bind, defineAction, type StoredItem } from '../core/door';
import { defineModule, KERNEL, viaService } from '../core/module';
import type { IdentityKernel } from '../identity/module';
import type { Playbooks } from '../playbooks/playbooks';
import type { RunChange } from '../playbooks/runs/run-changes';
import type { ApprovalRecord, RunRecord } from '../playbooks/runs/model';
import { approvalItem, runItem } from '../playbooks/services';
import { LiveStreams, type LiveServices, readable, stillHolds, type SubscribeInput } from './live-module';

/** What a subscriber receives: the run or the approval just stored (the other is null). */
export interface PlaybookChange {
  readonly run: RunRecord | null;
  readonly approval: ApprovalRecord | null;
}

const itemOf = (c: RunChange): StoredItem => (c.kind === 'run' ? runItem(c.run) : approvalItem(c.approval));

export const livePlaybooksModule = defineModule({
  name: 'live-playbooks',
  dependsOn: ['live-alerts', 'playbooks', KERNEL.identity],
  async start(ctx) {
    // Playbooks switched off: nothing to follow.
    if (!ctx.services.has('playbooks')) return {};
    const playbooks = ctx.services.get<Playbooks>('playbooks');
    const { limits } = ctx.services.get<LiveServices>('live-alerts');
    const identity = ctx.services.get<IdentityKernel>(KERNEL.identity);
    const authorizer = ctx.door.authorizer;
    const streams = new LiveStreams<RunChange>('playbook', limits, ctx.clock, ctx.log, (f) => identity.store.onChange(f));
    const unlisten = playbooks.changes.on((c) => streams.publish(c));
    const svc = bind(ctx.door, {
      subscribe: defineAction({
        name: 'playbooks.live',
        permission: 'playbooks:read',
        resource: () => 'playbooks:live',
        run: async (actx, i: SubscribeInput) => {
          const { actor, sourceIp } = actx;
          // Runs belong to departments: the caller must be let read those of its own (all, without one);
          // others' (an emergency grant) are judged run by run, as the lists judge them.
          const own: ResourceRef = { type: 'playbooks', ...(actor.department ? { department: actor.department } : {}) };
          const decision = actx.require(own);
          const token = i.token;
          const holds = stillHolds(
            actor,
            decision,
            { authenticate: () => (token ? identity.store.authenticate(token, sourceIp) : null), authorizer, sourceIp },
            own,
          );
          return streams.open(actor, (c) => (readable(authorizer, actor, sourceIp, itemOf(c), ctx.clock()) ? c : null), holds);
        },
      }),
    });
    return {
      services: { streams },
      graphql: {
        typeDefs: LIVE_PLAYBOOKS_TYPEDEFS,
        resolvers: {
          Subscription: {
            playbookChanged: {
              subscribe: viaService(svc.subscribe, (_a, who) => ({ token: who.token })),
              resolve: (c: RunChange): PlaybookChange => (c.kind === 'run' ? { run: c.run, approval: null } : { run: null, approval: c.approval }),
            },
          },
        },
      },
      async stop() {
        unlisten();
        streams.close();
      },
    };
  },
});

const LIVE_PLAYBOOKS_TYPEDEFS = /* GraphQL */ `
  "A playbook run or approval as the run engine just stored it: exactly one of the two is set."
  type PlaybookChange {
    "The run, when it started or moved on (waiting, retrying, succeeded, failed)."
    run: PlaybookRun
    "The approval, when a run asked for it or it was answered or timed out."
    approval: PlaybookApproval
  }
  extend type Subscription {
    "Every playbook run and approval stored from now on that the caller may read (GraphQL over SSE, like alertChanged). The stream ends when the caller's credential, roles or policy decision change; subscribe again."
    playbookChanged: PlaybookChange!
  }
`;

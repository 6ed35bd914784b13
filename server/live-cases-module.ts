/**
 * The live feed of cases: a GraphQL subscription, served over SSE like `alertChanged`, of every
 * case the case store writes (opened, changed, merged; cases' CaseChanges), so two analysts
 * working one case each see the other's task, status move, comment, observable or merge without a
 * reload. It tells which case changed and how, not the case itself: the console reads the case
 * again through its ordinary query, with that query's field treatments.
 *
 * The subscription is authorized once through the door (cases:read, one audit record); each change
 * is then judged for the subscriber as the case list judges its rows: the PDP's decision and row
 * filter for every department the case involves (seeing a case of two departments needs both). A
 * stream ends as `alertChanged`'s does, with the live module's limits, counted apart from the
 * other feeds.
 */
import type { ResourceRef } from '../core/authz';
import type { CaseStatus } from '../core/case';
import { bind, defineAction } from '../core/door';
import { defineModule, KERNEL, viaService } from '../core/module';
import type { IdentityKernel } from '../identity/module';
import type { StoredCaseChange } from '../cases/case-changes';
import { caseItems } from '../cases/items';
import type { CasesModuleServices } from '../cases/module';
import { LiveStreams, type LiveServices, readable, stillHolds, type SubscribeInput } from './live-module';

/** What a subscriber receives, and the departments it is judged by (not sent). */
export interface CaseChangeNotice {
  readonly id: string;
  readonly version: number;
  readonly status: CaseStatus;
  readonly kind: StoredCaseChange['kind'];
  readonly actions: readonly string[];
  readonly mergedInto: string | null;
  readonly departments: readonly string[];
}

/** Only what is told and judged is queued for slow readers, not the whole case with its timeline. */
function noticeOf(c: StoredCaseChange): CaseChangeNotice {
  return {
    id: c.case.id,
    version: c.case.version,
    status: c.case.status,
    kind: c.kind,
    actions: c.actions,
    mergedInto: c.case.mergedInto ?? null,
    departments: c.case.departments,
  };
}

export const liveCasesModule = defineModule({
  name: 'live-cases',
  dependsOn: ['live-alerts', 'cases', KERNEL.identity],
  async start(ctx) {
    const cases = ctx.services.get<CasesModuleServices>('cases');
    const { limits } = ctx.services.get<LiveServices>('live-alerts');
    const identity = ctx.services.get<IdentityKernel>(KERNEL.identity);
    const authorizer = ctx.door.authorizer;
    const streams = new LiveStreams<CaseChangeNotice>('case', limits, ctx.clock, ctx.log, (f) => identity.store.onChange(f));
    const unlisten = cases.changes.on((c) => streams.publish(noticeOf(c)));
    const svc = bind(ctx.door, {
      subscribe: defineAction({
        name: 'cases.live',
        permission: 'cases:read',
        resource: () => 'cases:live',
        run: async (actx, i: SubscribeInput) => {
          const { actor, sourceIp } = actx;
          // Cases belong to departments: the caller must be let read those of its own (all, without one);
          // others' (an emergency grant) are judged case by case, as the list judges them.
          const own: ResourceRef = { type: 'cases', ...(actor.department ? { department: actor.department } : {}) };
          const decision = actx.require(own);
          const token = i.token;
          const holds = stillHolds(
            actor,
            decision,
            { authenticate: () => (token ? identity.store.authenticate(token, sourceIp) : null), authorizer, sourceIp },
            own,
          );
          const admit = (c: CaseChangeNotice) => {
            const now = ctx.clock();
            return caseItems(c).every((item) => readable(authorizer, actor, sourceIp, item, now)) ? c : null;
          };
          return streams.open(actor, admit, holds);
        },
      }),
    });
    return {
      services: { streams },
      graphql: {
        typeDefs: LIVE_CASES_TYPEDEFS,
        resolvers: {
          Subscription: {
            caseChanged: {
              subscribe: viaService(svc.subscribe, (_a, who) => ({ token: who.token })),
              resolve: (c: CaseChangeNotice) => c,
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

const LIVE_CASES_TYPEDEFS = /* GraphQL */ `
  "How a case was just written."
  enum CaseChangeKind {
    "Opened (by hand, from an alert, by a playbook)."
    created
    "Changed: status, assignment, fields, a comment, a task, an observable, a link or an attachment."
    updated
    "Merged: told of the merged case and of the one it went into."
    merged
  }
  "A case as the case store just wrote it: which one and how; read the case itself with the case query."
  type CaseChange {
    "The case."
    id: ID!
    "Its version after this write."
    version: Int!
    "Its status after this write."
    status: CaseStatus!
    "What kind of write."
    kind: CaseChangeKind!
    "The actions this write recorded on the case's timeline, in order (comment, task_added, status, merged_from, …)."
    actions: [String!]!
    "The case it was merged into, once merged."
    mergedInto: ID
  }
  extend type Subscription {
    "Every case opened, changed or merged from now on that the caller may read (GraphQL over SSE, like alertChanged). The stream ends when the caller's credential, roles or policy decision change; subscribe again."
    caseChanged: CaseChange!
  }
`;

/**
 * The external PDP endpoint (POST /authz/v1/decide and /authz/v1/decide/batch) for the
 * data-sharing platform and API gateways: API-token authentication, zod validation at the edge
 * (malformed input → 400 with the reason, audited), and one audit record per decision.
 */
import { z } from 'zod';
import { describeIssues } from '../core/event';
import type { AuditLog } from '../core/ports/audit-log';
import { decisionAuditRecord } from './audit/decision-audit';
import { type Decision, type DecisionRequest, DecisionRequestSchema } from './decision';
import type { PolicyDecisionPoint } from './pdp';
import { toDsl } from '../core/query/to-dsl';

export interface DecideCaller {
  readonly name: string;
  readonly kind: 'user' | 'token';
  readonly sourceIp?: string;
}

/** A decision as external systems get it: the row filter as query text and as Elasticsearch/OpenSearch DSL. */
export type DecisionAnswer = Omit<Decision, 'obligations'> & {
  obligations: Omit<Decision['obligations'], 'rowFilter'> & { rowFilter?: { query: string; es: Record<string, unknown> } };
};

export function answerOf(d: Decision): DecisionAnswer {
  const { rowFilter, ...rest } = d.obligations;
  return { ...d, obligations: { ...rest, ...(rowFilter ? { rowFilter: { query: rowFilter.query, es: toDsl(rowFilter.node) } } : {}) } };
}

export type DecideResult =
  { status: 200; body: DecisionAnswer | { decisions: DecisionAnswer[] } } | { status: 400; body: { error: 'INPUT_INVALID'; message: string } };

const Batch = z.strictObject({ requests: z.array(DecisionRequestSchema).min(1).max(1000) });

export function toRequest(r: z.infer<typeof DecisionRequestSchema>): DecisionRequest {
  const { time, ...ctx } = r.context;
  return { subject: r.subject, resource: r.resource, action: r.action, context: { ...ctx, ...(time ? { time: new Date(time) } : {}) } } as DecisionRequest;
}

async function reject(message: string, batch: boolean, caller: DecideCaller, audit: AuditLog): Promise<DecideResult> {
  await audit.append({
    actor: caller.name,
    actorType: caller.kind,
    action: 'authz.decide',
    resource: batch ? 'authz/batch' : 'authz',
    decision: 'failure',
    reason: `malformed request: ${message}`,
    ...(caller.sourceIp ? { sourceIp: caller.sourceIp } : {}),
  });
  return { status: 400, body: { error: 'INPUT_INVALID', message } };
}

export async function handleDecide(body: string, batch: boolean, caller: DecideCaller, pdp: PolicyDecisionPoint, audit: AuditLog): Promise<DecideResult> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    return reject(`body is not JSON: ${(e as Error).message}`, batch, caller, audit);
  }
  return decideValue(json, batch, caller, pdp, audit);
}

/** The same for a request already decoded (GraphQL passes its JSON argument as a value). */
export async function decideValue(json: unknown, batch: boolean, caller: DecideCaller, pdp: PolicyDecisionPoint, audit: AuditLog): Promise<DecideResult> {
  const who = { name: caller.name, type: caller.kind, ...(caller.sourceIp ? { sourceIp: caller.sourceIp } : {}) } as const;
  const parsed = batch ? Batch.safeParse(json) : DecisionRequestSchema.safeParse(json);
  if (!parsed.success) return reject(describeIssues(parsed.error), batch, caller, audit);
  const reqs = batch ? (parsed.data as z.infer<typeof Batch>).requests.map(toRequest) : [toRequest(parsed.data as z.infer<typeof DecisionRequestSchema>)];
  const decisions = pdp.decideBatch(reqs);
  for (let i = 0; i < reqs.length; i++) await audit.append(decisionAuditRecord(reqs[i]!, decisions[i]!, who));
  return { status: 200, body: batch ? { decisions: decisions.map(answerOf) } : answerOf(decisions[0]!) };
}

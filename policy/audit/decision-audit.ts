/**
 * The audit record of a PDP decision: who asked about whom, which resource, the answer and the
 * policy that gave it, and the emergency grant it was made under. Row filters and field lists
 * are summarized, not copied: the policy version explains them.
 */
import type { AuditInput } from '../../core/audit';
import type { Decision, DecisionRequest } from '../decision';
import { resourcePath } from '../resource';

export function decisionAuditRecord(req: DecisionRequest, d: Decision, caller: { name: string; type: AuditInput['actorType']; sourceIp?: string }): AuditInput {
  const r = req.resource;
  return {
    actor: caller.name,
    actorType: caller.type,
    action: 'authz.decide',
    resource: `${resourcePath(r)}${r.department ? `@${r.department}` : ''}`,
    decision: d.decision,
    reason: d.reason,
    ...(caller.sourceIp ? { sourceIp: caller.sourceIp } : {}),
    details: {
      subject: req.subject.user,
      action: req.action,
      matched: d.matched,
      ...(r.department ? { department: r.department } : {}),
      ...(d.obligations.grantId ? { grantId: d.obligations.grantId } : {}),
      ...(d.obligations.rowFilter ? { rowFilter: d.obligations.rowFilter.query } : {}),
      ...(d.obligations.fields ? { fields: d.obligations.fields.map((f) => `${f.field}:${f.treatment}`) } : {}),
    },
  };
}

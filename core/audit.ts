import { z } from 'zod';

export const AuditDecision = z.enum(['allow', 'deny', 'success', 'failure', 'info']);
export type AuditDecision = z.infer<typeof AuditDecision>;

/** What a caller appends; sequence, time and hashes are assigned by the trail. */
export const AuditInput = z.object({
  actor: z.string().min(1),
  actorType: z.enum(['user', 'token', 'playbook', 'system', 'anonymous']),
  action: z.string().min(1),
  resource: z.string().default(''),
  decision: AuditDecision,
  reason: z.string().default(''),
  sourceIp: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditInput = z.input<typeof AuditInput>;

export interface AuditRecord {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly actorType: z.infer<typeof AuditInput>['actorType'];
  readonly action: string;
  readonly resource: string;
  readonly decision: AuditDecision;
  readonly reason: string;
  readonly sourceIp?: string;
  readonly details?: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}

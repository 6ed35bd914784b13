/**
 * Emergency access (战时): a request with a reason, approved by designated approvers who are not
 * the requester (two-person rule; optionally two approvers), becomes a grant that expires by
 * itself — the PDP checks expiry at decision time against the injected clock, so no job has to
 * revoke it. Every decision under a grant carries its id; after expiry, sweep() writes the
 * report of what was accessed under it, read back from the audit trail.
 */
import { randomUUID } from 'node:crypto';
import type { AuditRecord } from '../core/audit';
import { CitySocError } from '../core/errors';
import type { AuditLog } from '../core/ports/audit-log';
import type { StateStore } from '../core/ports/state-store';
import type { ExtraAllow } from './engine';
import type { Subject } from './decision';
import type { GrantView } from './pdp';
import { Refusal } from '../core/door';
import type { ControlChannel } from '../core/control';

export type GrantStatus = 'pending' | 'active' | 'expired';

export interface EmergencyGrant {
  readonly id: string;
  /** The actor whose decisions the grant opens (a user, or token:<name>). */
  readonly requester: string;
  /** The person accountable for the request: no approval by the same person counts. */
  readonly requesterPerson?: string;
  readonly reason: string;
  readonly department: string;
  /** Resource pattern the grant opens, e.g. events or dataset/人口/*. */
  readonly resource: string;
  readonly actions: string;
  readonly durationMinutes: number;
  readonly requestedAt: string;
  readonly approvals: readonly { readonly by: string; readonly person?: string; readonly at: string }[];
  readonly startsAt?: string;
  readonly expiresAt?: string;
  readonly reported: boolean;
}

export interface GrantReport {
  readonly grantId: string;
  readonly requester: string;
  readonly department: string;
  readonly from: string;
  readonly to: string;
  readonly accesses: readonly { readonly seq: number; readonly at: string; readonly action: string; readonly resource: string; readonly decision: string }[];
}

export interface EmergencyOptions {
  readonly audit: AuditLog;
  /** May this approver approve access into this department? (The PDP: action approve on emergency.) */
  readonly canApprove: (approver: Subject, department: string) => boolean;
  readonly approversRequired?: 1 | 2;
  readonly maxDurationMinutes?: number;
  readonly clock?: () => Date;
  readonly channel?: ControlChannel;
}

const COLLECTION = 'emergency-grants';

/** A grant as kept in the state store, with the report made when it expired. */
interface GrantDoc {
  readonly grant: EmergencyGrant;
  readonly report?: GrantReport;
}

export function statusOf(g: EmergencyGrant, now: Date): GrantStatus {
  if (!g.expiresAt) return 'pending';
  return Date.parse(g.expiresAt) > now.getTime() ? 'active' : 'expired';
}

export class EmergencyGrants implements GrantView {
  private grants = new Map<string, EmergencyGrant>();
  /** Approved grants by requester: what a decision looks at, instead of every grant ever made. */
  private approvedBy = new Map<string, EmergencyGrant[]>();
  private reports = new Map<string, GrantReport>();

  private constructor(
    private readonly state: StateStore,
    private readonly opts: EmergencyOptions,
  ) {
    opts.channel?.on(async (m) => {
      if (m.kind === 'grants.changed') await this.reload();
    });
  }

  static async open(state: StateStore, opts: EmergencyOptions): Promise<EmergencyGrants> {
    const g = new EmergencyGrants(state, opts);
    await g.reload();
    return g;
  }

  private now(): Date {
    return (this.opts.clock ?? (() => new Date()))();
  }

  async reload(): Promise<void> {
    const docs = (await this.state.all(COLLECTION)).map((d) => d.doc as unknown as GrantDoc);
    this.grants = new Map(docs.map((d) => [d.grant.id, d.grant]));
    this.indexApproved();
    this.reports = new Map(docs.flatMap((d) => (d.report ? [[d.grant.id, d.report] as const] : [])));
  }

  private async save(g: EmergencyGrant, report?: GrantReport): Promise<void> {
    this.grants.set(g.id, g);
    this.indexApproved();
    if (report) this.reports.set(g.id, report);
    const kept = this.reports.get(g.id);
    await this.state.put(COLLECTION, g.id, { grant: g, ...(kept ? { report: kept } : {}) } as unknown as Record<string, unknown>);
    await this.opts.channel?.publish({ kind: 'grants.changed', origin: this.opts.channel.origin });
  }

  private indexApproved(): void {
    const by = new Map<string, EmergencyGrant[]>();
    for (const g of this.grants.values()) if (g.expiresAt) (by.get(g.requester) ?? by.set(g.requester, []).get(g.requester)!).push(g);
    this.approvedBy = by;
  }

  get(id: string): EmergencyGrant | undefined {
    return this.grants.get(id);
  }

  list(): EmergencyGrant[] {
    return [...this.grants.values()];
  }

  activeGrants(user: string, now: Date): ExtraAllow[] {
    const out: ExtraAllow[] = [];
    for (const g of this.approvedBy.get(user) ?? []) {
      if (!g.startsAt || !g.expiresAt) continue;
      const t = now.getTime();
      if (t >= Date.parse(g.startsAt) && t < Date.parse(g.expiresAt))
        out.push({ id: `grant:${g.id}`, grantId: g.id, department: g.department, obj: g.resource, act: g.actions });
    }
    return out;
  }

  /** A new pending request. The department must already be resolved against the catalogue by the caller. */
  async request(
    requester: { readonly name: string; readonly person: string },
    input: { reason: string; department: string; resource?: string; actions?: string; durationMinutes: number },
  ): Promise<EmergencyGrant> {
    const max = this.opts.maxDurationMinutes ?? 24 * 60;
    if (input.reason.trim().length < 4)
      throw new CitySocError('INPUT_INVALID', 'emergency request: give the reason (at least 4 characters); approvers and auditors read it');
    if (!Number.isInteger(input.durationMinutes) || input.durationMinutes < 1 || input.durationMinutes > max)
      throw new CitySocError('INPUT_INVALID', `emergency request: durationMinutes must be a whole number 1..${max}`);
    const resource = input.resource ?? 'events';
    if (!/^(events|alerts|dataset(\/[\p{L}\p{N}._:-]+)*(\/\*)?)$/u.test(resource))
      throw new CitySocError('INPUT_INVALID', `emergency request: resource '${resource}' must be events, alerts or a dataset path such as dataset/人口/*`);
    const actions = input.actions ?? 'read';
    if (!/^[a-z_]+(\|[a-z_]+)*$/.test(actions) || actions.split('|').some((a) => a === 'grant' || a === 'delete'))
      throw new CitySocError('INPUT_INVALID', 'emergency request: actions are read, export or write (never grant or delete)');
    const g: EmergencyGrant = {
      id: randomUUID(),
      requester: requester.name,
      requesterPerson: requester.person,
      reason: input.reason,
      department: input.department,
      resource,
      actions,
      durationMinutes: input.durationMinutes,
      requestedAt: this.now().toISOString(),
      approvals: [],
      reported: false,
    };
    await this.save(g);
    return g;
  }

  /**
   * One approval. Refusals are thrown as Refusal (audited as deny by the door): the requester
   * themself — compared as persons, so a second credential of the same person does not count —
   * an approver who approved already, or one the policy does not designate for the department.
   */
  async approve(
    approver: { readonly name: string; readonly person: string; readonly roles: readonly string[]; readonly department?: string },
    id: string,
  ): Promise<EmergencyGrant> {
    const g = this.grants.get(id);
    const deny = (why: string, code: 'FORBIDDEN' | 'CONFLICT' | 'NOT_FOUND' = 'FORBIDDEN'): never => {
      throw new Refusal(code, why, why, `grant:${id}`);
    };
    if (!g) return deny(`no emergency request ${id}`, 'NOT_FOUND');
    if (g.expiresAt) return deny(`emergency grant ${id} is already approved`, 'CONFLICT');
    const requesterPerson = g.requesterPerson ?? g.requester;
    if (approver.person === requesterPerson || approver.name === g.requester)
      return deny('two-person rule: the person who requested emergency access cannot approve it, with any credential');
    if (g.approvals.some((a) => (a.person ?? a.by) === approver.person))
      return deny(`${approver.person} has approved this request already; another approver is needed`, 'CONFLICT');
    if (
      !this.opts.canApprove({ user: approver.name, roles: approver.roles, ...(approver.department ? { department: approver.department } : {}) }, g.department)
    )
      return deny(`${approver.name} is not a designated approver for ${g.department}`);
    const now = this.now();
    const approvals = [...g.approvals, { by: approver.name, person: approver.person, at: now.toISOString() }];
    const done = approvals.length >= (this.opts.approversRequired ?? 1);
    const next: EmergencyGrant = {
      ...g,
      approvals,
      ...(done ? { startsAt: now.toISOString(), expiresAt: new Date(now.getTime() + g.durationMinutes * 60_000).toISOString() } : {}),
    };
    await this.save(next);
    return next;
  }

  /** How many approvals a grant needs. */
  get approversRequired(): number {
    return this.opts.approversRequired ?? 1;
  }

  /** Reports every grant that has expired and not been reported; run it periodically. */
  async sweep(): Promise<GrantReport[]> {
    const now = this.now();
    const out: GrantReport[] = [];
    for (const g of this.grants.values()) {
      if (g.reported || statusOf(g, now) !== 'expired') continue;
      const report = await this.report(g);
      await this.save({ ...g, reported: true }, report);
      await this.opts.audit.append({
        actor: 'system',
        actorType: 'system',
        action: 'emergency.expired',
        resource: `grant:${g.id}`,
        decision: 'info',
        reason: `grant expired; ${report.accesses.length} accesses under it`,
        details: { grantId: g.id, requester: g.requester, accesses: report.accesses.length },
      });
      out.push(report);
    }
    return out;
  }

  /** What was accessed under the grant, from the audit trail. */
  async report(g: EmergencyGrant): Promise<GrantReport> {
    const accesses: AuditRecord[] = [];
    let after = 0;
    for (;;) {
      const page = await this.opts.audit.query({ actor: g.requester, ...(g.startsAt ? { from: g.startsAt } : {}), afterSeq: after, size: 1000 });
      accesses.push(...page.filter((r) => r.details?.grantId === g.id && !r.action.startsWith('emergency.')));
      if (page.length < 1000) break;
      after = page[page.length - 1]!.seq;
    }
    return {
      grantId: g.id,
      requester: g.requester,
      department: g.department,
      from: g.startsAt ?? g.requestedAt,
      to: g.expiresAt ?? g.requestedAt,
      accesses: accesses.map((r) => ({ seq: r.seq, at: r.at, action: r.action, resource: r.resource, decision: r.decision })),
    };
  }

  storedReport(id: string): GrantReport | null {
    return this.reports.get(id) ?? null;
  }
}

/**
 * Emergency access (战时): a request with a reason, approved by designated approvers who are not
 * the requester (two-person rule; optionally two approvers), becomes a grant that expires by
 * itself — the PDP checks expiry at decision time against the injected clock, so no job has to
 * revoke it. Every decision under a grant carries its id; after expiry, sweep() writes the
 * report of what was accessed under it, read back from the audit trail.
 */
import { randomUUID } from 'node:crypto';
import { type Db, openDatabase } from '../core/adapters/sqlite/database';
import type { AuditRecord } from '../core/audit';
import { CitySocError } from '../core/errors';
import type { AuditLog } from '../core/ports/audit-log';
import type { ExtraAllow } from './engine';
import type { Subject } from './decision';
import type { GrantView } from './pdp';
import type { Actor } from './policy-service';
import type { ControlChannel } from './store/bus-watcher';

export type GrantStatus = 'pending' | 'active' | 'expired';

export interface EmergencyGrant {
  readonly id: string;
  readonly requester: string;
  readonly reason: string;
  readonly department: string;
  /** Resource pattern the grant opens, e.g. events or dataset/人口/*. */
  readonly resource: string;
  readonly actions: string;
  readonly durationMinutes: number;
  readonly requestedAt: string;
  readonly approvals: readonly { readonly by: string; readonly at: string }[];
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

const SCHEMA = `CREATE TABLE IF NOT EXISTS emergency_grants (id TEXT PRIMARY KEY, grant TEXT NOT NULL, report TEXT);`;

export function statusOf(g: EmergencyGrant, now: Date): GrantStatus {
  if (!g.expiresAt) return 'pending';
  return Date.parse(g.expiresAt) > now.getTime() ? 'active' : 'expired';
}

export class EmergencyGrants implements GrantView {
  private readonly db: Db;
  private grants = new Map<string, EmergencyGrant>();

  constructor(
    file: string,
    private readonly opts: EmergencyOptions,
  ) {
    this.db = openDatabase(file, { synchronous: 'FULL' });
    this.db.exec(SCHEMA);
    this.reload();
    opts.channel?.on((m) => {
      if (m.kind === 'grants.changed') this.reload();
    });
  }

  private now(): Date {
    return (this.opts.clock ?? (() => new Date()))();
  }

  reload(): void {
    const rows = this.db.prepare('SELECT grant FROM emergency_grants').all() as { grant: string }[];
    this.grants = new Map(rows.map((r) => JSON.parse(r.grant) as EmergencyGrant).map((g) => [g.id, g]));
  }

  private async save(g: EmergencyGrant, report?: GrantReport): Promise<void> {
    this.grants.set(g.id, g);
    this.db
      .prepare(
        'INSERT INTO emergency_grants (id, grant, report) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET grant = excluded.grant, report = COALESCE(excluded.report, report)',
      )
      .run(g.id, JSON.stringify(g), report ? JSON.stringify(report) : null);
    await this.opts.channel?.publish({ kind: 'grants.changed', origin: this.opts.channel.origin });
  }

  get(id: string): EmergencyGrant | undefined {
    return this.grants.get(id);
  }

  list(): EmergencyGrant[] {
    return [...this.grants.values()];
  }

  activeGrants(user: string, now: Date): ExtraAllow[] {
    const out: ExtraAllow[] = [];
    for (const g of this.grants.values()) {
      if (g.requester !== user || !g.startsAt || !g.expiresAt) continue;
      const t = now.getTime();
      if (t >= Date.parse(g.startsAt) && t < Date.parse(g.expiresAt))
        out.push({ id: `grant:${g.id}`, grantId: g.id, department: g.department, obj: g.resource, act: g.actions });
    }
    return out;
  }

  async request(
    requester: Actor,
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
    await this.opts.audit.append({
      actor: requester.name,
      actorType: requester.type,
      action: 'emergency.request',
      resource: `grant:${g.id}`,
      decision: 'success',
      reason: input.reason,
      details: { grantId: g.id, department: g.department, resource, actions, durationMinutes: g.durationMinutes },
    });
    return g;
  }

  async approve(approver: Actor & { readonly roles: readonly string[]; readonly department?: string }, id: string): Promise<EmergencyGrant> {
    const g = this.grants.get(id);
    const deny = async (why: string, code: 'FORBIDDEN' | 'CONFLICT' | 'NOT_FOUND' = 'FORBIDDEN') => {
      await this.opts.audit.append({
        actor: approver.name,
        actorType: approver.type,
        action: 'emergency.approve',
        resource: `grant:${id}`,
        decision: 'deny',
        reason: why,
        details: { grantId: id },
      });
      throw new CitySocError(code, why);
    };
    if (!g) return deny(`no emergency request ${id}`, 'NOT_FOUND');
    if (g.expiresAt) return deny(`emergency grant ${id} is already approved`, 'CONFLICT');
    if (approver.name === g.requester) return deny('two-person rule: the requester cannot approve their own emergency access');
    if (g.approvals.some((a) => a.by === approver.name))
      return deny(`${approver.name} has approved this request already; another approver is needed`, 'CONFLICT');
    if (
      !this.opts.canApprove({ user: approver.name, roles: approver.roles, ...(approver.department ? { department: approver.department } : {}) }, g.department)
    )
      return deny(`${approver.name} is not a designated approver for ${g.department}`);
    const now = this.now();
    const approvals = [...g.approvals, { by: approver.name, at: now.toISOString() }];
    const done = approvals.length >= (this.opts.approversRequired ?? 1);
    const next: EmergencyGrant = {
      ...g,
      approvals,
      ...(done ? { startsAt: now.toISOString(), expiresAt: new Date(now.getTime() + g.durationMinutes * 60_000).toISOString() } : {}),
    };
    await this.save(next);
    await this.opts.audit.append({
      actor: approver.name,
      actorType: approver.type,
      action: 'emergency.approve',
      resource: `grant:${id}`,
      decision: 'success',
      reason: done ? `grant active until ${next.expiresAt}` : `approval ${approvals.length} of ${this.opts.approversRequired ?? 1}`,
      details: { grantId: id, requester: g.requester, expiresAt: next.expiresAt ?? null },
    });
    return next;
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
    const row = this.db.prepare('SELECT report FROM emergency_grants WHERE id = ?').get(id) as { report: string | null } | undefined;
    return row?.report ? (JSON.parse(row.report) as GrantReport) : null;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

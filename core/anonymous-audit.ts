/**
 * Refusals of callers who are not signed in are audited, but a flood of them must not flood the
 * trail: each address gets a few records per minute; beyond that the refusals are counted and
 * written as one summary record per address and minute (flush()).
 */
import type { AuditGate } from './door';
import type { AuditLog } from './ports/audit-log';

export class AnonymousAuditGate implements AuditGate {
  private window = 0;
  private readonly seen = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();

  constructor(
    private readonly audit: AuditLog,
    private readonly perMinute = 20,
    private readonly maxAddresses = 10_000,
  ) {}

  admit(sourceIp: string | undefined, now: Date): boolean {
    const minute = Math.floor(now.getTime() / 60_000);
    if (minute !== this.window) {
      this.window = minute;
      this.seen.clear();
    }
    const ip = sourceIp ?? 'unknown';
    const n = (this.seen.get(ip) ?? 0) + 1;
    if (this.seen.size < this.maxAddresses || this.seen.has(ip)) this.seen.set(ip, n);
    if (n <= this.perMinute) return true;
    if (this.suppressed.size < this.maxAddresses || this.suppressed.has(ip)) this.suppressed.set(ip, (this.suppressed.get(ip) ?? 0) + 1);
    return false;
  }

  /** Writes one summary record per address whose refusals were not written one by one; returns how many. */
  async flush(): Promise<number> {
    const entries = [...this.suppressed];
    this.suppressed.clear();
    for (const [ip, count] of entries)
      await this.audit.append({
        actor: 'anonymous',
        actorType: 'anonymous',
        action: 'auth.refused_summary',
        resource: '',
        decision: 'deny',
        reason: `${count} more unauthenticated calls refused (beyond ${this.perMinute} recorded one by one per minute)`,
        sourceIp: ip,
        details: { suppressed: count },
      });
    return entries.length;
  }
}

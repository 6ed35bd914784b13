/**
 * Signed checkpoints are made by the trail itself (the AuditLog adapters sign every N records in
 * the same write, on time, on open and on close); this is the policy services' handle on them:
 * sign the head now, and read what was signed.
 */
import type { AuditCheckpoint } from '../../core/audit';
import type { AuditLog } from '../../core/ports/audit-log';

export type Checkpoint = AuditCheckpoint;

export class AuditCheckpoints {
  private readonly audit: AuditLog;

  /**
   * `new AuditCheckpoints(audit)`. The older form (file, audit, key, cadence) is still accepted
   * while the composition root moves the key and cadence to the trail's adapter, where they now
   * take effect; its file, key and cadence are not used here.
   */
  constructor(...args: [AuditLog] | [string, AuditLog, ...unknown[]]) {
    this.audit = typeof args[0] === 'string' ? (args[1] as AuditLog) : args[0];
  }

  /** Nothing to start: the trail signs on its own cadence. Kept for the older composition root. */
  start(_onError?: (e: unknown) => void): void {}

  /** Nothing to close: the trail owns its checkpoints. Kept for the older composition root. */
  close(): void {}

  async latest(): Promise<AuditCheckpoint | null> {
    return (await this.audit.checkpoints()).at(-1) ?? null;
  }

  list(fromSeq = 0, toSeq = Number.MAX_SAFE_INTEGER): Promise<AuditCheckpoint[]> {
    return this.audit.checkpoints({ fromSeq, toSeq });
  }

  /** Signs the trail's head now, unless it is already signed (null then, or when the trail has no signer). */
  checkpoint(): Promise<AuditCheckpoint | null> {
    return this.audit.checkpoint('manual');
  }
}

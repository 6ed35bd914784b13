/**
 * Signed checkpoints of the audit trail: every N records or M minutes, the last record's
 * (seq, hash) is signed with Ed25519 and stored beside the trail. The chain proves order and
 * integrity; a signed checkpoint kept outside the system also proves the trail was not rebuilt
 * from scratch by someone who can write to the store.
 */
import { createPublicKey, sign, verify } from 'node:crypto';
import { type Db, openDatabase } from '../../adapters/sqlite/database';
import { canonicalJson } from '../../core/canonical';
import type { AuditLog } from '../../core/ports/audit-log';
import type { SigningKey } from './signing-key';

export interface Checkpoint {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  /** base64 Ed25519 signature over canonical JSON of {seq, hash, at}. */
  readonly signature: string;
}

export function checkpointBytes(c: Pick<Checkpoint, 'seq' | 'hash' | 'at'>): Buffer {
  return Buffer.from(canonicalJson({ seq: c.seq, hash: c.hash, at: c.at }), 'utf8');
}

export function verifyCheckpointSignature(c: Checkpoint, publicKeyPem: string): boolean {
  try {
    return verify(null, checkpointBytes(c), createPublicKey(publicKeyPem), Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

export class AuditCheckpoints {
  private readonly db: Db;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    file: string,
    private readonly audit: AuditLog,
    private readonly key: SigningKey,
    private readonly opts: { everyRecords?: number; everyMinutes?: number; clock?: () => Date } = {},
  ) {
    this.db = openDatabase(file, { synchronous: 'FULL' });
    this.db.exec('CREATE TABLE IF NOT EXISTS checkpoints (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, at TEXT NOT NULL, signature TEXT NOT NULL)');
  }

  latest(): Checkpoint | null {
    return (this.db.prepare('SELECT * FROM checkpoints ORDER BY seq DESC LIMIT 1').get() as Checkpoint | undefined) ?? null;
  }

  list(fromSeq = 0, toSeq = Number.MAX_SAFE_INTEGER): Checkpoint[] {
    return this.db.prepare('SELECT * FROM checkpoints WHERE seq >= ? AND seq <= ? ORDER BY seq').all(fromSeq, toSeq) as Checkpoint[];
  }

  /** Signs the trail's head now, unless it is already signed. */
  async checkpoint(): Promise<Checkpoint | null> {
    const [head] = await this.audit.query({ size: 1 });
    if (!head) return null;
    const last = this.latest();
    if (last && last.seq >= head.seq) return null;
    const at = (this.opts.clock ?? (() => new Date()))().toISOString();
    const body = { seq: head.seq, hash: head.hash, at };
    const c: Checkpoint = { ...body, signature: sign(null, checkpointBytes(body), this.key.privateKey).toString('base64') };
    this.db.prepare('INSERT INTO checkpoints (seq, hash, at, signature) VALUES (?, ?, ?, ?)').run(c.seq, c.hash, c.at, c.signature);
    return c;
  }

  /** Checkpoints when N records have been added since the last one, or M minutes have passed. */
  async maybeCheckpoint(): Promise<Checkpoint | null> {
    const [head] = await this.audit.query({ size: 1 });
    if (!head) return null;
    const last = this.latest();
    const now = (this.opts.clock ?? (() => new Date()))().getTime();
    const dueByCount = head.seq - (last?.seq ?? 0) >= (this.opts.everyRecords ?? 1000);
    const dueByTime = !last || now - Date.parse(last.at) >= (this.opts.everyMinutes ?? 10) * 60_000;
    return dueByCount || (dueByTime && head.seq > (last?.seq ?? 0)) ? this.checkpoint() : null;
  }

  start(onError: (e: unknown) => void, intervalMs = 30_000): void {
    this.timer = setInterval(() => void this.maybeCheckpoint().catch(onError), intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.db.open) this.db.close();
  }
}

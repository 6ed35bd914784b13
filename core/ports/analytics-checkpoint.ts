/**
 * Where a stateful stream consumer keeps its state together with the offsets it covers (embedded
 * correlation: windows and what it learned), so that after a crash it resumes from a consistent
 * point and skips the redelivered messages its state already includes: a window neither loses
 * nor double counts an event.
 */
export interface AnalyticsCheckpoint {
  /** Per partition ('0' for the embedded spool), the last offset folded into `state`. */
  readonly offsets: Readonly<Record<string, string>>;
  readonly state: unknown;
}

export interface AnalyticsCheckpointStore {
  load(name: string): Promise<AnalyticsCheckpoint | null>;
  /** Durable when it resolves; replaces the previous checkpoint atomically. Resolves to the bytes of state written. */
  save(name: string, checkpoint: AnalyticsCheckpoint): Promise<number>;
  close(): Promise<void>;
}

/**
 * A SQL Gateway session: the catalog, temporary tables and SET options statements share. The
 * gateway drops a session idle for `sql-gateway.session.idle-timeout` (10 min by default), and a
 * long streaming deployment may submit nothing for longer, so an open session heartbeats.
 */
import type { SqlGatewayClient, SubmitOptions } from './gateway-client';
import { Operation, type StatementResult, type WaitOptions } from './operation';

export interface SessionOptions {
  name?: string;
  /** Session configuration, e.g. {'execution.runtime-mode': 'streaming', 'table.local-time-zone': 'UTC'}. */
  properties?: Record<string, string>;
  /** Heartbeat period, ms; 0 disables. Default 60 000 (a tenth of the default idle timeout). */
  heartbeatIntervalMs?: number;
  /** Heartbeat failures do not throw (nobody awaits a timer); they are reported here. */
  onHeartbeatError?: (err: unknown) => void;
  signal?: AbortSignal;
}

export type ExecuteOptions = SubmitOptions & WaitOptions;

export class GatewaySession {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The last heartbeat failure, for health checks; cleared by the next success. */
  lastHeartbeatError: unknown;

  constructor(
    readonly client: SqlGatewayClient,
    readonly handle: string,
    opts: SessionOptions = {},
  ) {
    const every = opts.heartbeatIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.client.heartbeat(this.handle).then(
          () => (this.lastHeartbeatError = undefined),
          (e: unknown) => {
            this.lastHeartbeatError = e;
            opts.onHeartbeatError?.(e);
          },
        );
      }, every);
      // A forgotten session must not keep the process alive; the gateway expires it anyway.
      this.timer.unref();
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Submits a statement and returns its operation without waiting. */
  async submit(statement: string, opts: SubmitOptions = {}): Promise<Operation> {
    if (this.closed) throw new Error(`session ${this.handle} is closed; open a new one to run: ${statement.slice(0, 80)}`);
    const op = await this.client.submitStatement(this.handle, statement, opts);
    return new Operation(this.client, this.handle, op, statement);
  }

  /**
   * Runs a statement to completion and returns all its rows, then closes the operation. For an
   * INSERT this returns once the job is submitted, with its jobId; the job keeps running.
   */
  async execute(statement: string, opts: ExecuteOptions = {}): Promise<StatementResult> {
    const op = await this.submit(statement, opts);
    let done = false;
    try {
      await op.waitUntilDone(opts);
      const result = await op.collect(opts);
      done = true;
      return result;
    } finally {
      // A statement we gave up on (timeout, abort) is cancelled so it does not run on unseen.
      if (!done) await op.cancel().catch(() => undefined);
      await op.close().catch(() => undefined);
    }
  }

  /** Stops heartbeats and closes the session on the gateway; closing twice is a no-op. */
  async close(signal?: AbortSignal): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.client.closeSession(this.handle, signal);
  }
}

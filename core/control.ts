/**
 * What every replica must hear of at once (a policy change, an isolation, a grant, an identity
 * change) travels on citysoc.control: each replica consumes it in a group of its own and ignores
 * its own messages. The group is named after the replica's stable id (kept in its data directory),
 * so a restart resumes the same group instead of leaving one more behind.
 */
import type { Bus, Subscription } from './ports/bus';

export interface ControlMessage {
  /** `<domain>.changed`: policy.changed, isolation.changed, grants.changed, identity.changed, … */
  readonly kind: string;
  /** The replica that made the change. */
  readonly origin: string;
  readonly [detail: string]: unknown;
}

export class ControlChannel {
  private readonly handlers: ((m: ControlMessage) => void | Promise<void>)[] = [];
  private sub: Subscription | null = null;

  constructor(
    private readonly bus: Bus,
    /** This replica's id: it ignores its own messages and consumes in its own group. */
    readonly origin: string,
  ) {}

  on(handler: (m: ControlMessage) => void | Promise<void>): void {
    this.handlers.push(handler);
  }

  async start(): Promise<void> {
    this.sub = await this.bus.subscribe<ControlMessage>('citysoc.control', `control-${this.origin}`, async (batch) => {
      for (const m of batch) if (m.value.origin !== this.origin) for (const h of this.handlers) await h(m.value);
    });
  }

  async publish(m: ControlMessage): Promise<void> {
    await this.bus.publish('citysoc.control', [{ key: m.kind, value: m }]);
  }

  async stop(): Promise<void> {
    await this.sub?.stop();
    this.sub = null;
  }
}

/**
 * Keeps replicas' policies in step: casbin calls update() after a local change, which publishes
 * on citysoc.control; every replica (its own consumer group) reloads when it hears of a change
 * made elsewhere. The same topic carries isolations and emergency grants (see ControlMessage).
 */
import type { Watcher } from 'casbin';
import type { Bus, Subscription } from '../../core/ports/bus';

export type ControlMessage =
  | { readonly kind: 'policy.changed'; readonly origin: string }
  | { readonly kind: 'isolation.changed'; readonly origin: string; readonly user: string }
  | { readonly kind: 'grants.changed'; readonly origin: string }
  | { readonly kind: 'identity.changed'; readonly origin: string };

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
    this.sub = await this.bus.subscribe<ControlMessage>('citysoc.control', `policy-${this.origin}`, async (batch) => {
      for (const m of batch) if (m.value.origin !== this.origin) for (const h of this.handlers) await h(m.value);
    });
  }

  async publish(m: ControlMessage): Promise<void> {
    await this.bus.publish('citysoc.control', [{ key: m.kind, value: m }]);
  }

  async stop(): Promise<void> {
    await this.sub?.stop();
  }
}

export class BusPolicyWatcher implements Watcher {
  private callback: () => void = () => undefined;

  constructor(private readonly channel: ControlChannel) {
    channel.on((m) => {
      if (m.kind === 'policy.changed') this.callback();
    });
  }

  setUpdateCallback(cb: () => void): void {
    this.callback = cb;
  }

  async update(): Promise<boolean> {
    await this.channel.publish({ kind: 'policy.changed', origin: this.channel.origin });
    return true;
  }
}

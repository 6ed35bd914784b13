/**
 * Keeps replicas' policies in step: casbin calls update() after a local change, which publishes
 * on citysoc.control (core/control.ts); every replica reloads when it hears of a change made elsewhere.
 */
import type { Watcher } from 'casbin';
import type { ControlChannel } from '../../core/control';

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

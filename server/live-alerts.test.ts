/**
 * The live feed's fan-out in isolation: one subscriber whose check or field treatment fails must
 * neither make the alert writer's call fail nor cost the other subscribers their pushes.
 */
import type { Actor } from '../core/actor';
import type { Alert } from '../core/alert';
import type { Scope } from '../core/door';
import { createLogger } from '../core/logging';
import type { AlertFeed } from '../analytics/module';
import { LiveAlerts, LiveConfig } from './live-module';

function feed() {
  const listeners = new Set<(a: Alert, created: boolean) => void>();
  const f: AlertFeed = {
    on(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { f, write: (a: Alert) => [...listeners].forEach((l) => l(a, true)) };
}

const actor = (name: string): Actor => ({ kind: 'user', name, person: name, roles: ['analyst'], department: '城管' });

function scope(treatOne: (a: Alert) => Alert): Scope {
  return {
    decision: {} as Scope['decision'],
    view: {} as Scope['view'],
    filters: [],
    treat: (d) => d.map((x) => treatOne(x as never) as never),
    treatOne: treatOne as never,
  };
}

const alert = (id: string) => ({ id, department: '城管' }) as unknown as Alert;

const iterate = <T>(stream: AsyncIterable<T>): AsyncIterator<T> => stream[Symbol.asyncIterator]();

async function take<T>(it: AsyncIterator<T>): Promise<T | 'ended'> {
  const r = await it.next();
  return r.done ? 'ended' : r.value;
}

describe('the live feed fan-out', () => {
  it('lets go a subscriber whose treatment throws, and still pushes to the others', async () => {
    const { f, write } = feed();
    const live = new LiveAlerts(f, LiveConfig.parse({}), () => new Date(), createLogger('silent'));
    const broken = iterate(
      live.open(
        actor('a'),
        scope(() => {
          throw new Error('treatment failed');
        }),
        () => true,
      ),
    );
    const fine = iterate(
      live.open(
        actor('b'),
        scope((a) => a),
        () => true,
      ),
    );
    const brokenNext = take(broken);
    const fineNext = take(fine);
    await new Promise((r) => setImmediate(r));
    expect(live.size).toBe(2);
    expect(() => write(alert('x1'))).not.toThrow();
    await expect(brokenNext).resolves.toBe('ended');
    await expect(fineNext).resolves.toEqual({ alert: alert('x1'), created: true });
    live.close();
  });

  it('lets go a subscriber whose check throws on the sweep, and keeps the others', async () => {
    const { f } = feed();
    const live = new LiveAlerts(f, LiveConfig.parse({}), () => new Date(), createLogger('silent'));
    const broken = iterate(
      live.open(
        actor('a'),
        scope((a) => a),
        () => {
          throw new Error('credential store failed');
        },
      ),
    );
    const fine = iterate(
      live.open(
        actor('b'),
        scope((a) => a),
        () => true,
      ),
    );
    const brokenNext = take(broken);
    void take(fine);
    await new Promise((r) => setImmediate(r));
    expect(() => live.sweep()).not.toThrow();
    await expect(brokenNext).resolves.toBe('ended');
    await new Promise((r) => setImmediate(r));
    expect(live.size).toBe(1);
    live.close();
  });
});

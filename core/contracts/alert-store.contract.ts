import type { Alert } from '../alert';
import type { AlertStore } from '../ports/alert-store';
import type { QueryNode } from '../query/ast';

export interface AlertHarness {
  open(): Promise<AlertStore>;
}

export function sampleAlert(id: string, over: Partial<Alert> = {}): Alert {
  return {
    id,
    dedupKey: 'ssh-bruteforce|10.1.1.1',
    rule: { id: 'ssh-bruteforce', name: 'SSH brute force', type: 'correlation', severity: 'high', tags: ['attack.t1110'] },
    entities: [{ type: 'ip', value: '10.1.1.1' }],
    eventIds: [`${id}-e1`],
    firstSeen: '2026-11-01T00:00:00.000Z',
    lastSeen: '2026-11-01T00:05:00.000Z',
    count: 1,
    risk: 60,
    department: '城管',
    status: 'open',
    history: [],
    ...over,
  };
}

export function describeAlertStoreContract(name: string, harness: AlertHarness): void {
  describe(`AlertStore contract: ${name}`, () => {
    it('the same rule and group key inside the suppression window folds into one alert', async () => {
      const s = await harness.open();
      expect((await s.upsert(sampleAlert('a1'), 3_600_000)).created).toBe(true);
      const r = await s.upsert(
        sampleAlert('a2', {
          firstSeen: '2026-11-01T00:30:00.000Z',
          lastSeen: '2026-11-01T00:40:00.000Z',
          entities: [{ type: 'user', value: 'root' }],
          risk: 80,
        }),
        3_600_000,
      );
      expect(r.created).toBe(false);
      expect(r.alert).toMatchObject({ id: 'a1', count: 2, lastSeen: '2026-11-01T00:40:00.000Z', risk: 80, eventIds: ['a1-e1', 'a2-e1'] });
      expect(r.alert.entities).toEqual([
        { type: 'ip', value: '10.1.1.1' },
        { type: 'user', value: 'root' },
      ]);
      expect((await s.list({})).total).toBe(1);
      await s.close();
    });

    it('outside the window a new alert opens', async () => {
      const s = await harness.open();
      await s.upsert(sampleAlert('a1'), 60_000);
      const r = await s.upsert(sampleAlert('a2', { firstSeen: '2026-11-01T02:00:00.000Z', lastSeen: '2026-11-01T02:00:00.000Z' }), 60_000);
      expect(r.created).toBe(true);
      expect((await s.list({})).alerts.map((a) => a.id)).toEqual(['a2', 'a1']);
      await s.close();
    });

    it('status moves are checked and recorded in history', async () => {
      const s = await harness.open();
      await s.upsert(sampleAlert('a1'), 0);
      const ack = await s.transition('a1', 'acknowledged', 'analyst1', { comment: 'looking', assignee: 'analyst1' });
      expect(ack).toMatchObject({ status: 'acknowledged', assignee: 'analyst1' });
      await expect(s.transition('a1', 'closed', 'analyst1')).rejects.toThrow(/needs a resolution/);
      const closed = await s.transition('a1', 'closed', 'analyst1', { resolution: 'true_positive' });
      expect(closed.history.map((h) => [h.from, h.to])).toEqual([
        ['open', 'acknowledged'],
        ['acknowledged', 'closed'],
      ]);
      await expect(s.transition('a1', 'in_progress', 'analyst1')).rejects.toThrow(/is closed; it can move to open, not in_progress/);
      await s.close();
    });

    it('a closed alert does not absorb new occurrences', async () => {
      const s = await harness.open();
      await s.upsert(sampleAlert('a1'), 3_600_000);
      await s.transition('a1', 'closed', 'x', { resolution: 'false_positive' });
      expect((await s.upsert(sampleAlert('a2', { firstSeen: '2026-11-01T00:06:00.000Z' }), 3_600_000)).created).toBe(true);
      await s.close();
    });

    it('lists by status and department', async () => {
      const s = await harness.open();
      await s.upsert(sampleAlert('a1', { dedupKey: 'k1' }), 0);
      await s.upsert(sampleAlert('a2', { dedupKey: 'k2', department: '公安' }), 0);
      await s.transition('a1', 'acknowledged', 'x');
      expect((await s.list({ status: ['open'] })).alerts.map((a) => a.id)).toEqual(['a2']);
      expect((await s.list({ department: '城管' })).alerts.map((a) => a.id)).toEqual(['a1']);
      await s.close();
    });

    it('a row filter over the document restricts the list and its total', async () => {
      const s = await harness.open();
      await s.upsert(sampleAlert('a1', { dedupKey: 'k1', lastSeen: '2026-11-01T00:03:00.000Z' }), 0);
      await s.upsert(sampleAlert('a2', { dedupKey: 'k2', department: '公安' }), 0);
      await s.upsert(sampleAlert('a3', { dedupKey: 'k3', department: undefined, lastSeen: '2026-11-01T00:04:00.000Z' }), 0);
      const own: QueryNode = {
        type: 'or',
        children: [
          { type: 'keyword', field: 'department', value: '城管' },
          { type: 'not', child: { type: 'exists', field: 'department' } },
        ],
      };
      const r = await s.list({ filter: own });
      expect(r.alerts.map((a) => a.id)).toEqual(['a3', 'a1']);
      expect(r.total).toBe(2);
      // fields inside the document, arrays of values included
      expect((await s.list({ filter: { type: 'keyword', field: 'eventIds', value: 'a2-e1' } })).alerts.map((a) => a.id)).toEqual(['a2']);
      expect((await s.list({ filter: { type: 'keyword', field: 'rule.severity', value: 'high' } })).total).toBe(3);
      expect((await s.list({ filter: { type: 'keyword', field: 'rule.id', value: 'ssh-bruteforce' }, status: ['open'] })).total).toBe(3);
      expect((await s.list({ filter: { type: 'none' } })).total).toBe(0);
      await s.close();
    });

    it('an unknown alert is NOT_FOUND', async () => {
      const s = await harness.open();
      await expect(s.transition('nope', 'closed', 'x', { resolution: 'duplicate' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await s.get('nope')).toBeNull();
      await s.close();
    });
  });
}

import type { Alert } from '../alert';
import type { AlertQuery, AlertStore } from '../ports/alert-store';
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
      await expect(s.annotate('nope', 'x', { comment: 'hello' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await s.get('nope')).toBeNull();
      await s.close();
    });

    describeAlertQueue(harness);
  });
}

/** Eight alerts that differ in every criterion the queue filters on. */
export const QUEUE_ALERTS: Alert[] = [
  sampleAlert('q1', { dedupKey: 'k1', lastSeen: '2026-11-01T01:00:00.000Z', risk: 50 }),
  sampleAlert('q2', {
    dedupKey: 'k2',
    department: '公安',
    lastSeen: '2026-11-01T02:00:00.000Z',
    risk: 90,
    rule: { id: 'db-drop', name: 'Database DROP TABLE', type: 'sigma', severity: 'critical', tags: ['attack.t1485'] },
    entities: [
      { type: 'user', value: 'Zhang.Wei' },
      { type: 'host', value: 'db-01' },
    ],
  }),
  sampleAlert('q3', {
    dedupKey: 'k3',
    lastSeen: '2026-11-01T03:00:00.000Z',
    firstSeen: '2026-10-31T23:00:00.000Z',
    risk: 50,
    rule: { id: 'hdfs-export', name: '敏感数据导出', type: 'sigma', severity: 'medium', tags: [] },
    entities: [
      { type: 'user', value: '10.1.1.1' },
      { type: 'dataset', value: '户籍' },
    ],
  }),
  sampleAlert('q4', {
    dedupKey: 'k4',
    department: undefined,
    lastSeen: '2026-11-01T04:00:00.000Z',
    risk: 20,
    rule: { id: 'ueba-1', name: 'Unusual hour', type: 'ueba', severity: 'low', tags: [] },
  }),
  sampleAlert('q5', { dedupKey: 'k5', lastSeen: '2026-11-01T05:00:00.000Z', risk: 75, assignee: 'wu' }),
  sampleAlert('q6', {
    dedupKey: 'k6',
    department: '公安',
    lastSeen: '2026-11-01T06:00:00.000Z',
    risk: 75,
    rule: { id: 'star*rule', name: 'Literal *?\\ in name', type: 'manual', severity: 'high', tags: [] },
  }),
];

function describeAlertQueue(harness: AlertHarness): void {
  describe('the alert queue', () => {
    let s: AlertStore;
    beforeAll(async () => {
      s = await harness.open();
      for (const a of QUEUE_ALERTS) await s.upsert(a, 0);
      await s.transition('q1', 'closed', 'wu', { resolution: 'false_positive' });
      await s.transition('q2', 'closed', 'li', { resolution: 'true_positive' });
      await s.transition('q3', 'acknowledged', 'wu');
    });
    afterAll(() => s.close());
    const ids = async (q: AlertQuery) => (await s.list(q)).alerts.map((a) => a.id);

    it('filters by severity, rule type, rule and department, newest first', async () => {
      expect(await ids({ severity: ['high', 'critical'] })).toEqual(['q6', 'q5', 'q2', 'q1']);
      expect(await ids({ ruleType: ['ueba', 'manual'] })).toEqual(['q6', 'q4']);
      expect(await ids({ ruleId: 'ssh-bruteforce' })).toEqual(['q5', 'q1']);
      expect(await ids({ department: '公安', severity: ['critical'] })).toEqual(['q2']);
      expect(await ids({ severity: [] })).toEqual([]);
    });

    it('filters by assignee, and by nobody assigned', async () => {
      expect(await ids({ assignee: 'wu' })).toEqual(['q5']);
      expect(await ids({ unassigned: true })).toEqual(['q6', 'q4', 'q3', 'q2', 'q1']);
    });

    it('an entity filter holds on one entity: a value under another type does not match', async () => {
      expect(await ids({ entity: { value: '10.1.1.1' } })).toEqual(['q6', 'q5', 'q4', 'q3', 'q1']);
      expect(await ids({ entity: { type: 'ip', value: '10.1.1.1' } })).toEqual(['q6', 'q5', 'q4', 'q1']);
      expect(await ids({ entity: { type: 'user', value: '10.1.1.1' } })).toEqual(['q3']);
      expect(await ids({ entity: { type: 'ip', value: 'db-01' } })).toEqual([]);
    });

    it('a time range on lastSeen or firstSeen includes its start and excludes its end', async () => {
      expect(await ids({ time: { field: 'lastSeen', from: '2026-11-01T02:00:00.000Z', to: '2026-11-01T05:00:00.000Z' } })).toEqual(['q4', 'q3', 'q2']);
      expect(await ids({ time: { field: 'lastSeen', from: '2026-11-01T12:00:00+08:00' } })).toEqual(['q6', 'q5', 'q4']);
      expect(await ids({ time: { field: 'firstSeen', to: '2026-11-01T00:00:00.000Z' } })).toEqual(['q3']);
    });

    it('free text is a case-insensitive substring of the rule, a tag, an entity, the id or the assignee', async () => {
      expect(await ids({ text: 'drop table' })).toEqual(['q2']);
      expect(await ids({ text: 'ZHANG.w' })).toEqual(['q2']);
      expect(await ids({ text: '数据' })).toEqual(['q3']);
      expect(await ids({ text: 'T1485' })).toEqual(['q2']);
      expect(await ids({ text: 'q4' })).toEqual(['q4']);
      expect(await ids({ text: 'WU' })).toEqual(['q5']);
    });

    it('wildcard characters in free text are literal', async () => {
      expect(await ids({ text: '*?\\' })).toEqual(['q6']);
      expect(await ids({ text: 'star*' })).toEqual(['q6']);
      expect(await ids({ text: 's*r' })).toEqual([]);
    });

    it('ids and excluded dedup keys select exactly', async () => {
      expect(await ids({ ids: ['q2', 'q4', 'nope'] })).toEqual(['q4', 'q2']);
      expect(await ids({ excludeDedupKeys: ['k1', 'k2', 'k3'] })).toEqual(['q6', 'q5', 'q4']);
    });

    it('sorts by risk with ties broken by id, and pages with the exact total', async () => {
      expect(await ids({ sort: { field: 'risk', order: 'desc' } })).toEqual(['q2', 'q5', 'q6', 'q1', 'q3', 'q4']);
      expect(await ids({ sort: { field: 'risk', order: 'asc' } })).toEqual(['q4', 'q1', 'q3', 'q5', 'q6', 'q2']);
      expect(await ids({ sort: { field: 'firstSeen', order: 'asc' }, size: 2 })).toEqual(['q3', 'q1']);
      const page = await s.list({ sort: { field: 'risk', order: 'desc' }, size: 2, offset: 2 });
      expect([page.total, page.alerts.map((a) => a.id)]).toEqual([6, ['q6', 'q1']]);
      expect((await s.list({ status: ['closed'], size: 1 })).total).toBe(2);
    });

    it('refuses a query out of bounds, naming the bound', async () => {
      await expect(s.list({ size: 0 })).rejects.toThrow('alert query size 0 is out of range: expected 1..1000');
      await expect(s.list({ size: 1000, offset: 9500 })).rejects.toThrow('offset + size = 10500 exceeds 10000');
      await expect(s.list({ time: { field: 'lastSeen', from: 'yesterday' } })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
      await expect(s.list({ text: '' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    });

    it('tallies the selected alerts by outcome and by rule, null keys first', async () => {
      expect(await s.tally({}, ['status', 'resolution'])).toEqual([
        { key: ['acknowledged', null], count: 1 },
        { key: ['closed', 'false_positive'], count: 1 },
        { key: ['closed', 'true_positive'], count: 1 },
        { key: ['open', null], count: 3 },
      ]);
      expect(await s.tally({ status: ['closed'] }, ['rule.id', 'resolution'])).toEqual([
        { key: ['db-drop', 'true_positive'], count: 1 },
        { key: ['ssh-bruteforce', 'false_positive'], count: 1 },
      ]);
      expect(await s.tally({}, ['department'])).toEqual([
        { key: [null], count: 1 },
        { key: ['公安'], count: 2 },
        { key: ['城管'], count: 3 },
      ]);
      expect(await s.tally({ department: '城管' }, [])).toEqual([{ key: [], count: 3 }]);
    });

    it('a comment or an assignment changes no status and is recorded in history', async () => {
      const a = await s.annotate('q4', 'wu', { comment: '看一下' });
      expect([a.status, a.history.map((h) => [h.action, h.comment])]).toEqual(['open', [['comment', '看一下']]]);
      const b = await s.annotate('q4', 'wu', { assignee: 'li', comment: 'yours' });
      expect(b.history.slice(1).map((h) => [h.action, h.from, h.to, h.comment])).toEqual([
        ['assign', undefined, 'li', undefined],
        ['comment', undefined, undefined, 'yours'],
      ]);
      expect(await ids({ assignee: 'li' })).toEqual(['q4']);
      const c = await s.annotate('q4', 'li', { assignee: null });
      expect([c.assignee, c.history[3]!.from, c.history[3]!.to]).toEqual([undefined, 'li', undefined]);
      expect(await ids({ assignee: 'li' })).toEqual([]);
      await expect(s.annotate('q4', 'li', {})).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    });
  });
}

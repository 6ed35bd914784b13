import { absorbCase, applyCaseChange, type Case, type CaseChange, type CaseDraft, markMerged, newCase, type SlaPolicy, slaColour } from '../case';
import type { CaseQuery, CaseStore } from '../ports/case-store';
import type { QueryNode } from '../query/ast';

export interface CaseHarness {
  /** A fresh, empty store, and a way to open another replica on the same backing (another process, another node). */
  open(): Promise<{ store: CaseStore; replica(): Promise<CaseStore> }>;
}

/** Targets short enough to read in a test: critical 15 min / 2 h, high 30 min / 4 h, …; yellow in the last quarter. */
export const TEST_SLA: SlaPolicy = {
  targets: {
    critical: { acknowledgeMinutes: 15, resolveMinutes: 120 },
    high: { acknowledgeMinutes: 30, resolveMinutes: 240 },
    medium: { acknowledgeMinutes: 120, resolveMinutes: 1440 },
    low: { acknowledgeMinutes: 480, resolveMinutes: 4320 },
    informational: { acknowledgeMinutes: 1440, resolveMinutes: 10080 },
  },
  warnFraction: 0.75,
};

const T0 = new Date('2026-11-20T02:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const by = (actor: string, minutes = 0) => ({ actor, at: at(minutes) });
const change =
  (ch: CaseChange, actor = 'wu', minutes = 1) =>
  (c: Case) =>
    applyCaseChange(c, ch, by(actor, minutes), TEST_SLA);
const draft = (over: Partial<CaseDraft> = {}): CaseDraft => ({ title: 'SSH brute force on web-01', severity: 'high', departments: ['城管'], ...over });
const create = (s: CaseStore, over: Partial<CaseDraft> = {}, minutes = 0, actor = 'wu') => s.create(newCase(draft(over), by(actor, minutes), TEST_SLA));
const department = (value: string): QueryNode => ({ type: 'keyword', field: 'department', value });

export function describeCaseStoreContract(name: string, harness: CaseHarness): void {
  describe(`CaseStore contract: ${name}`, () => {
    let store: CaseStore;
    let replica: () => Promise<CaseStore>;
    const others: CaseStore[] = [];
    beforeEach(async () => {
      ({ store, replica } = await harness.open());
    });
    afterEach(async () => {
      for (const o of others.splice(0)) await o.close();
      await store.close();
    });
    const second = async () => {
      const r = await replica();
      others.push(r);
      return r;
    };
    const ids = async (q: CaseQuery) => (await store.list(q)).cases.map((c) => c.id);

    describe('creating', () => {
      it('gives readable ids in order and version 1', async () => {
        const a = await create(store);
        const b = await create(store, { title: 'second' }, 1);
        expect([a.id, a.version, b.id, b.version]).toEqual(['CASE-2026-00001', 1, 'CASE-2026-00002', 1]);
        expect(await store.get(a.id)).toEqual(a);
      });

      it('numbers each year by China Standard Time, from 00001', async () => {
        await create(store);
        const newYear = await store.create(newCase(draft(), { actor: 'wu', at: new Date('2026-12-31T16:30:00.000Z') }, TEST_SLA));
        expect(newYear.id).toBe('CASE-2027-00001');
      });

      it('ids stay unique and gapless when two replicas create at once', async () => {
        const r = await second();
        const made = await Promise.all(Array.from({ length: 12 }, (_, i) => create(i % 2 ? store : r, { title: `c${i}` }, i)));
        expect(made.map((c) => c.id).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `CASE-2026-${String(i + 1).padStart(5, '0')}`));
        expect((await r.list({ size: 100 })).total).toBe(12);
      });

      it('an unknown case is null, and changing it is NOT_FOUND', async () => {
        expect(await store.get('CASE-2026-09999')).toBeNull();
        await expect(store.update('CASE-2026-09999', change({ kind: 'comment', text: 'x' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });

      it('a new case starts open with its SLA targets from the severity and a created entry', async () => {
        const c = await create(store);
        expect(c).toMatchObject({
          status: 'open',
          severityRank: 3,
          tlp: 'amber',
          classification: '内部',
          sla: { stage: 'acknowledge', acknowledgeBy: '2026-11-20T02:30:00.000Z', warnAt: '2026-11-20T02:22:30.000Z', resolveBy: '2026-11-20T06:00:00.000Z' },
        });
        expect(c.timeline.map((e) => [e.seq, e.action, e.actor])).toEqual([[1, 'created', 'wu']]);
      });
    });

    describe('updating', () => {
      it('applies a change, bumps the version and appends to the timeline', async () => {
        const c = await create(store);
        const u = await store.update(c.id, change({ kind: 'add_task', title: '封禁源地址', owner: 'li', dueAt: '2026-11-20T04:00:00+08:00' }));
        expect(u.version).toBe(2);
        expect(u.tasks).toEqual([
          { id: 'T1', title: '封禁源地址', status: 'open', owner: 'li', dueAt: '2026-11-19T20:00:00.000Z', createdAt: at(1).toISOString(), createdBy: 'wu' },
        ]);
        expect(u.timeline.map((e) => [e.seq, e.action])).toEqual([
          [1, 'created'],
          [2, 'task_added'],
        ]);
        expect(await store.get(c.id)).toEqual(u);
      });

      it('a change that changes nothing keeps the version', async () => {
        const c = await create(store);
        const u = await store.update(c.id, change({ kind: 'edit', title: c.title }));
        expect(u.version).toBe(1);
        expect((await store.get(c.id))!.version).toBe(1);
      });

      it('a change that throws leaves the case as it was', async () => {
        const c = await create(store);
        await expect(store.update(c.id, change({ kind: 'status', to: 'closed' }))).rejects.toThrow('closing a case needs a resolution');
        expect(await store.get(c.id)).toEqual(c);
      });

      it('a pinned version that is stale is refused with CONFLICT, and nothing is written', async () => {
        const c = await create(store);
        await store.update(c.id, change({ kind: 'comment', text: 'first' }));
        await expect(store.update(c.id, change({ kind: 'comment', text: 'stale' }), { expectedVersion: 1 })).rejects.toMatchObject({
          code: 'CONFLICT',
          message: `case ${c.id} changed since version 1 (it is at version 2): reload it and try again`,
        });
        const ok = await store.update(c.id, change({ kind: 'comment', text: 'fresh' }), { expectedVersion: 2 });
        expect(ok.timeline.map((e) => e.details?.text ?? null)).toEqual([null, 'first', 'fresh']);
      });

      it('concurrent changes through two replicas are all kept', async () => {
        const r = await second();
        const c = await create(store);
        await Promise.all(
          Array.from({ length: 16 }, (_, i) =>
            i % 2 ? r.update(c.id, change({ kind: 'add_task', title: `task ${i}` })) : store.update(c.id, change({ kind: 'comment', text: `note ${i}` })),
          ),
        );
        const final = (await r.get(c.id))!;
        expect(final.version).toBe(17);
        expect(final.tasks.map((t) => t.title).sort()).toEqual(['task 1', 'task 11', 'task 13', 'task 15', 'task 3', 'task 5', 'task 7', 'task 9']);
        expect(final.tasks.map((t) => t.id).sort()).toEqual(['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8']);
        expect(final.timeline.filter((e) => e.action === 'comment')).toHaveLength(8);
        expect(final.timeline.map((e) => e.seq)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
      });

      it('a change made on one replica is read and listed on the other at once', async () => {
        const r = await second();
        const c = await create(store);
        await store.update(c.id, change({ kind: 'assign', assignee: 'li' }));
        expect((await r.get(c.id))!.assignee).toBe('li');
        expect((await r.list({ assignee: 'li' })).cases.map((x) => x.id)).toEqual([c.id]);
      });
    });

    describe('status and SLA', () => {
      it('moves open → in progress → resolved → closed with its times, and refuses other moves naming the allowed ones', async () => {
        const c = await create(store);
        await expect(store.update(c.id, change({ kind: 'status', to: 'open' }))).rejects.toThrow(`case ${c.id} is open already`);
        const w = await store.update(c.id, change({ kind: 'status', to: 'in_progress' }, 'wu', 10));
        const r = await store.update(c.id, change({ kind: 'status', to: 'resolved', resolution: 'true_positive', note: '已封禁' }, 'wu', 60));
        await expect(store.update(c.id, change({ kind: 'status', to: 'open' }))).rejects.toThrow(
          `case ${c.id} is resolved; it can move to closed, in_progress, not open`,
        );
        const x = await store.update(c.id, change({ kind: 'status', to: 'closed' }, 'li', 90));
        expect([w.acknowledgedAt, r.resolvedAt, x.closedAt, x.resolution, x.resolutionNote]).toEqual([
          at(10).toISOString(),
          at(60).toISOString(),
          at(90).toISOString(),
          'true_positive',
          '已封禁',
        ]);
        expect(x.sla).toMatchObject({ stage: 'done', acknowledgeMet: true, resolveMet: true, met: true });
      });

      it('closing needs a resolution; reopening clears it and the resolution time', async () => {
        const c = await create(store);
        await expect(store.update(c.id, change({ kind: 'status', to: 'closed' }))).rejects.toMatchObject({ code: 'INPUT_INVALID' });
        await store.update(c.id, change({ kind: 'status', to: 'closed', resolution: 'false_positive' }));
        const again = await store.update(c.id, change({ kind: 'status', to: 'in_progress' }, 'wu', 5));
        expect([again.status, again.resolution, again.resolvedAt, again.closedAt, again.sla.stage]).toEqual([
          'in_progress',
          undefined,
          undefined,
          undefined,
          'resolve',
        ]);
      });

      it('SLA colours follow a fake clock: green, yellow in the last quarter, red once due; then the resolve target', async () => {
        const c = await create(store);
        const colour = async (minutes: number) => {
          const t = at(minutes).toISOString();
          const found = await Promise.all(
            (['green', 'yellow', 'red'] as const).map(async (k) => ((await ids({ sla: { colour: k, at: t } })).includes(c.id) ? k : null)),
          );
          return found.filter((x) => x !== null);
        };
        expect(await colour(0)).toEqual(['green']);
        expect(await colour(22)).toEqual(['green']);
        expect(await colour(22.5)).toEqual(['yellow']);
        expect(await colour(29.99)).toEqual(['yellow']);
        expect(await colour(30)).toEqual(['red']);
        const acked = await store.update(c.id, change({ kind: 'status', to: 'in_progress' }, 'wu', 40));
        expect([acked.sla.stage, acked.sla.acknowledgeMet, acked.sla.dueAt]).toEqual(['resolve', false, '2026-11-20T06:00:00.000Z']);
        expect(await colour(41)).toEqual(['green']);
        expect(await colour(180)).toEqual(['yellow']);
        expect(await colour(240)).toEqual(['red']);
        expect(slaColour(acked.sla, at(240))).toBe('red');
        await store.update(c.id, change({ kind: 'status', to: 'resolved' }, 'wu', 100));
        // finished: red for good, since acknowledging was late
        expect(await colour(100)).toEqual(['red']);
        expect(await colour(10_000)).toEqual(['red']);
      });

      it('a case finished within both targets is green for good', async () => {
        const c = await create(store, { severity: 'critical' });
        await store.update(c.id, change({ kind: 'status', to: 'in_progress' }, 'wu', 5));
        await store.update(c.id, change({ kind: 'status', to: 'resolved' }, 'wu', 119));
        expect(await ids({ sla: { colour: 'green', at: at(100_000).toISOString() } })).toEqual([c.id]);
      });

      it('raising the severity brings the SLA targets forward from creation', async () => {
        const c = await create(store, { severity: 'low' });
        expect(await ids({ sla: { colour: 'red', at: at(60).toISOString() } })).toEqual([]);
        const u = await store.update(c.id, change({ kind: 'edit', severity: 'critical' }));
        expect([u.severityRank, u.sla.acknowledgeBy, u.sla.dueAt]).toEqual([4, '2026-11-20T02:15:00.000Z', '2026-11-20T02:15:00.000Z']);
        expect(await ids({ sla: { colour: 'red', at: at(60).toISOString() } })).toEqual([c.id]);
        expect(u.timeline[1]).toMatchObject({ action: 'edited', details: { severity: { from: 'low', to: 'critical' } } });
      });
    });

    describe('listing', () => {
      let made: Case[];
      beforeEach(async () => {
        made = [
          await create(store, { title: 'Brute force 暴力破解', tags: ['ssh'] }, 0),
          await create(store, { title: 'Data export', severity: 'critical', departments: ['公安'], description: 'HDFS bulk EXPORT of 户籍' }, 1),
          await create(store, { title: 'Joint case', severity: 'medium', departments: ['公安', '城管'], tags: ['joint', 'ssh'] }, 2),
          await create(store, { title: 'City-wide', severity: 'low', departments: [] }, 3),
        ];
        await store.update(made[0]!.id, change({ kind: 'assign', assignee: 'wu' }, 'wu', 10));
        await store.update(made[1]!.id, change({ kind: 'status', to: 'in_progress' }, 'li', 5));
      });

      it('lists newest first with the exact total', async () => {
        const page = await store.list({});
        expect([page.total, page.cases.map((c) => c.id)]).toEqual([4, ['CASE-2026-00004', 'CASE-2026-00003', 'CASE-2026-00002', 'CASE-2026-00001']]);
      });

      it('filters by status, severity, assignee and nobody assigned', async () => {
        expect(await ids({ status: ['in_progress'] })).toEqual(['CASE-2026-00002']);
        expect(await ids({ severity: ['critical', 'high'] })).toEqual(['CASE-2026-00002', 'CASE-2026-00001']);
        expect(await ids({ assignee: 'wu' })).toEqual(['CASE-2026-00001']);
        expect(await ids({ unassigned: true, status: ['open'] })).toEqual(['CASE-2026-00004', 'CASE-2026-00003']);
        expect(await ids({ status: [] })).toEqual([]);
      });

      it('a department filter finds every case that involves the department', async () => {
        expect(await ids({ department: '城管' })).toEqual(['CASE-2026-00003', 'CASE-2026-00001']);
        expect(await ids({ department: '公安' })).toEqual(['CASE-2026-00003', 'CASE-2026-00002']);
      });

      it('a row filter admits a case only when it admits each of its departments', async () => {
        expect(await ids({ visibleTo: department('城管') })).toEqual(['CASE-2026-00001']);
        expect(await ids({ visibleTo: department('公安') })).toEqual(['CASE-2026-00002']);
        expect(await ids({ visibleTo: { type: 'or', children: [department('城管'), department('公安')] } })).toEqual([
          'CASE-2026-00003',
          'CASE-2026-00002',
          'CASE-2026-00001',
        ]);
        expect(await ids({ visibleTo: { type: 'not', child: department('公安') } })).toEqual(['CASE-2026-00004', 'CASE-2026-00001']);
        expect(await ids({ visibleTo: { type: 'all' } })).toHaveLength(4);
        expect(await ids({ visibleTo: { type: 'none' } })).toEqual([]);
        expect((await store.list({ visibleTo: department('城管') })).total).toBe(1);
      });

      it('a row filter on another field is refused, naming the field', async () => {
        await expect(store.list({ visibleTo: { type: 'keyword', field: 'organization.name', value: '城管' } })).rejects.toThrow(
          'a case row filter may test department only, not organization.name',
        );
      });

      it('free text is a case-insensitive substring of the id, title, description or a tag', async () => {
        expect(await ids({ text: 'BRUTE' })).toEqual(['CASE-2026-00001']);
        expect(await ids({ text: '暴力' })).toEqual(['CASE-2026-00001']);
        expect(await ids({ text: 'bulk export' })).toEqual(['CASE-2026-00002']);
        expect(await ids({ text: 'case-2026-00004' })).toEqual(['CASE-2026-00004']);
        expect(await ids({ text: 'joint' })).toEqual(['CASE-2026-00003']);
        expect(await ids({ text: '*' })).toEqual([]);
        await expect(store.list({ text: 'a\u001fb' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
      });

      it('filters by tag and by creation and update times', async () => {
        expect(await ids({ tag: 'ssh' })).toEqual(['CASE-2026-00003', 'CASE-2026-00001']);
        expect(await ids({ created: { from: at(1).toISOString(), to: at(3).toISOString() } })).toEqual(['CASE-2026-00003', 'CASE-2026-00002']);
        expect(await ids({ updated: { from: at(5).toISOString() } })).toEqual(['CASE-2026-00002', 'CASE-2026-00001']);
      });

      it('sorts by severity or update time, ties by id in the same direction', async () => {
        expect(await ids({ sort: { field: 'severity', order: 'desc' } })).toEqual(['CASE-2026-00002', 'CASE-2026-00001', 'CASE-2026-00003', 'CASE-2026-00004']);
        expect(await ids({ sort: { field: 'updatedAt', order: 'asc' } })).toEqual(['CASE-2026-00003', 'CASE-2026-00004', 'CASE-2026-00002', 'CASE-2026-00001']);
      });

      it('pages by offset and by cursor, each case once, with the same total', async () => {
        const a = await store.list({ size: 3, sort: { field: 'createdAt', order: 'asc' } });
        expect([a.total, a.cases.map((c) => c.id), typeof a.nextCursor]).toEqual([4, ['CASE-2026-00001', 'CASE-2026-00002', 'CASE-2026-00003'], 'string']);
        const b = await store.list({ size: 3, sort: { field: 'createdAt', order: 'asc' }, after: a.nextCursor! });
        expect([b.total, b.cases.map((c) => c.id), b.nextCursor]).toEqual([4, ['CASE-2026-00004'], undefined]);
        expect(await ids({ size: 2, offset: 2 })).toEqual(['CASE-2026-00002', 'CASE-2026-00001']);
        const bySeverity = await store.list({ size: 2, sort: { field: 'severity', order: 'desc' } });
        expect(await ids({ size: 2, sort: { field: 'severity', order: 'desc' }, after: bySeverity.nextCursor! })).toEqual([
          'CASE-2026-00003',
          'CASE-2026-00004',
        ]);
      });

      it('refuses queries out of bounds and cursors it did not make', async () => {
        await expect(store.list({ size: 0 })).rejects.toThrow('case query size 0 is out of range: expected 1..1000');
        await expect(store.list({ size: 1000, offset: 9001 })).rejects.toThrow('exceeds 10000');
        await expect(store.list({ after: 'bogus' })).rejects.toThrow('case cursor is not valid');
        await expect(store.list({ created: { from: 'last week' } })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
      });

      it('selects by ids and leaves out excluded ids', async () => {
        expect(await ids({ ids: ['CASE-2026-00002', 'CASE-2026-00004', 'nope'] })).toEqual(['CASE-2026-00004', 'CASE-2026-00002']);
        expect(await ids({ excludeIds: ['CASE-2026-00001', 'CASE-2026-00004'] })).toEqual(['CASE-2026-00003', 'CASE-2026-00002']);
      });
    });

    describe('links, observables, tasks', () => {
      it('linking alerts adds their entities as observables once, and their departments', async () => {
        const c = await create(store);
        const u = await store.update(
          c.id,
          change({
            kind: 'link_alerts',
            alerts: [
              {
                id: 'al-1',
                department: '城管',
                entities: [
                  { type: 'ip', value: '10.1.1.1' },
                  { type: 'user', value: 'root' },
                  { type: 'process', value: '/bin/sh' },
                ],
              },
              { id: 'al-2', department: '公安', entities: [{ type: 'ip', value: '10.1.1.1' }] },
              { id: 'al-1', entities: [] },
            ],
          }),
        );
        expect(u.alertIds).toEqual(['al-1', 'al-2']);
        expect(u.observables.map((o) => [o.id, o.entity, o.source])).toEqual([
          ['O1', 'ip:10.1.1.1', 'alert:al-1'],
          ['O2', 'user:root', 'alert:al-1'],
        ]);
        expect(u.departments).toEqual(['公安', '城管']);
        expect(u.timeline.slice(1).map((e) => [e.action, e.details])).toEqual([
          ['alerts_linked', { alerts: ['al-1', 'al-2'] }],
          ['departments_added', { departments: ['公安'] }],
        ]);
        expect(await ids({ alertId: 'al-2' })).toEqual([c.id]);
        expect(
          await ids({
            observables: [
              { type: 'user', value: 'root' },
              { type: 'host', value: 'x' },
            ],
          }),
        ).toEqual([c.id]);
        expect(await ids({ observables: [{ type: 'ip', value: 'root' }] })).toEqual([]);
        const again = await store.update(c.id, change({ kind: 'link_alerts', alerts: [{ id: 'al-2', entities: [] }] }));
        expect(again.version).toBe(u.version);
      });

      it('links events, and finds the case by event', async () => {
        const c = await create(store);
        const u = await store.update(c.id, change({ kind: 'link_events', events: [{ id: 'ev-1' }, { id: 'ev-2', department: '城管' }, { id: 'ev-1' }] }));
        expect(u.eventIds).toEqual(['ev-1', 'ev-2']);
        expect(await ids({ eventId: 'ev-2' })).toEqual([c.id]);
        const unlinked = await store.update(c.id, change({ kind: 'link_alerts', alerts: [{ id: 'al-9', entities: [] }] }));
        const gone = await store.update(c.id, change({ kind: 'unlink_alert', alertId: 'al-9' }));
        expect([unlinked.alertIds, gone.alertIds]).toEqual([['al-9'], []]);
        expect(await ids({ alertId: 'al-9' })).toEqual([]);
      });

      it('observables are normalised (canonical IPs, lower-case hashes), checked, and kept once', async () => {
        const c = await create(store);
        const u1 = await store.update(c.id, change({ kind: 'add_observable', type: 'ip', value: '2001:DB8:0:0::1' }));
        const u2 = await store.update(c.id, change({ kind: 'add_observable', type: 'hash', value: 'D41D8CD98F00B204E9800998ECF8427E' }));
        const u3 = await store.update(c.id, change({ kind: 'add_observable', type: 'ip', value: '2001:db8::1' }));
        expect(u3.version).toBe(u2.version);
        expect(u2.observables.map((o) => o.entity)).toEqual(['ip:2001:db8::1', 'hash:d41d8cd98f00b204e9800998ecf8427e']);
        expect(u1.timeline[1]).toMatchObject({ action: 'observable_added', details: { observable: 'O1', entity: 'ip:2001:db8::1' } });
        await expect(store.update(c.id, change({ kind: 'add_observable', type: 'ip', value: '10.1.1' }))).rejects.toThrow(
          "observable ip '10.1.1' is not an IPv4 or IPv6 address",
        );
        await expect(store.update(c.id, change({ kind: 'add_observable', type: 'hash', value: 'abc' }))).rejects.toMatchObject({ code: 'INPUT_INVALID' });
        const removed = await store.update(c.id, change({ kind: 'remove_observable', observableId: 'O1' }));
        expect(removed.observables.map((o) => o.id)).toEqual(['O2']);
        expect(await ids({ observables: [{ type: 'ip', value: '2001:db8::1' }] })).toEqual([]);
      });

      it('tasks are done and reopened with their times; an unknown task is NOT_FOUND', async () => {
        const c = await create(store);
        await store.update(c.id, change({ kind: 'add_task', title: 'collect logs' }));
        const done = await store.update(c.id, change({ kind: 'update_task', taskId: 'T1', status: 'done', owner: 'li' }, 'li', 20));
        expect(done.tasks[0]).toMatchObject({ status: 'done', owner: 'li', doneAt: at(20).toISOString() });
        const reopened = await store.update(c.id, change({ kind: 'update_task', taskId: 'T1', status: 'open', owner: null }, 'wu', 30));
        expect([reopened.tasks[0]!.doneAt, reopened.tasks[0]!.owner]).toEqual([undefined, undefined]);
        expect(reopened.timeline[3]).toMatchObject({
          action: 'task_updated',
          details: { task: 'T1', status: { from: 'done', to: 'open' }, owner: { from: 'li', to: null } },
        });
        await expect(store.update(c.id, change({ kind: 'update_task', taskId: 'T9', status: 'done' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });

      it('attachments are references with their hash; limits are refused by name', async () => {
        const c = await create(store);
        const u = await store.update(
          c.id,
          change({ kind: 'add_attachment', name: 'pcap', uri: 'https://evidence.example/pcap/1', sha256: 'A'.repeat(64), size: 1024 }),
        );
        expect(u.attachments).toEqual([
          { id: 'A1', name: 'pcap', uri: 'https://evidence.example/pcap/1', sha256: 'a'.repeat(64), size: 1024, addedAt: at(1).toISOString(), addedBy: 'wu' },
        ]);
        await expect(store.update(c.id, change({ kind: 'edit', tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }))).rejects.toMatchObject({
          code: 'LIMIT_EXCEEDED',
          message: 'a case holds at most 50 tags; this change would make 51',
        });
      });
    });

    describe('merging', () => {
      const mergeSteps = (survivorId: string, minutes = 50) => ({
        mark: (m: Case) => markMerged(m, survivorId, by('li', minutes)),
        absorb: (s: Case, m: Case) => absorbCase(s, m, by('li', minutes)),
      });

      it('keeps both histories and every link; the merged case points to the survivor', async () => {
        const a = await create(store, { tags: ['ssh'] });
        const b = await create(store, { title: 'Same attacker', departments: ['公安'], tags: ['apt'] }, 5, 'li');
        await store.update(a.id, change({ kind: 'link_alerts', alerts: [{ id: 'al-1', entities: [{ type: 'ip', value: '10.1.1.1' }] }] }, 'wu', 6));
        await store.update(
          b.id,
          change(
            {
              kind: 'link_alerts',
              alerts: [
                {
                  id: 'al-2',
                  entities: [
                    { type: 'ip', value: '10.1.1.1' },
                    { type: 'user', value: 'bob' },
                  ],
                },
              ],
            },
            'li',
            7,
          ),
        );
        await store.update(b.id, change({ kind: 'add_task', title: 'ask 公安' }, 'li', 8));
        await store.update(a.id, change({ kind: 'add_task', title: 'block ip' }, 'wu', 9));
        const { survivor, merged } = await store.merge(a.id, b.id, mergeSteps(a.id));
        expect(survivor).toMatchObject({ alertIds: ['al-1', 'al-2'], departments: ['公安', '城管'], tags: ['apt', 'ssh'], mergedFrom: [b.id] });
        expect(survivor.observables.map((o) => [o.id, o.entity])).toEqual([
          ['O1', 'ip:10.1.1.1'],
          ['O2', 'user:bob'],
        ]);
        expect(survivor.tasks.map((t) => [t.id, t.title, t.fromCase])).toEqual([
          ['T1', 'block ip', undefined],
          ['T2', 'ask 公安', b.id],
        ]);
        expect(survivor.timeline.map((e) => [e.seq, e.action, e.case ?? null])).toEqual([
          [1, 'created', null],
          [2, 'alerts_linked', null],
          [3, 'task_added', null],
          [4, 'created', b.id],
          [5, 'alerts_linked', b.id],
          [6, 'task_added', b.id],
          [7, 'merged_into', b.id],
          [8, 'merged_from', null],
        ]);
        expect(merged).toMatchObject({ status: 'closed', resolution: 'merged', mergedInto: a.id });
        expect(merged.timeline.map((e) => e.action)).toEqual(['created', 'alerts_linked', 'task_added', 'merged_into']);
        expect(await store.get(b.id)).toEqual(merged);
        expect(await store.get(a.id)).toEqual(survivor);
        expect(await ids({ alertId: 'al-2' })).toEqual([a.id, b.id].sort().reverse());
      });

      it('a merged case is read-only and cannot be merged again; nothing merges into itself', async () => {
        const a = await create(store);
        const b = await create(store, {}, 1);
        const c = await create(store, {}, 2);
        await store.merge(a.id, b.id, mergeSteps(a.id));
        await expect(store.update(b.id, change({ kind: 'comment', text: 'late' }))).rejects.toThrow(`case ${b.id} was merged into ${a.id}; work on ${a.id}`);
        await expect(store.merge(c.id, b.id, mergeSteps(c.id))).rejects.toMatchObject({ code: 'CONFLICT' });
        await expect(store.merge(b.id, c.id, mergeSteps(b.id))).rejects.toMatchObject({ code: 'CONFLICT' });
        await expect(store.merge(c.id, c.id, mergeSteps(c.id))).rejects.toThrow('cannot be merged into itself');
        expect((await store.get(c.id))!.version).toBe(1);
      });

      it('a merge cut short after marking is completed by running it again, and a repeat changes nothing', async () => {
        const a = await create(store);
        const b = await create(store, { tags: ['x'] }, 1);
        await store.update(b.id, (m) => markMerged(m, a.id, by('li', 50)));
        expect((await store.get(a.id))!.mergedFrom).toEqual([]);
        const first = await store.merge(a.id, b.id, mergeSteps(a.id));
        const again = await store.merge(a.id, b.id, mergeSteps(a.id));
        expect([first.survivor.mergedFrom, first.survivor.tags, again.survivor.version, again.merged.version]).toEqual([
          [b.id],
          ['x'],
          first.survivor.version,
          first.merged.version,
        ]);
        expect(again.survivor.timeline.filter((e) => e.action === 'merged_from')).toHaveLength(1);
      });

      it('merging an unknown case is NOT_FOUND', async () => {
        const a = await create(store);
        await expect(store.merge(a.id, 'CASE-2026-09999', mergeSteps(a.id))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });
    });
  });
}

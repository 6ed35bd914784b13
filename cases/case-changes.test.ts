/**
 * The case store's change feed: the cases services over a watched store tell each case written
 * (opened, changed, merged) with what the write put on its timeline, only after the write, and
 * never when the write failed; a listener that throws does not fail the write.
 */
import type { Case } from '../core/case';
import type { CaseStore } from '../core/ports/case-store';
import { type StoredCaseChange, watchCaseStore } from './case-changes';
import { createCasesServices } from './service';
import { casesFixture, type CasesFixture } from './test-support';

let f: CasesFixture;
beforeEach(async () => {
  f = await casesFixture();
});
afterEach(() => f.close());

/** The cases services over the fixture's store, watched; `told` lists each change as `kind id vN status: actions`. */
function watched(store: CaseStore = f.cases) {
  const errors: unknown[] = [];
  const { store: cases, changes } = watchCaseStore(store, (e) => errors.push(e));
  const told: string[] = [];
  const seen: StoredCaseChange[] = [];
  changes.on((c) => {
    seen.push(c);
    told.push(`${c.kind} ${c.case.id} v${c.case.version} ${c.case.status}: ${c.actions.join(',')}`);
  });
  return { services: createCasesServices({ ...f.deps, cases }), changes, told, seen, errors };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: Error & { code: string }) => `${e.code}: ${e.message}`,
  );

describe('the case store change feed', () => {
  it('tells every case written, after the write, with the actions it put on the timeline', async () => {
    const w = watched();
    const wu = f.actor('wu');
    const a = await w.services.cases.create(wu, { title: '暴力破解 web-01', severity: 'high', departments: ['城管'] });
    await w.services.cases.update(wu, { id: a.id, change: { kind: 'comment', text: '已联系' } });
    const withTask = await w.services.cases.update(wu, { id: a.id, change: { kind: 'add_task', title: '封禁来源地址' } });
    await w.services.cases.update(wu, { id: a.id, change: { kind: 'update_task', taskId: withTask.tasks[0]!.id, status: 'done' } });
    await w.services.cases.update(wu, { id: a.id, change: { kind: 'add_observable', type: 'ip', value: '10.1.1.1' } });
    await w.services.cases.update(wu, { id: a.id, change: { kind: 'status', to: 'in_progress' } });
    const b = await w.services.cases.create(wu, { title: 'same source', severity: 'medium', departments: ['城管'] });
    await w.services.cases.merge(wu, { survivorId: a.id, mergedId: b.id });
    expect(w.told).toEqual([
      `created ${a.id} v1 open: created`,
      `updated ${a.id} v2 open: comment`,
      `updated ${a.id} v3 open: task_added`,
      `updated ${a.id} v4 open: task_updated`,
      `updated ${a.id} v5 open: observable_added`,
      `updated ${a.id} v6 in_progress: status`,
      `created ${b.id} v1 open: created`,
      `merged ${b.id} v2 closed: merged_into`,
      `merged ${a.id} v7 in_progress: merged_from`,
    ]);
    // Each change carries the case as stored.
    expect(w.seen.at(-2)!.case).toEqual(await f.cases.get(b.id));
    expect(w.seen.at(-1)!.case).toEqual(await f.cases.get(a.id));
    expect(w.errors).toEqual([]);
  });

  it('tells nothing of a write that failed: a stale version, a change the caller may not make, a store that refuses', async () => {
    const failing: CaseStore = {
      ...f.cases,
      get: (id) => f.cases.get(id),
      list: (q) => f.cases.list(q),
      create: (c) => f.cases.create(c),
      update: async () => {
        throw new Error('disk full');
      },
      merge: async () => {
        throw new Error('disk full');
      },
      close: () => f.cases.close(),
    };
    const w = watched(failing);
    const wu = f.actor('wu');
    const a = await w.services.cases.create(wu, { title: 't', severity: 'low', departments: ['城管'] });
    const b = await w.services.cases.create(wu, { title: 'u', severity: 'low', departments: ['城管'] });
    expect(await code(w.services.cases.update(wu, { id: a.id, change: { kind: 'comment', text: 'x' } }))).toBe(
      'INTERNAL: internal error; the server log has the details',
    );
    expect(await code(w.services.cases.merge(wu, { survivorId: a.id, mergedId: b.id }))).toBe('INTERNAL: internal error; the server log has the details');
    const real = watched();
    expect(await code(real.services.cases.update(wu, { id: a.id, change: { kind: 'comment', text: 'x' }, expectedVersion: 7 }))).toBe(
      `CONFLICT: case ${a.id} changed since version 7 (it is at version 1): reload it and try again`,
    );
    expect(await code(real.services.cases.update(f.actor('li'), { id: a.id, change: { kind: 'comment', text: 'x' } }))).toBe(`NOT_FOUND: no case ${a.id}`);
    expect(w.told).toEqual([`created ${a.id} v1 open: created`, `created ${b.id} v1 open: created`]);
    expect(real.told).toEqual([]);
    expect((await f.cases.get(a.id))!.version).toBe(1);
  });

  it('a listener that throws fails neither the write nor the listeners after it; its fault is reported', async () => {
    const w = watched();
    const after: string[] = [];
    w.changes.on(() => {
      throw new Error('listener broke');
    });
    const stop = w.changes.on((c) => after.push(c.case.id));
    const wu = f.actor('wu');
    const a = await w.services.cases.create(wu, { title: 't', severity: 'low', departments: ['城管'] });
    stop();
    const moved: Case = await w.services.cases.update(wu, { id: a.id, change: { kind: 'status', to: 'resolved', resolution: 'false_positive' } });
    expect(moved.status).toBe('resolved');
    expect(after).toEqual([a.id]);
    expect(w.told).toEqual([`created ${a.id} v1 open: created`, `updated ${a.id} v2 resolved: status`]);
    expect(w.errors.map((e) => (e as Error).message)).toEqual(['listener broke', 'listener broke']);
  });
});

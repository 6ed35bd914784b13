import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunChange, watchRunStore } from './run-changes';
import { approval, run, runStoreContract, step } from './run-store.contract';
import { SqliteRunStore } from './sqlite-run-store';

const sqlite = () => new SqliteRunStore(path.join(mkdtempSync(path.join(tmpdir(), 'citysoc-runs-')), 'runs.db'));

// The watched store is still a RunStore in every respect.
runStoreContract('SQLite, watched', async () => watchRunStore(sqlite(), () => undefined).store);

const said = (c: RunChange) => (c.kind === 'run' ? `run ${c.run.id} ${c.run.status}` : `approval ${c.approval.id} ${c.approval.status}`);

describe('the changes of a watched run store', () => {
  it('tells each stored run and approval once, after the write, and nothing a write did not change', async () => {
    const { store, changes } = watchRunStore(sqlite(), () => undefined);
    const heard: string[] = [];
    const stop = changes.on((c) => heard.push(said(c)));
    await store.createRuns([{ run: run('r1'), step: step('r1', 'in') }]);
    // A trigger delivered twice: the second batch stores nothing and tells nothing.
    await store.createRuns([
      { run: run('r1'), step: step('r1', 'in') },
      { run: run('r2'), step: step('r2', 'in') },
    ]);
    await store.putStep(step('r1', 'enrich'));
    await store.updateRun(run('r1', { status: 'waiting' }));
    await store.createApproval(approval('ap1', 'r1'));
    expect(await store.answerApproval('ap1', { status: 'approved', by: 'lead', at: '2026-11-20T02:05:00.000Z' })).not.toBeNull();
    // A second answer changes nothing: it is not told.
    expect(await store.answerApproval('ap1', { status: 'rejected', by: 'other', at: '2026-11-20T02:06:00.000Z' })).toBeNull();
    await store.updateRun(run('r1', { status: 'succeeded' }));
    stop();
    await store.updateRun(run('r2', { status: 'failed' }));
    expect(heard).toEqual(['run r1 running', 'run r2 running', 'run r1 waiting', 'approval ap1 pending', 'approval ap1 approved', 'run r1 succeeded']);
    expect((await store.getRun('r2'))!.status).toBe('failed');
    await store.close();
  });

  it('keeps a failing listener out of the write and away from the other listeners', async () => {
    const errors: unknown[] = [];
    const { store, changes } = watchRunStore(sqlite(), (e) => errors.push(e));
    const heard: string[] = [];
    changes.on(() => {
      throw new Error('listener broke');
    });
    changes.on((c) => heard.push(said(c)));
    await expect(store.createRuns([{ run: run('r1'), step: step('r1', 'in') }])).resolves.toEqual([true]);
    expect(heard).toEqual(['run r1 running']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['listener broke']);
    await store.close();
  });

  it('tells nothing when the write fails', async () => {
    const { store, changes } = watchRunStore(sqlite(), () => undefined);
    const heard: string[] = [];
    changes.on((c) => heard.push(said(c)));
    await store.close();
    await expect(store.updateRun(run('r1'))).rejects.toThrow();
    expect(heard).toEqual([]);
  });
});

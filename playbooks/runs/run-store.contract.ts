/** What every RunStore must do (run-store.ts), run against each adapter. */
import type { ApprovalRecord, RunRecord, StepRecord } from './model';
import type { RunStore } from './run-store';

const T0 = '2026-11-20T02:00:00.000Z';

export function run(id: string, over: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    playbookId: 'pb-1',
    playbookName: 'Playbook one',
    trigger: { kind: 'alert', nodeId: 'in', alertId: `a-${id}` },
    person: 'lead',
    dryRun: false,
    status: 'running',
    startedAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function step(runId: string, key: string, over: Partial<StepRecord> = {}): StepRecord {
  return { runId, key, nodeId: key, nodeType: 'citysoc-enrich', name: key, status: 'running', attempts: 1, startedAt: T0, ...over };
}

export function approval(id: string, runId: string, over: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    id,
    runId,
    stepKey: 'ask',
    nodeId: 'ask',
    playbookId: 'pb-1',
    playbookName: 'Playbook one',
    question: 'go on?',
    context: {},
    approverRole: 'security_lead',
    excluded: [],
    status: 'pending',
    createdAt: T0,
    deadline: Date.parse(T0) + 3_600_000,
    ...over,
  };
}

export function runStoreContract(name: string, open: () => Promise<RunStore>): void {
  describe(`RunStore contract: ${name}`, () => {
    let s: RunStore;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(() => s.close());

    it('stores a batch of runs with their first steps and ignores ids that exist, so a trigger delivered twice starts one run', async () => {
      expect(await s.createRuns([{ run: run('r1'), step: step('r1', 'in', { status: 'succeeded', input: { a: 1 } }) }])).toEqual([true]);
      expect(
        await s.createRuns([
          { run: run('r1', { person: 'someone else' }), step: step('r1', 'in', { input: { a: 2 } }) },
          { run: run('r2'), step: step('r2', 'in') },
        ]),
      ).toEqual([false, true]);
      expect((await s.getRun('r1'))!.person).toBe('lead');
      expect((await s.getStep('r1', 'in'))!.input).toEqual({ a: 1 });
      expect(await s.getRun('nope')).toBeNull();
    });

    it('keeps a step in the order it first started, replaces its state, and keeps its input when a later write has none', async () => {
      await s.createRuns([{ run: run('r1'), step: step('r1', 'in', { status: 'succeeded' }) }]);
      await s.putStep(step('r1', 'b', { input: { x: 1 } }));
      await s.putStep(step('r1', 'c', { input: { y: 1 } }));
      await s.putStep(step('r1', 'b', { status: 'succeeded', output: { ok: true }, durationMs: 5 }));
      const steps = await s.listSteps('r1');
      expect(steps.map((x) => [x.key, x.status])).toEqual([
        ['in', 'succeeded'],
        ['b', 'succeeded'],
        ['c', 'running'],
      ]);
      expect(steps[1]).toMatchObject({ input: { x: 1 }, output: { ok: true }, durationMs: 5 });
    });

    it('lists runs newest first, by playbook and status, and pages backwards', async () => {
      await s.createRuns([
        { run: run('r1', { startedAt: '2026-11-20T01:00:00.000Z' }), step: step('r1', 'in') },
        { run: run('r2', { startedAt: '2026-11-20T02:00:00.000Z', playbookId: 'pb-2' }), step: step('r2', 'in') },
        { run: run('r3', { startedAt: '2026-11-20T03:00:00.000Z' }), step: step('r3', 'in') },
      ]);
      await s.updateRun(run('r3', { startedAt: '2026-11-20T03:00:00.000Z', status: 'failed', failedSteps: ['b'] }));
      expect((await s.listRuns({ limit: 10 })).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
      expect((await s.listRuns({ playbookId: 'pb-1', limit: 10 })).map((r) => r.id)).toEqual(['r3', 'r1']);
      expect((await s.listRuns({ status: ['failed'], limit: 10 })).map((r) => [r.id, r.failedSteps])).toEqual([['r3', ['b']]]);
      expect((await s.listRuns({ before: '2026-11-20T03:00:00.000Z', limit: 1 })).map((r) => r.id)).toEqual(['r2']);
    });

    it('answers an approval once: the second answer finds it no longer pending', async () => {
      await s.createApproval(approval('ap1', 'r1'));
      const first = await s.answerApproval('ap1', { status: 'approved', by: 'li', at: T0, comment: 'ok' });
      expect(first).toMatchObject({ status: 'approved', answeredBy: 'li', comment: 'ok' });
      expect(await s.answerApproval('ap1', { status: 'rejected', by: 'wu', at: T0 })).toBeNull();
      expect(await s.answerApproval('missing', { status: 'rejected', by: 'wu', at: T0 })).toBeNull();
      expect((await s.getApproval('ap1'))!.answeredBy).toBe('li');
      await s.createApproval(approval('ap2', 'r2'));
      expect((await s.listApprovals({ status: ['pending'], limit: 10 })).map((a) => a.id)).toEqual(['ap2']);
      expect((await s.listApprovals({ runId: 'r1', limit: 10 })).map((a) => a.id)).toEqual(['ap1']);
    });

    it('finds what a restart must resume: unfinished runs, steps left running or retrying, pending approvals', async () => {
      await s.createRuns([
        { run: run('r1'), step: step('r1', 'in', { status: 'succeeded' }) },
        { run: run('r2', { status: 'waiting' }), step: step('r2', 'in', { status: 'succeeded' }) },
        { run: run('r3', { status: 'succeeded', endedAt: T0 }), step: step('r3', 'in', { status: 'succeeded' }) },
      ]);
      await s.putStep(step('r1', 'act', { status: 'retrying', nextAttemptAt: 123, input: { m: 1 } }));
      await s.putStep(step('r1', 'act2', { status: 'running', input: { m: 2 } }));
      await s.createApproval(approval('ap1', 'r2'));
      const u = await s.unfinished();
      expect(u.runs.map((r) => r.id).sort()).toEqual(['r1', 'r2']);
      expect(u.steps.map((x) => [x.key, x.status, x.input]).sort()).toEqual([
        ['act', 'retrying', { m: 1 }],
        ['act2', 'running', { m: 2 }],
      ]);
      expect(u.approvals.map((a) => a.id)).toEqual(['ap1']);
    });

    it('keeps rejected trigger inputs with their reason', async () => {
      await s.reject({ source: 'citysoc.alerts@7', reason: 'rule: Required', raw: '{"id":"x"}' });
      expect(await s.listRejected(5)).toEqual([{ at: expect.any(String), source: 'citysoc.alerts@7', reason: 'rule: Required', raw: '{"id":"x"}' }]);
    });

    it('prunes finished runs that ended before the cut, with their steps and approvals, never unfinished ones', async () => {
      await s.createRuns([
        { run: run('old', { status: 'succeeded', endedAt: '2026-01-01T00:00:00.000Z' }), step: step('old', 'in') },
        { run: run('new', { status: 'succeeded', endedAt: '2026-12-01T00:00:00.000Z' }), step: step('new', 'in') },
        { run: run('open', { status: 'waiting' }), step: step('open', 'in') },
      ]);
      await s.createApproval(approval('ap-old', 'old', { status: 'approved' }));
      expect(await s.prune(new Date('2026-06-01T00:00:00.000Z'))).toBe(1);
      expect(await s.getRun('old')).toBeNull();
      expect(await s.listSteps('old')).toEqual([]);
      expect(await s.getApproval('ap-old')).toBeNull();
      expect((await s.listRuns({ limit: 10 })).map((r) => r.id).sort()).toEqual(['new', 'open']);
    });
  });
}

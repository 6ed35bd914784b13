/**
 * Runs survive a kill -9: the playbooks runtime runs in a child process (the real Node-RED
 * runtime on loopback); one run waits for an approval, another for the next attempt of a failed
 * notification; the process is killed with SIGKILL and started again on the same data directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEPT, U } from './test-support/actors';
import { until } from './test-support/palette-fixture';
import { type Receiver, receiver } from './test-support/receiver';
import { testAlert } from './test-support/test-host';

jest.setTimeout(180_000);

const MASS_EXPORT_RULE = '6f013f64-f8b2-4e8e-88c3-34580d58aad3';

interface Child {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
}

function startChild(options: Record<string, unknown>): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'test-support', 'harness-process.ts')], {
    env: { ...process.env, CITYSOC_PLAYBOOKS_HARNESS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  let err = '';
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]!, exited });
    });
    void exited.then((code) => reject(new Error(`the harness exited (${code}) before it was ready:\n${err}`)));
  });
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}

const approvals = (url: string) =>
  gql<{ playbookApprovals: { id: string; runId: string; context: { alert: { id: string } } }[] }>(
    url,
    '{ playbookApprovals { id runId context } }',
    {},
    'tok-lead',
  ).then((d) => d.playbookApprovals);
const run = (url: string, id: string) =>
  gql<{ playbookRun: { run: { status: string }; steps: { nodeId: string; status: string; attempts: number }[] } }>(
    url,
    'query($id:ID!){ playbookRun(id:$id) { run { status } steps { nodeId status attempts } } }',
    { id },
    'tok-admin',
  ).then((d) => d.playbookRun);

describe('playbook runs across a kill -9 of the process that runs them', () => {
  let dir: string;
  let owner: Receiver;
  let flaky: Receiver;
  let child: Child | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'citysoc-playbooks-kill-'));
    owner = await receiver();
    flaky = await receiver({ up: false });
  });
  afterAll(async () => {
    if (child && child.proc.exitCode === null) {
      child.proc.kill('SIGTERM');
      await child.exited;
    }
    await owner.down();
    await flaky.down();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a pending approval and a pending retry through kill -9; after the restart the approval is still pending, answering it finishes the run, and the retried notification is delivered once', async () => {
    const options = {
      dir,
      enable: ['citysoc-pb-mass-export'],
      // The second attempt is due 4 s after the first failure: the kill falls in between.
      config: { outbound: { allow: [owner.origin, flaky.origin], timeoutMs: 2000 }, retry: { attempts: 3, baseMs: 4000, maxMs: 4000, jitter: 0 } },
      directory: {
        users: [
          { name: U, department: DEPT, privileged: false },
          { name: 'liu.v', department: DEPT, privileged: false },
        ],
        datasets: [
          { id: 'ds-population', owner: { webhook: owner.url } },
          { id: 'ds-vehicles', owner: { webhook: flaky.url } },
        ],
      },
    };
    child = await startChild(options);
    const url1 = child.url;
    const alert = (id: string, user: string, dataset: string) =>
      testAlert({
        id,
        rule: { id: MASS_EXPORT_RULE, name: 'Data-Sharing API Scraping By Volume', type: 'correlation', severity: 'high' },
        entities: [
          { type: 'user', value: user },
          { type: 'dataset', value: dataset },
        ],
        department: DEPT,
      });
    const post = (url: string, a: unknown) => fetch(`${url}/test/alerts`, { method: 'POST', body: JSON.stringify(a) });
    await post(url1, alert('kill-1', U, 'ds-population'));
    await post(url1, alert('kill-2', 'liu.v', 'ds-vehicles'));
    const pending = await until('two approvals', async () => {
      const a = await approvals(url1);
      return a.length === 2 ? a : undefined;
    });
    const waiting = pending.find((a) => a.context.alert.id === 'kill-1')!;
    const retried = pending.find((a) => a.context.alert.id === 'kill-2')!;
    await gql(url1, 'mutation($id:ID!){ approvePlaybookStep(id:$id) { status } }', { id: retried.id }, 'tok-lead');
    await until('the notification to wait for its second attempt', async () => {
      const r = await run(url1, retried.runId);
      return r.run.status === 'retrying' && r.steps.find((s) => s.nodeId === 'exp-notify')?.status === 'retrying';
    });

    child.proc.kill('SIGKILL');
    expect(await child.exited).toBeNull();
    await flaky.up();

    child = await startChild(options);
    const url2 = child.url;
    expect(url2).not.toBe(url1);
    // The approval is still pending, with the same id; the run still waits.
    expect((await approvals(url2)).map((a) => a.id)).toEqual([waiting.id]);
    expect((await run(url2, waiting.runId)).run.status).toBe('waiting');

    // The retry was re-armed from the store and is delivered once.
    const second = await until('the retried run to succeed', async () => {
      const r = await run(url2, retried.runId);
      return r.run.status === 'succeeded' ? r : undefined;
    });
    expect(second.steps.find((s) => s.nodeId === 'exp-notify')).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(flaky.received).toHaveLength(1);

    await gql(url2, 'mutation($id:ID!){ approvePlaybookStep(id:$id) { status } }', { id: waiting.id }, 'tok-lead');
    const first = await until('the waiting run to finish', async () => {
      const r = await run(url2, waiting.runId);
      return r.run.status === 'succeeded' ? r : undefined;
    });
    expect(first.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['exp-in', 'succeeded'],
      ['exp-enrich', 'succeeded'],
      ['exp-approval', 'succeeded'],
      ['exp-suspend', 'succeeded'],
      ['exp-notify', 'succeeded'],
      ['exp-case', 'succeeded'],
    ]);
    expect(owner.received).toHaveLength(1);
    const decide = (await (await fetch(`${url2}/test/decide?user=${U}`)).json()) as { isolated: boolean; decision: string };
    expect(decide).toMatchObject({ isolated: true, decision: 'deny' });
    const state = (await (await fetch(`${url2}/test/state`)).json()) as {
      audit: { action: string; actor: string; decision: string; details?: { runId?: string } }[];
    };
    const answers = state.audit.filter((a) => a.action === 'playbooks.approve').map((a) => [a.actor, a.decision, a.details?.runId]);
    expect(answers).toEqual([
      ['li.lead', 'allow', retried.runId],
      ['li.lead', 'allow', waiting.runId],
    ]);
  });
});

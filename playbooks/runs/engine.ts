/**
 * Durable runs over Node-RED. Node-RED moves messages between nodes in memory; this engine keeps
 * what a run is in the RunStore, so a restart (or kill -9) loses nothing that matters:
 * - a trigger starts a run only after the run is stored (one durable write per batch, ids
 *   deterministic per trigger, so a trigger delivered twice starts it once);
 * - an action is a step, performed at most once per (run, node): a step that succeeded is never
 *   performed again, its stored result is handed on instead;
 * - a failing step is retried with backoff, then fails the run; replay starts it again from the
 *   failed step with its stored input;
 * - an approval parks the run until it is answered or times out;
 * - after a restart, every unfinished run resumes: steps cut off mid-action are tried again,
 *   retries and approval deadlines are re-armed, and a run cut off between steps is walked again
 *   from its trigger, every step already done answering from the log.
 * Whether a run is finished is counted from Node-RED's message hooks: messages delivered minus
 * messages completed, plus steps parked.
 */
import { CitySocError } from '../../core/errors';
import { deterministicId, envelopeOf, type Message, playbookActor, type RunEnvelope, snapshot, stepKey } from './envelope';
import type { ApprovalRecord, RunRecord, RunStatus, RunTrigger, StepRecord } from './model';
import { backoffMs, DEFAULT_RETRY, isRetryable, type RetryPolicy } from './retry';
import type { RunStore } from './run-store';
import type { Actor } from '../../core/actor';

/** The part of a Node-RED node the engine drives. */
export interface FlowNode {
  readonly id: string;
  readonly type: string;
  readonly name?: string;
  /** The tab (playbook) the node sits on. */
  readonly z: string;
  receive(msg: Message): void;
  send(msg: unknown): void;
  status(s: { fill?: string; shape?: string; text?: string }): void;
}

export type Done = (err?: Error) => void;

export interface ActionSpec {
  /** Performs the step as the playbook actor; resolves the step's result. */
  act(actor: Actor, msg: Message): Promise<unknown>;
  /** What a dry run records instead (nothing is changed). */
  simulate(msg: Message): unknown;
  /** Where the result goes on the message handed on. */
  readonly outputPath: string;
}

export interface ApprovalRequest {
  readonly question: string;
  readonly context: Record<string, unknown>;
  readonly approverRole: string;
  readonly excluded: readonly string[];
  readonly timeoutMs: number;
}

export interface StartItem {
  readonly node: FlowNode;
  readonly runId: string;
  readonly trigger: RunTrigger;
  readonly playbookName: string;
  readonly person: string;
  readonly department?: string;
  readonly dryRun?: boolean;
  readonly msg: Message;
}

export interface EngineLog {
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface EngineOptions {
  readonly store: RunStore;
  readonly clock?: () => Date;
  readonly retry?: RetryPolicy;
  /** Longest a step may take before it counts as failed (and is retried). */
  readonly stepTimeoutMs?: number;
  /** Runs with messages moving at once; triggers wait beyond it (parked runs do not count). */
  readonly maxActiveRuns?: number;
  readonly log?: EngineLog;
  readonly random?: () => number;
  /** How long a run must be quiet before messages a switch or filter dropped stop counting. */
  readonly quietMs?: number;
}

interface Live {
  record: RunRecord | null;
  readonly runId: string;
  inflight: number;
  /** Messages held by nodes that never report done (switch, filter), by node. */
  readonly silent: Map<string, number>;
  /** Last time a message of the run moved (ms). */
  moved: number;
  /** Step keys waiting for a retry or an answer. */
  readonly parked: Map<string, 'retrying' | 'waiting'>;
  readonly failed: Set<string>;
  settling: boolean;
}

const APPROVAL_OUTPUT = { approved: 0, rejected: 1, timed_out: 2 } as const;
/** Marks an error no step record holds yet: the completion hook writes it to the run the message was delivered for. */
const UNRECORDED = Symbol('citysoc.unrecorded');
const MAX_TIMER_MS = 2 ** 31 - 1;

export class RunEngine {
  private readonly nodes = new Map<string, FlowNode>();
  private readonly live = new Map<string, Live>();
  private readonly executing = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly citysocNodes = new Set<string>();
  private active = 0;
  private readonly capacityWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private stopped = false;
  private epoch = 0;
  private readonly clock: () => Date;
  private readonly retry: RetryPolicy;

  constructor(private readonly o: EngineOptions) {
    this.clock = o.clock ?? (() => new Date());
    this.retry = o.retry ?? DEFAULT_RETRY;
  }

  get store(): RunStore {
    return this.o.store;
  }

  // ---- nodes ----

  /** A CitySOC node came up in a deployed flow. */
  register(node: FlowNode): void {
    this.nodes.set(node.id, node);
    this.citysocNodes.add(node.id);
  }

  unregister(node: FlowNode): void {
    if (this.nodes.get(node.id) === node) this.nodes.delete(node.id);
  }

  node(id: string): FlowNode | undefined {
    return this.nodes.get(id);
  }

  // ---- message accounting (Node-RED hooks) ----

  /**
   * preDeliver: a message of a run is on its way to a node. A node whose input handler takes no
   * `done` (Node-RED's switch and filter) never reports completion: its message counts until the
   * node sends on (sent) or, when it drops the message, until the run has been quiet a while.
   */
  delivered(msg: Message, nodeId?: string, reportsDone = true): void {
    // The same message object handed on keeps the run it was first delivered for.
    const from = this.originOf(msg);
    if (!from) return;
    if (!this.origin.has(msg)) this.origin.set(msg, from);
    const l = this.liveOf(from.runId);
    l.moved = Date.now();
    if (!reportsDone && nodeId !== undefined) {
      l.silent.set(nodeId, (l.silent.get(nodeId) ?? 0) + 1);
      this.armQuietSweep();
    }
    this.up(l);
  }

  /** onSend: a node sends; for a node that never reports done, that ends its hold on one message. */
  sent(msg: Message, sourceId: string): void {
    const from = this.originOf(msg);
    if (!from) return;
    const l = this.live.get(from.runId);
    const held = l?.silent.get(sourceId);
    if (!l || !held) return;
    if (held === 1) l.silent.delete(sourceId);
    else l.silent.set(sourceId, held - 1);
    this.down(l);
  }

  private quietTimer: NodeJS.Timeout | null = null;

  /** Messages a switch or filter dropped without a word: released once their run has been quiet. */
  private armQuietSweep(): void {
    if (this.quietTimer || this.stopped) return;
    const quiet = this.o.quietMs ?? 5_000;
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      const now = Date.now();
      let waiting = false;
      for (const l of this.live.values()) {
        const held = [...l.silent.values()].reduce((a, b) => a + b, 0);
        if (held === 0) continue;
        if (held < l.inflight || now - l.moved < quiet) {
          waiting = true;
          continue;
        }
        l.silent.clear();
        for (let i = 0; i < held; i++) this.down(l);
      }
      if (waiting) this.armQuietSweep();
    }, quiet);
    this.quietTimer.unref?.();
  }

  /** Marks a message as belonging to the flows running now. */
  private stamp(msg: Message, extra: Partial<RunEnvelope> = {}): Message {
    const env = envelopeOf(msg);
    if (env) msg.citysoc = { ...env, ...extra, epoch: this.epoch };
    return msg;
  }

  /** onComplete: a node finished with a message (an error from a node outside the palette fails the run; core nodes pass strings too). */
  completed(nodeId: string, nodeType: string, msg: Message, error?: Error | string): void {
    const from = this.originOf(msg);
    if (!from) return;
    const live = this.liveOf(from.runId);
    live.moved = Date.now();
    const unrecorded = error instanceof Error && (error as { [UNRECORDED]?: boolean })[UNRECORDED] === true;
    if (error && (!this.citysocNodes.has(nodeId) || unrecorded))
      void this.recordForeignFailure(live, from.runId, nodeId, nodeType, msg, error instanceof Error ? error : new Error(String(error)));
    this.down(live);
  }

  /**
   * Which run a message was delivered for. Taken when it is delivered, not from the message when
   * the node is done: a node may rewrite msg.citysoc in place, and must not move the count to
   * another run.
   */
  private readonly origin = new WeakMap<object, { runId: string; epoch: number }>();

  private originOf(msg: Message): { runId: string; epoch: number } | null {
    const o = this.origin.get(msg);
    if (o) return o.epoch === this.epoch ? o : null;
    const env = envelopeOf(msg);
    return env && env.epoch === this.epoch ? { runId: env.runId, epoch: env.epoch } : null;
  }

  private liveOf(runId: string, record: RunRecord | null = null): Live {
    let l = this.live.get(runId);
    if (!l) {
      l = { runId, record, inflight: 0, silent: new Map(), moved: Date.now(), parked: new Map(), failed: new Set(), settling: false };
      this.live.set(runId, l);
    } else if (record && !l.record) l.record = record;
    return l;
  }

  private up(l: Live): void {
    if (l.inflight++ === 0) this.active++;
  }

  private down(l: Live): void {
    l.inflight = Math.max(0, l.inflight - 1);
    if (l.inflight === 0) {
      this.active = Math.max(0, this.active - 1);
      this.capacityWaiters.splice(0).forEach((w) => w());
      this.settleSoon(l);
    }
  }

  /** After the current turn: a send in progress may still deliver. */
  private settleSoon(l: Live): void {
    if (l.settling) return;
    l.settling = true;
    setImmediate(() => {
      l.settling = false;
      if (l.inflight === 0) void this.settle(l).catch((err: unknown) => this.o.log?.error({ err, runId: l.runId }, 'run status not written'));
    });
  }

  private async settle(l: Live): Promise<void> {
    const rec = l.record ?? (await this.store.getRun(l.runId));
    if (!rec) return void this.live.delete(l.runId);
    l.record = rec;
    if (l.inflight > 0) return;
    const parked = [...l.parked.values()];
    const failedSteps = [...new Set([...(rec.failedSteps ?? []), ...l.failed])];
    const status: RunStatus = parked.includes('waiting')
      ? 'waiting'
      : parked.length
        ? 'retrying'
        : failedSteps.length
          ? 'failed'
          : rec.status === 'stalled'
            ? 'stalled'
            : 'succeeded';
    const finished = status === 'succeeded' || status === 'failed' || status === 'stalled';
    await this.writeRun(l, { status, failedSteps, ...(finished ? { endedAt: this.now() } : {}) });
    if (finished && l.inflight === 0 && l.parked.size === 0) {
      this.live.delete(l.runId);
      if (this.live.size === 0) this.idleWaiters.splice(0).forEach((w) => w());
    }
  }

  private async writeRun(l: Live, patch: Partial<RunRecord>): Promise<void> {
    const cur = l.record ?? (await this.store.getRun(l.runId));
    if (!cur) return;
    const next: RunRecord = { ...cur, ...patch, updatedAt: this.now() };
    if (next.status === cur.status && JSON.stringify(next.failedSteps ?? []) === JSON.stringify(cur.failedSteps ?? []) && next.error === cur.error) return;
    l.record = next;
    await this.store.updateRun(next);
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** Resolves when no run has messages moving or is being settled (tests, benchmarks, stop). */
  async idle(): Promise<void> {
    const busy = () => [...this.live.values()].some((l) => l.inflight > 0 || l.settling || (l.parked.size === 0 && l.record?.endedAt === undefined));
    while (busy()) await new Promise<void>((r) => setTimeout(r, 5));
  }

  // ---- triggers ----

  /** Waits while maxActiveRuns runs are moving: a flood of triggers queues in the bus, not in memory. */
  async capacity(): Promise<void> {
    const max = this.o.maxActiveRuns ?? 200;
    while (this.active >= max && !this.stopped) await new Promise<void>((r) => this.capacityWaiters.push(r));
  }

  /** Stores the runs (ignoring ids that exist) and sends each new one's message from its trigger. */
  async start(items: readonly StartItem[]): Promise<string[]> {
    if (items.length === 0) return [];
    const now = this.now();
    const batch = items.map((it) => {
      const env: RunEnvelope = {
        runId: it.runId,
        playbookId: it.node.z,
        playbookName: it.playbookName,
        person: it.person,
        dryRun: it.dryRun === true,
        ...(it.department ? { department: it.department } : {}),
      };
      const msg = snapshot({ ...it.msg, citysoc: { ...env, epoch: this.epoch } });
      const run: RunRecord = {
        id: it.runId,
        playbookId: it.node.z,
        playbookName: it.playbookName,
        trigger: it.trigger,
        person: it.person,
        ...(it.department ? { department: it.department } : {}),
        dryRun: env.dryRun,
        status: 'running',
        startedAt: now,
        updatedAt: now,
      };
      const step: StepRecord = {
        runId: it.runId,
        key: it.node.id,
        nodeId: it.node.id,
        nodeType: it.node.type,
        name: it.node.name || it.node.type,
        status: 'succeeded',
        attempts: 1,
        input: msg,
        startedAt: now,
        endedAt: now,
        durationMs: 0,
      };
      return { run, step, msg, node: it.node };
    });
    const stored = await this.store.createRuns(batch.map(({ run, step }) => ({ run, step })));
    const started: string[] = [];
    batch.forEach((b, i) => {
      if (!stored[i]) return;
      started.push(b.run.id);
      this.sendFrom(this.liveOf(b.run.id, b.run), b.node, b.msg);
    });
    return started;
  }

  /** Sends from a node outside an input handler, counting the send itself so the run cannot settle mid-way. */
  private sendFrom(l: Live, node: FlowNode, out: unknown): void {
    this.up(l);
    try {
      node.send(out);
    } finally {
      this.down(l);
    }
  }

  // ---- actions ----

  /** The input handler of an action node. */
  async perform(node: FlowNode, msg: Message, done: Done, spec: ActionSpec): Promise<void> {
    const given = envelopeOf(msg);
    if (!given)
      return done(new Error(`${node.type} acts only inside a playbook run: start the flow with a CitySOC trigger (alert in, risk level, schedule, manual)`));
    let env: RunEnvelope;
    try {
      env = await this.trusted(given, node);
    } catch (e) {
      return done(e as Error);
    }
    const key = stepKey(node.id, msg);
    const exec = `${env.runId}\u0000${key}`;
    if (this.executing.has(exec)) return done();
    this.executing.add(exec);
    const live = this.liveOf(env.runId);
    let prev: StepRecord | null = null;
    let attempts = 0;
    let input: Message = msg;
    const started = Date.now();
    try {
      prev = await this.store.getStep(env.runId, key);
      if (prev?.status === 'succeeded') {
        this.executing.delete(exec);
        this.forward(node, msg, spec.outputPath, prev.output);
        return done();
      }
      if (prev?.status === 'failed' && env.resume) {
        this.executing.delete(exec);
        return done();
      }
      attempts = (prev?.attempts ?? 0) + 1;
      live.parked.delete(key);
      this.clearTimer(`retry:${exec}`);
      input = snapshot(msg);
      await this.store.putStep(this.step(node, env, key, prev, { status: 'running', attempts, input, dryRun: env.dryRun }));
      const output = env.dryRun ? spec.simulate(msg) : await this.withTimeout(spec.act(playbookActor(env, node.id), msg), node);
      await this.store.putStep(
        this.step(node, env, key, prev, {
          status: 'succeeded',
          attempts,
          output: output ?? null,
          dryRun: env.dryRun,
          endedAt: this.now(),
          durationMs: Date.now() - started,
        }),
      );
      live.failed.delete(key);
      if (live.record?.failedSteps?.includes(key)) await this.writeRun(live, { failedSteps: live.record.failedSteps.filter((k) => k !== key) });
      this.executing.delete(exec);
      node.status({});
      const current = this.nodes.get(node.id);
      if (current && current !== node) {
        // A deploy replaced the node while it acted: hand the step to the new one, which answers from the log.
        this.inject(env.runId, key, node.id, input);
        return done();
      }
      this.forward(node, msg, spec.outputPath, output ?? null);
      done();
    } catch (e) {
      this.executing.delete(exec);
      await this.failed(node, env, key, prev, attempts || 1, input, e, Date.now() - started, live).catch((err: unknown) =>
        this.o.log?.error({ err, runId: env.runId, step: key }, 'step failure not written'),
      );
      if (live.parked.has(key)) done();
      else done(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /**
   * The run a message claims, as the store knows it: who is accountable, which playbook, whether
   * it is a dry run. A flow can rewrite msg.citysoc; it cannot make a step act for another person,
   * in another playbook's run, or for real in a dry run.
   */
  private async trusted(given: RunEnvelope, node: FlowNode): Promise<RunEnvelope> {
    const live = this.liveOf(given.runId);
    const rec = live.record ?? (live.record = await this.store.getRun(given.runId));
    const refuse = (code: 'NOT_FOUND' | 'FORBIDDEN', message: string) => Object.assign(new CitySocError(code, message), { [UNRECORDED]: true });
    if (!rec) throw refuse('NOT_FOUND', `${node.type}: the message names run ${given.runId}, which does not exist`);
    if (rec.playbookId !== node.z)
      throw refuse(
        'FORBIDDEN',
        `${node.type}: a message of run ${rec.id} (playbook ${rec.playbookId}) reached playbook ${node.z}; a run stays on its playbook`,
      );
    return {
      ...given,
      playbookId: rec.playbookId,
      playbookName: rec.playbookName,
      person: rec.person,
      dryRun: rec.dryRun || given.dryRun,
      ...(rec.department ? { department: rec.department } : {}),
    };
  }

  /** The rest of the run is a dry run, whatever later nodes do to the message. */
  async markDryRun(runId: string, playbookId: string): Promise<void> {
    const l = this.liveOf(runId);
    const rec = l.record ?? (l.record = await this.store.getRun(runId));
    if (rec && !rec.dryRun && rec.playbookId === playbookId) {
      l.record = { ...rec, dryRun: true, updatedAt: this.now() };
      await this.store.updateRun(l.record);
    }
  }

  private async withTimeout<T>(p: Promise<T>, node: FlowNode): Promise<T> {
    const ms = this.o.stepTimeoutMs ?? 60_000;
    let t: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          t = setTimeout(() => reject(new Error(`${node.type} did not finish within ${ms} ms`)), ms);
        }),
      ]);
    } finally {
      clearTimeout(t);
    }
  }

  private forward(node: FlowNode, msg: Message, path: string, output: unknown): void {
    if (path) msg[path] = output;
    node.send(msg);
  }

  private step(
    node: FlowNode,
    env: RunEnvelope,
    key: string,
    prev: StepRecord | null,
    s: Partial<StepRecord> & Pick<StepRecord, 'status' | 'attempts'>,
  ): StepRecord {
    const { input: _input, ...rest } = s;
    return {
      runId: env.runId,
      key,
      nodeId: node.id,
      nodeType: node.type,
      name: node.name || node.type,
      startedAt: prev?.startedAt ?? this.now(),
      ...(s.input !== undefined ? { input: s.input } : {}),
      ...rest,
    };
  }

  private async failed(
    node: FlowNode,
    env: RunEnvelope,
    key: string,
    prev: StepRecord | null,
    attempts: number,
    input: Message,
    e: unknown,
    ms: number,
    live: Live,
  ) {
    const error = e instanceof Error ? e.message : String(e);
    const exec = `${env.runId}\u0000${key}`;
    if (isRetryable(e) && attempts < this.retry.attempts) {
      // Stopping: the attempt is due at once at the next start instead of failing the run.
      const wait = this.stopped ? 0 : backoffMs(this.retry, attempts, this.o.random);
      const nextAttemptAt = Date.now() + wait;
      live.parked.set(key, 'retrying');
      await this.store.putStep(this.step(node, env, key, prev, { status: 'retrying', attempts, error, nextAttemptAt, durationMs: ms }));
      node.status({ fill: 'yellow', shape: 'ring', text: `retry ${attempts + 1}/${this.retry.attempts} in ${Math.ceil(wait / 1000)} s` });
      this.armRetry(exec, env.runId, key, node.id, nextAttemptAt, input);
      return;
    }
    live.failed.add(key);
    await this.store.putStep(this.step(node, env, key, prev, { status: 'failed', attempts, error, endedAt: this.now(), durationMs: ms }));
    await this.writeRun(live, { failedSteps: [...new Set([...(live.record?.failedSteps ?? []), key])], error: `${node.name || node.type}: ${error}` });
    node.status({ fill: 'red', shape: 'dot', text: 'failed' });
  }

  private armRetry(exec: string, runId: string, key: string, nodeId: string, at: number, input: Message): void {
    this.setTimer(`retry:${exec}`, at, () => this.inject(runId, key, nodeId, input));
  }

  /** Hands a stored input to its node again (retry, replay, recovery). */
  private inject(runId: string, key: string, nodeId: string, input: Message): void {
    const l = this.liveOf(runId);
    const node = this.nodes.get(nodeId);
    if (!node) {
      l.parked.delete(key);
      void this.nodeGone(l, key, nodeId).catch((err: unknown) =>
        this.o.log?.error({ err, runId, step: key }, 'a step whose node is gone was not marked failed'),
      );
      return;
    }
    this.up(l);
    try {
      const msg = this.stamp(structuredClone(input));
      this.origin.set(msg, { runId, epoch: this.epoch });
      node.receive(msg);
    } catch (err) {
      this.o.log?.error({ err, runId, step: key }, 'a stored step could not be handed to its node');
      this.down(l);
    }
  }

  private async nodeGone(l: Live, key: string, nodeId: string): Promise<void> {
    const step = await this.store.getStep(l.runId, key);
    if (step) await this.store.putStep({ ...step, status: 'failed', error: `node ${nodeId} is not in the deployed flows any more`, endedAt: this.now() });
    l.failed.add(key);
    await this.writeRun(l, { failedSteps: [...new Set([...(l.record?.failedSteps ?? []), key])], error: `node ${nodeId} is not deployed` });
    this.settleSoon(l);
  }

  private async recordForeignFailure(live: Live, runId: string, nodeId: string, nodeType: string, msg: Message, error: Error): Promise<void> {
    const key = stepKey(nodeId, msg);
    live.failed.add(key);
    let input: unknown;
    try {
      input = snapshot(msg);
    } catch {
      input = undefined;
    }
    const now = this.now();
    await this.store
      .putStep({
        runId: runId,
        key,
        nodeId,
        nodeType,
        name: nodeType,
        status: 'failed',
        attempts: 1,
        ...(input ? { input } : {}),
        error: error.message,
        startedAt: now,
        endedAt: now,
      })
      .catch((err: unknown) => this.o.log?.error({ err, runId: runId }, 'step failure not written'));
  }

  // ---- approvals ----

  /** The input handler of an approval node: parks the run until an answer or the deadline. */
  async park(node: FlowNode, msg: Message, done: Done, req: ApprovalRequest): Promise<void> {
    const given = envelopeOf(msg);
    if (!given) return done(new Error('approval works only inside a playbook run: start the flow with a CitySOC trigger'));
    let env: RunEnvelope;
    try {
      env = await this.trusted(given, node);
    } catch (e) {
      return done(e as Error);
    }
    const key = stepKey(node.id, msg);
    const id = deterministicId('apv', env.runId, key);
    const live = this.liveOf(env.runId);
    try {
      const existing = await this.store.getApproval(id);
      if (existing && existing.status !== 'pending') {
        await this.answered(existing);
        return done();
      }
      if (existing) {
        live.parked.set(key, 'waiting');
        this.armDeadline(existing);
        return done();
      }
      const input = snapshot(msg);
      const now = this.now();
      const approval: ApprovalRecord = {
        id,
        runId: env.runId,
        stepKey: key,
        nodeId: node.id,
        playbookId: env.playbookId,
        playbookName: env.playbookName,
        question: req.question,
        context: req.context,
        approverRole: req.approverRole,
        excluded: [...new Set(req.excluded)],
        ...(env.department ? { department: env.department } : {}),
        status: 'pending',
        createdAt: now,
        deadline: this.clock().getTime() + req.timeoutMs,
      };
      live.parked.set(key, 'waiting');
      await this.store.putStep(this.step(node, env, key, null, { status: 'waiting', attempts: 1, input, output: { approvalId: id } }));
      await this.store.createApproval(approval);
      node.status({ fill: 'blue', shape: 'ring', text: 'waiting for approval' });
      this.armDeadline(approval);
      done();
    } catch (e) {
      live.parked.delete(key);
      live.failed.add(key);
      done(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private armDeadline(a: ApprovalRecord): void {
    this.setTimer(`approval:${a.id}`, a.deadline, () => {
      void this.answer(a.id, { status: 'timed_out', by: 'system', at: this.now() }).catch((err: unknown) => {
        if (!(err instanceof CitySocError && err.code === 'CONFLICT')) this.o.log?.error({ err, approval: a.id }, 'approval timeout not applied');
      });
    });
  }

  /** Answers a pending approval and sends the run on along the answer's branch. */
  async answer(id: string, a: { status: 'approved' | 'rejected' | 'timed_out'; by: string; at: string; comment?: string }): Promise<ApprovalRecord> {
    const rec = await this.store.answerApproval(id, a);
    if (!rec) {
      const cur = await this.store.getApproval(id);
      if (!cur) throw new CitySocError('NOT_FOUND', `no approval ${id}`);
      throw new CitySocError(
        'CONFLICT',
        `approval ${id} is ${cur.status}${cur.answeredBy ? ` (by ${cur.answeredBy} at ${cur.answeredAt})` : ''}; it cannot be answered again`,
      );
    }
    this.clearTimer(`approval:${id}`);
    await this.answered(rec);
    return rec;
  }

  private async answered(a: ApprovalRecord): Promise<void> {
    const l = this.liveOf(a.runId, await this.store.getRun(a.runId));
    l.parked.delete(a.stepKey);
    const step = await this.store.getStep(a.runId, a.stepKey);
    const node = this.nodes.get(a.nodeId);
    if (!step?.input || !node) {
      await this.nodeGone(l, a.stepKey, a.nodeId);
      return;
    }
    const answer = { status: a.status, by: a.answeredBy, at: a.answeredAt, ...(a.comment ? { comment: a.comment } : {}) };
    if (step.status !== 'succeeded') await this.store.putStep({ ...step, status: 'succeeded', output: { approvalId: a.id, ...answer }, endedAt: this.now() });
    node.status({ fill: a.status === 'approved' ? 'green' : 'grey', shape: 'dot', text: a.status.replace('_', ' ') });
    const out: (Message | null)[] = [null, null, null];
    out[APPROVAL_OUTPUT[a.status as keyof typeof APPROVAL_OUTPUT]] = this.stamp({ ...(structuredClone(step.input) as Message), approval: answer });
    this.sendFrom(l, node, out);
  }

  // ---- replay and recovery ----

  /**
   * Starts a failed or stalled run again: from the given step, else from each failed step, else
   * (stalled) from the trigger. Steps that succeeded before are not performed again.
   */
  async replay(runId: string, fromStep?: string): Promise<string[]> {
    const run = await this.store.getRun(runId);
    if (!run) throw new CitySocError('NOT_FOUND', `no run ${runId}`);
    if (run.status !== 'failed' && run.status !== 'stalled')
      throw new CitySocError('CONFLICT', `run ${runId} is ${run.status}; only failed or stalled runs are replayed`);
    const keys = fromStep ? [fromStep] : run.failedSteps?.length ? [...run.failedSteps] : [run.trigger.nodeId];
    const steps: StepRecord[] = [];
    for (const k of keys) {
      const s = await this.store.getStep(runId, k);
      if (!s) throw new CitySocError('NOT_FOUND', `run ${runId} has no step ${k}`);
      if (s.input === undefined)
        throw new CitySocError('CONFLICT', `step ${k} of run ${runId} kept no input (too large or not serialisable); it cannot be replayed`);
      if (!this.nodes.has(s.nodeId))
        throw new CitySocError('CONFLICT', `node ${s.nodeId} of step ${k} is not in the deployed flows; deploy it (or roll back) first`);
      steps.push(s);
    }
    const l = this.liveOf(runId, run);
    for (const k of keys) l.failed.delete(k);
    await this.writeRun(l, { status: 'running', failedSteps: (run.failedSteps ?? []).filter((k) => !keys.includes(k)), error: undefined, endedAt: undefined });
    for (const s of steps) {
      if (s.key === run.trigger.nodeId && s.nodeId === run.trigger.nodeId && s.status === 'succeeded') {
        this.sendFrom(l, this.nodes.get(s.nodeId)!, this.stamp(structuredClone(s.input) as Message));
      } else {
        await this.store.putStep({ ...s, status: 'retrying', attempts: 0 });
        this.inject(runId, s.key, s.nodeId, s.input as Message);
      }
    }
    return keys;
  }

  /**
   * The flows (re)started: a first start, a deploy or a reload. Every message in flight died with
   * the old nodes, so counting starts over and every unfinished run resumes from the store.
   */
  async flowsRestarted(): Promise<{ resumed: number; stalled: number }> {
    this.epoch++;
    for (const l of this.live.values()) {
      l.inflight = 0;
      l.silent.clear();
      l.settling = false;
    }
    this.active = 0;
    this.capacityWaiters.splice(0).forEach((w) => w());
    return this.recover();
  }

  /** Resumes every unfinished run (after a restart of the process or of the flows). */
  async recover(): Promise<{ resumed: number; stalled: number }> {
    const u = await this.store.unfinished();
    const open = new Map<string, { steps: StepRecord[]; approvals: ApprovalRecord[] }>();
    for (const r of u.runs) open.set(r.id, { steps: [], approvals: [] });
    for (const s of u.steps) open.get(s.runId)?.steps.push(s);
    for (const a of u.approvals) open.get(a.runId)?.approvals.push(a);
    let resumed = 0;
    let stalled = 0;
    for (const run of u.runs) {
      const l = this.liveOf(run.id, run);
      for (const k of run.failedSteps ?? []) l.failed.add(k);
      const o = open.get(run.id)!;
      for (const a of o.approvals) {
        l.parked.set(a.stepKey, 'waiting');
        this.armDeadline(a);
      }
      for (const s of o.steps) {
        // Being performed right now (the flows were restarted under it): it hands on when done.
        if (s.input === undefined || this.executing.has(`${run.id}\u0000${s.key}`)) continue;
        l.parked.set(s.key, 'retrying');
        const at = s.status === 'retrying' && s.nextAttemptAt ? s.nextAttemptAt : Date.now();
        this.armRetry(`${run.id}\u0000${s.key}`, run.id, s.key, s.nodeId, at, s.input as Message);
      }
      if (l.parked.size > 0) {
        resumed++;
        continue;
      }
      // Cut off between steps: walk the run again from its trigger; done steps answer from the log.
      const trigger = await this.store.getStep(run.id, run.trigger.nodeId);
      const node = this.nodes.get(run.trigger.nodeId);
      if (trigger?.input && node) {
        resumed++;
        this.sendFrom(l, node, this.stamp(structuredClone(trigger.input) as Message, { resume: true }));
      } else {
        stalled++;
        await this.writeRun(l, { status: 'stalled', error: 'interrupted by a restart and its trigger is not deployed any more; replay it from a step' });
        this.live.delete(run.id);
      }
    }
    return { resumed, stalled };
  }

  // ---- timers ----

  private setTimer(name: string, at: number, fire: () => void): void {
    this.clearTimer(name);
    if (this.stopped) return;
    const wait = Math.max(0, at - Date.now());
    const t = setTimeout(
      () => {
        this.timers.delete(name);
        if (wait > MAX_TIMER_MS) this.setTimer(name, at, fire);
        else fire();
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    t.unref?.();
    this.timers.set(name, t);
  }

  private clearTimer(name: string): void {
    const t = this.timers.get(name);
    if (t) clearTimeout(t);
    this.timers.delete(name);
  }

  /** Resolves when no step is being performed (or after the time given). */
  async drain(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.executing.size > 0 && Date.now() < until) await new Promise<void>((r) => setTimeout(r, 10));
  }

  /** Stops retries and deadlines (they are re-armed from the store at the next start). */
  stop(): void {
    this.stopped = true;
    if (this.quietTimer) clearTimeout(this.quietTimer);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.capacityWaiters.splice(0).forEach((w) => w());
  }
}

/**
 * One statement's operation on the SQL Gateway: wait for it to end, page through its results,
 * cancel or close it. A batch statement (DDL, SET, INSERT submission, bounded SELECT) FINISHES
 * and then pages to EOS; an unbounded SELECT stays RUNNING, so read it with pages() instead.
 */
import { FlinkError } from './errors';
import type { SqlGatewayClient } from './gateway-client';
import { TERMINAL_STATUSES, type Column, type FetchResultsReply, type OperationStatus, type Row } from './schemas';

export interface WaitOptions {
  /** Stop polling after this long, ms (each request is bounded by requestTimeoutMs). Default 60 000. */
  timeoutMs?: number;
  /** Longest pause between polls, ms; polling starts at 50 ms and doubles up to this. Default 500. */
  maxPollIntervalMs?: number;
  signal?: AbortSignal;
}

export interface ResultPage {
  columns?: Column[];
  rows: Row[];
  jobId?: string;
  resultKind?: 'SUCCESS' | 'SUCCESS_WITH_CONTENT';
  isQueryResult?: boolean;
}

export interface StatementResult {
  operationHandle: string;
  resultKind?: 'SUCCESS' | 'SUCCESS_WITH_CONTENT';
  isQueryResult: boolean;
  /** The Flink job the statement submitted (INSERT INTO …, a SELECT run on the cluster). */
  jobId?: string;
  columns: Column[];
  rows: Row[];
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** Shortens a statement for messages: enough to recognize it, not the whole DDL. */
export function statementSnippet(statement: string): string {
  const one = statement.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}

export class Operation {
  constructor(
    private readonly client: SqlGatewayClient,
    readonly sessionHandle: string,
    readonly handle: string,
    readonly statement: string,
  ) {}

  private where(): { sessionHandle: string; operationHandle: string; statement: string } {
    return { sessionHandle: this.sessionHandle, operationHandle: this.handle, statement: this.statement };
  }

  status(signal?: AbortSignal): Promise<OperationStatus> {
    return this.client.operationStatus(this.sessionHandle, this.handle, signal);
  }

  /**
   * Polls until FINISHED. ERROR becomes a FlinkError with the server's root cause (the status
   * endpoint only says ERROR; the exception comes with the result fetch); CANCELED, CLOSED and
   * TIMEOUT become FlinkErrors of kind 'operation'.
   */
  async waitUntilDone(opts: WaitOptions = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    let pause = 50;
    for (;;) {
      const status = await this.status(opts.signal);
      if (status === 'FINISHED') return;
      if (status === 'ERROR') throw await this.failure();
      if (TERMINAL_STATUSES.has(status)) {
        throw new FlinkError(`statement ended ${status} instead of FINISHED: ${statementSnippet(this.statement)}`, { kind: 'operation', ...this.where() });
      }
      this.checkDeadline(deadline, timeoutMs, `still ${status}`, opts.signal);
      await sleep(pause, opts.signal);
      pause = Math.min(pause * 2, opts.maxPollIntervalMs ?? 500);
    }
  }

  private checkDeadline(deadline: number, timeoutMs: number, state: string, signal?: AbortSignal): void {
    if (signal?.aborted)
      throw new FlinkError(`waiting for the statement was aborted by the caller: ${statementSnippet(this.statement)}`, { kind: 'aborted', ...this.where() });
    if (Date.now() >= deadline) {
      throw new FlinkError(`statement ${state} after ${timeoutMs} ms: ${statementSnippet(this.statement)}`, { kind: 'timeout', ...this.where() });
    }
  }

  /** The error of an operation in status ERROR, read from its result endpoint. */
  private async failure(): Promise<FlinkError> {
    try {
      await this.client.fetchResults(this.sessionHandle, this.handle, 0);
    } catch (e) {
      if (e instanceof FlinkError && e.kind === 'http') {
        const pos = e.info.position;
        const at = pos && !(e.rootCause ?? '').includes(pos) ? ` (at ${pos})` : '';
        return new FlinkError(
          `statement failed: ${e.rootCause ?? 'no reason given'}${at}; statement: ${statementSnippet(this.statement)}`,
          { ...e.info, kind: 'statement', ...this.where() },
          { cause: e },
        );
      }
      return e instanceof FlinkError
        ? e
        : new FlinkError(`statement failed and its error could not be read: ${String(e)}`, { kind: 'statement', ...this.where() });
    }
    return new FlinkError(`statement is in status ERROR but the gateway gave no error: ${statementSnippet(this.statement)}`, {
      kind: 'statement',
      ...this.where(),
    });
  }

  /**
   * Result pages in order, following `nextResultUri` until EOS. NOT_READY (the job has produced
   * nothing new yet) is waited out with growing pauses, within timeoutMs overall.
   */
  async *pages(opts: WaitOptions = {}): AsyncGenerator<ResultPage> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    let pause = 50;
    let reply: FetchResultsReply = await this.client.fetchResults(this.sessionHandle, this.handle, 0, opts.signal);
    for (;;) {
      if (reply.resultType === 'PAYLOAD') {
        pause = 50;
        yield pageOf(reply);
      }
      if (reply.resultType === 'EOS') {
        // EOS may still carry the job id and columns (observed on 1.20); a last page keeps them.
        if (reply.jobID !== undefined || reply.results?.columns) yield pageOf(reply);
        return;
      }
      if (reply.nextResultUri === undefined) {
        throw new FlinkError(`the SQL Gateway answered ${reply.resultType} without a nextResultUri`, { kind: 'response', ...this.where() });
      }
      if (reply.resultType === 'NOT_READY') {
        this.checkDeadline(deadline, timeoutMs, 'had no results ready', opts.signal);
        await sleep(pause, opts.signal);
        pause = Math.min(pause * 2, opts.maxPollIntervalMs ?? 500);
      }
      reply = await this.client.fetchResultsAt(reply.nextResultUri, opts.signal);
    }
  }

  /** All pages to EOS, merged. Use after waitUntilDone() or on a bounded query. */
  async collect(opts: WaitOptions = {}): Promise<StatementResult> {
    const result: StatementResult = { operationHandle: this.handle, isQueryResult: false, columns: [], rows: [] };
    for await (const page of this.pages(opts)) {
      if (page.columns && result.columns.length === 0) result.columns = page.columns;
      if (page.jobId !== undefined) result.jobId = page.jobId;
      if (page.resultKind !== undefined) result.resultKind = page.resultKind;
      if (page.isQueryResult !== undefined) result.isQueryResult = page.isQueryResult;
      result.rows.push(...page.rows);
    }
    return result;
  }

  /**
   * Cancels a running operation. This stops what the gateway runs for the statement; a job an
   * INSERT already submitted runs on in the cluster (its operation FINISHED at submission) and
   * is stopped through the JobManager (FlinkRestClient.cancelJob) or `STOP JOB '<id>'`.
   */
  async cancel(signal?: AbortSignal): Promise<void> {
    await this.client.cancelOperation(this.sessionHandle, this.handle, signal);
  }

  /** Releases the operation's resources on the gateway (its results are gone afterwards). */
  async close(signal?: AbortSignal): Promise<void> {
    await this.client.closeOperation(this.sessionHandle, this.handle, signal);
  }
}

/** Rows as objects keyed by column name, for callers that prefer names to positions. */
export function toRecords(result: Pick<StatementResult, 'columns' | 'rows'>): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row.fields[i]])));
}

function pageOf(reply: FetchResultsReply) {
  return {
    columns: reply.results?.columns,
    rows: reply.results?.data ?? [],
    jobId: reply.jobID,
    resultKind: reply.resultKind,
    isQueryResult: reply.isQueryResult,
  };
}

/**
 * The few JobManager REST calls (:8081) the SQL Gateway does not offer in a typed way: a job's
 * state, cancelling it, and why it failed. Everything else goes through the SQL Gateway.
 */
import { FlinkError } from './errors';
import { requestJson, type HttpTarget } from './http';
import { EmptyReply, JobDetails, JobExceptions, JobsOverview } from './schemas';

export interface FlinkRestOptions {
  /** e.g. http://127.0.0.1:8081 */
  url: string;
  requestTimeoutMs?: number;
  headers?: Record<string, string>;
}

const FINAL_STATES = new Set(['FINISHED', 'CANCELED', 'FAILED', 'SUSPENDED']);

export class FlinkRestClient {
  readonly target: HttpTarget;

  constructor(opts: FlinkRestOptions) {
    this.target = { url: opts.url, requestTimeoutMs: opts.requestTimeoutMs ?? 30_000, headers: opts.headers };
  }

  job(jobId: string, signal?: AbortSignal): Promise<JobDetails> {
    return requestJson(this.target, {
      method: 'GET',
      path: `/jobs/${encodeURIComponent(jobId)}`,
      schema: JobDetails,
      signal,
      what: `reading Flink job ${jobId}`,
    });
  }

  /** Every job the JobManager knows (GET /jobs/overview), running or finished. */
  jobs(signal?: AbortSignal): Promise<JobsOverview['jobs']> {
    return requestJson(this.target, { method: 'GET', path: '/jobs/overview', schema: JobsOverview, signal, what: 'listing Flink jobs' }).then((r) => r.jobs);
  }

  /** Asks the JobManager to cancel the job; returns before the job is CANCELED (see waitForState). */
  async cancelJob(jobId: string, signal?: AbortSignal): Promise<void> {
    await requestJson(this.target, {
      method: 'PATCH',
      path: `/jobs/${encodeURIComponent(jobId)}?mode=cancel`,
      schema: EmptyReply,
      signal,
      what: `cancelling Flink job ${jobId}`,
    });
  }

  /** The job's root exception text, or undefined when it has none. */
  async rootException(jobId: string, signal?: AbortSignal): Promise<string | undefined> {
    const reply = await requestJson(this.target, {
      method: 'GET',
      path: `/jobs/${encodeURIComponent(jobId)}/exceptions`,
      schema: JobExceptions,
      signal,
      what: `reading the exceptions of Flink job ${jobId}`,
    });
    return reply['root-exception'] ?? undefined;
  }

  /**
   * Polls until the job is in one of `states`. Reaching another final state (FAILED, say) throws
   * at once with the job's root exception instead of waiting out the timeout.
   */
  async waitForState(jobId: string, states: readonly string[], opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<JobDetails> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.job(jobId);
      if (states.includes(job.state)) return job;
      if (FINAL_STATES.has(job.state)) {
        const root = await this.rootException(jobId).catch(() => undefined);
        const firstLine = root?.split('\n')[0];
        throw new FlinkError(`Flink job ${jobId} (${job.name}) is ${job.state}, expected ${states.join('|')}${firstLine ? `: ${firstLine}` : ''}`, {
          kind: 'job',
          jobId,
          rootCause: firstLine,
          serverText: root,
        });
      }
      if (Date.now() >= deadline) {
        throw new FlinkError(`Flink job ${jobId} (${job.name}) still ${job.state} after ${timeoutMs} ms, expected ${states.join('|')}`, {
          kind: 'timeout',
          jobId,
        });
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
    }
  }
}

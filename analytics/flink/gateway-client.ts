/**
 * A small typed client over the Flink SQL Gateway REST API (v1 and later; every endpoint used here
 * has the same shape in v1, v2 and v3). There is no maintained npm client for the SQL Gateway
 * (the Apache project ships Java and Python clients only), so CitySOC carries this one.
 *
 * This class is the thin layer: one method per endpoint, typed and validated. GatewaySession and
 * Operation build the workflow on it (heartbeats, polling, paging, clean-up).
 */
import { FlinkError } from './errors';
import { requestJson, type HttpTarget } from './http';
import {
  CloseSessionReply,
  EmptyReply,
  ExecuteStatementReply,
  FetchResultsReply,
  GatewayInfo,
  OpenSessionReply,
  OperationCloseReply,
  OperationStatusReply,
  SessionConfigReply,
  type OperationStatus,
} from './schemas';
import { GatewaySession, type SessionOptions } from './session';

export interface SqlGatewayOptions {
  /** e.g. http://127.0.0.1:8083 */
  url: string;
  /** REST API version in the paths; v1 is served by every gateway since Flink 1.16. */
  apiVersion?: 'v1' | 'v2' | 'v3';
  /** Deadline of one HTTP request (not of a statement), ms. Default 30 000. */
  requestTimeoutMs?: number;
  headers?: Record<string, string>;
}

export interface SubmitOptions {
  /** Per-statement configuration, e.g. {'pipeline.name': 'citysoc-…'}; the session's is the default. */
  executionConfig?: Record<string, string>;
  /** Server-side execution timeout, ms (the gateway's executionTimeout). */
  executionTimeoutMs?: number;
  signal?: AbortSignal;
}

const enc = encodeURIComponent;

export class SqlGatewayClient {
  readonly target: HttpTarget;
  readonly apiVersion: 'v1' | 'v2' | 'v3';

  constructor(opts: SqlGatewayOptions) {
    this.target = { url: opts.url, requestTimeoutMs: opts.requestTimeoutMs ?? 30_000, headers: opts.headers };
    this.apiVersion = opts.apiVersion ?? 'v1';
  }

  private session(h: string): string {
    return `/${this.apiVersion}/sessions/${enc(h)}`;
  }

  private operation(h: string, op: string): string {
    return `${this.session(h)}/operations/${enc(op)}`;
  }

  info(signal?: AbortSignal): Promise<GatewayInfo> {
    return requestJson(this.target, { method: 'GET', path: `/${this.apiVersion}/info`, schema: GatewayInfo, signal, what: 'reading the SQL Gateway info' });
  }

  /** Opens a session and keeps it alive with heartbeats until GatewaySession.close(). */
  async openSession(opts: SessionOptions = {}): Promise<GatewaySession> {
    const handle = await this.createSession(opts.name, opts.properties, opts.signal);
    return new GatewaySession(this, handle, opts);
  }

  async createSession(name?: string, properties?: Record<string, string>, signal?: AbortSignal): Promise<string> {
    const body = { ...(name ? { sessionName: name } : {}), properties: properties ?? {} };
    const reply = await requestJson(this.target, {
      method: 'POST',
      path: `/${this.apiVersion}/sessions`,
      body,
      schema: OpenSessionReply,
      signal,
      what: 'opening a SQL Gateway session',
    });
    return reply.sessionHandle;
  }

  async heartbeat(h: string, signal?: AbortSignal): Promise<void> {
    await requestJson(this.target, { method: 'POST', path: `${this.session(h)}/heartbeat`, schema: EmptyReply, signal, what: `heartbeat of session ${h}` });
  }

  async sessionConfig(h: string, signal?: AbortSignal): Promise<Record<string, string>> {
    const reply = await requestJson(this.target, {
      method: 'GET',
      path: this.session(h),
      schema: SessionConfigReply,
      signal,
      what: `reading the configuration of session ${h}`,
    });
    return reply.properties;
  }

  async closeSession(h: string, signal?: AbortSignal): Promise<void> {
    await requestJson(this.target, { method: 'DELETE', path: this.session(h), schema: CloseSessionReply, signal, what: `closing session ${h}` });
  }

  async submitStatement(h: string, statement: string, opts: SubmitOptions = {}): Promise<string> {
    const body = {
      statement,
      ...(opts.executionConfig ? { executionConfig: opts.executionConfig } : {}),
      ...(opts.executionTimeoutMs !== undefined ? { executionTimeout: opts.executionTimeoutMs } : {}),
    };
    const reply = await requestJson(this.target, {
      method: 'POST',
      path: `${this.session(h)}/statements`,
      body,
      schema: ExecuteStatementReply,
      signal: opts.signal,
      what: `submitting a statement in session ${h}`,
    });
    return reply.operationHandle;
  }

  async operationStatus(h: string, op: string, signal?: AbortSignal): Promise<OperationStatus> {
    const reply = await requestJson(this.target, {
      method: 'GET',
      path: `${this.operation(h, op)}/status`,
      schema: OperationStatusReply,
      signal,
      what: `reading the status of operation ${op}`,
    });
    return reply.status;
  }

  /** The first page of results; later pages come from `nextResultUri` via fetchResultsAt. */
  fetchResults(h: string, op: string, token = 0, signal?: AbortSignal): Promise<FetchResultsReply> {
    return this.fetchResultsAt(`${this.operation(h, op)}/result/${token}`, signal);
  }

  /**
   * Fetches the page a `nextResultUri` names. The v1 API omits `rowFormat` from that URI while v2+
   * keep it, so JSON is asked for here whenever it is missing.
   */
  fetchResultsAt(uri: string, signal?: AbortSignal): Promise<FetchResultsReply> {
    const path = resultPath(uri);
    return requestJson(this.target, { method: 'GET', path, schema: FetchResultsReply, signal, what: 'fetching statement results' });
  }

  async cancelOperation(h: string, op: string, signal?: AbortSignal): Promise<OperationStatus | string> {
    const reply = await requestJson(this.target, {
      method: 'POST',
      path: `${this.operation(h, op)}/cancel`,
      schema: OperationCloseReply,
      signal,
      what: `cancelling operation ${op}`,
    });
    return reply.status;
  }

  async closeOperation(h: string, op: string, signal?: AbortSignal): Promise<void> {
    await requestJson(this.target, {
      method: 'DELETE',
      path: `${this.operation(h, op)}/close`,
      schema: OperationCloseReply,
      signal,
      what: `closing operation ${op}`,
    });
  }
}

/** A `nextResultUri` as a path on the same gateway, with rowFormat=JSON. */
export function resultPath(uri: string): string {
  // The gateway answers with a path; should a proxy make it absolute, stay on our own base URL anyway.
  const u = new URL(uri, 'http://gateway.invalid');
  if (!/\/sessions\/[^/]+\/operations\/[^/]+\/result\/\d+$/.test(u.pathname)) {
    throw new FlinkError(`the SQL Gateway answered nextResultUri ${JSON.stringify(uri)}, which is not a result path`, { kind: 'response', serverText: uri });
  }
  if (!u.searchParams.has('rowFormat')) u.searchParams.set('rowFormat', 'JSON');
  return `${u.pathname}${u.search}`;
}

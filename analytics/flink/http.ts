/**
 * One JSON request to a Flink REST endpoint (SQL Gateway or JobManager) with global fetch:
 * a deadline per request, the caller's AbortSignal, Flink's `{errors: [...]}` turned into a
 * FlinkError, and the reply validated with zod at the edge so nothing unchecked leaks inward.
 */
import { z } from 'zod';
import { FlinkError, summarizeServerErrors } from './errors';

export interface HttpTarget {
  /** Base URL, e.g. http://127.0.0.1:8083; a path prefix (behind a proxy) is kept. */
  url: string;
  /** Deadline for one request, ms. */
  requestTimeoutMs: number;
  /** Extra headers for every request, e.g. Authorization for a gateway behind a proxy. */
  headers?: Record<string, string>;
}

export interface RequestSpec<T> {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH';
  /** Absolute path with query, e.g. /v1/sessions/abc/heartbeat. */
  path: string;
  schema: z.ZodType<T>;
  body?: unknown;
  signal?: AbortSignal;
  /** What the request is for, in words, prefixed to error messages. */
  what: string;
}

const ErrorBody = z.object({ errors: z.array(z.string()) });

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * The deepest `code`/`message` of a fetch failure: undici says only "fetch failed" and hides
 * ECONNREFUSED under `cause`. Duck-typed, since the error may come from another realm (jest's vm).
 */
function networkReason(e: unknown): string {
  let reason = String((e as { message?: unknown } | null)?.message ?? e);
  let cur = (e as { cause?: unknown } | null)?.cause;
  for (let depth = 0; typeof cur === 'object' && cur !== null && depth < 5; depth++) {
    const c = cur as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof c.code === 'string') reason = typeof c.message === 'string' && c.message.length > 0 ? c.message : c.code;
    else if (typeof c.message === 'string' && c.message.length > 0) reason = c.message;
    cur = c.cause;
  }
  return reason;
}

export async function requestJson<T>(target: HttpTarget, spec: RequestSpec<T>): Promise<T> {
  const url = joinUrl(target.url, spec.path);
  const where = { method: spec.method, url };
  const timeout = AbortSignal.timeout(target.requestTimeoutMs);
  const signal = spec.signal ? AbortSignal.any([timeout, spec.signal]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json', ...target.headers };
  if (spec.body !== undefined) headers['content-type'] = 'application/json';

  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: spec.method, headers, body: spec.body === undefined ? undefined : JSON.stringify(spec.body), signal });
    text = await res.text();
  } catch (e) {
    if (spec.signal?.aborted) throw new FlinkError(`${spec.what}: ${spec.method} ${url} aborted by the caller`, { kind: 'aborted', ...where }, { cause: e });
    if (timeout.aborted) {
      throw new FlinkError(
        `${spec.what}: ${spec.method} ${url} got no reply within ${target.requestTimeoutMs} ms`,
        { kind: 'timeout', ...where },
        { cause: e },
      );
    }
    throw new FlinkError(`${spec.what}: ${spec.method} ${url} failed: ${networkReason(e)}`, { kind: 'network', ...where }, { cause: e });
  }

  let json: unknown;
  try {
    json = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    json = undefined;
  }

  if (!res.ok) {
    const parsed = ErrorBody.safeParse(json);
    const summary = parsed.success ? summarizeServerErrors(parsed.data.errors) : undefined;
    const reason = summary ? summary.rootCause : text.slice(0, 500) || res.statusText;
    throw new FlinkError(`${spec.what}: ${spec.method} ${url} answered HTTP ${res.status}: ${reason}`, {
      kind: 'http',
      ...where,
      httpStatus: res.status,
      rootCause: summary?.rootCause ?? reason,
      causes: summary?.causes,
      position: summary?.position,
      serverText: summary?.serverText ?? text,
    });
  }

  const parsed = spec.schema.safeParse(json);
  if (!parsed.success) {
    throw new FlinkError(
      `${spec.what}: ${spec.method} ${url} answered HTTP ${res.status} with an unexpected body (${z.prettifyError(parsed.error).replace(/\n/g, '; ')}): ${text.slice(0, 300)}`,
      { kind: 'response', ...where, httpStatus: res.status, serverText: text },
    );
  }
  return parsed.data;
}

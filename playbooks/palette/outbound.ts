/**
 * Requests a playbook makes to the outside (webhooks, firewalls, other systems): only to origins
 * the configuration allows, without following redirects (a redirect could lead anywhere), with
 * a time limit and a bounded answer. The answer's status says whether trying again can help:
 * 408, 429 and 5xx (and no answer at all) are transient, other 4xx are not.
 */
import { Refusal } from '../../core/door';
import { CitySocError } from '../../core/errors';
import { TransientError } from '../runs/retry';

export interface OutboundPolicy {
  /** Allowed origins (`https://fw.example.gov:8443`); nothing else is reachable. */
  readonly allow: readonly string[];
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

export interface OutboundRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export function checkedUrl(policy: OutboundPolicy, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CitySocError('INPUT_INVALID', `'${raw.slice(0, 200)}' is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CitySocError('INPUT_INVALID', `${url.protocol} URLs are not requested; use http or https`);
  if (url.username || url.password) throw new CitySocError('INPUT_INVALID', 'credentials do not belong in a URL; keep them in the node credentials');
  if (!policy.allow.includes(url.origin))
    throw new Refusal(
      'FORBIDDEN',
      `outbound requests to ${url.origin} are not allowed; add the origin to playbooks.outbound.allow`,
      `${url.origin} is not in playbooks.outbound.allow`,
    );
  return url;
}

async function readBounded(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new CitySocError('LIMIT_EXCEEDED', `the answer is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function request(policy: OutboundPolicy, r: OutboundRequest): Promise<OutboundResponse> {
  const url = checkedUrl(policy, r.url);
  let res: Response;
  try {
    res = await fetch(url, {
      method: r.method,
      headers: r.headers ?? {},
      ...(r.body !== undefined ? { body: r.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(policy.timeoutMs),
    });
  } catch (e) {
    const c = (e as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code ?? c?.message ?? (e as Error).message;
    throw new TransientError(`${r.method} ${url.origin}${url.pathname}: no answer (${cause})`);
  }
  const text = await readBounded(res, policy.maxResponseBytes);
  const where = `${r.method} ${url.origin}${url.pathname}`;
  if (res.status >= 300 && res.status < 400)
    throw new CitySocError('INPUT_INVALID', `${where} answered a redirect (${res.status}); redirects are not followed`);
  if (res.status === 408 || res.status === 429 || res.status >= 500) throw new TransientError(`${where} answered ${res.status}`);
  if (res.status >= 400) throw new CitySocError('INPUT_INVALID', `${where} answered ${res.status}: ${text.slice(0, 200)}`);
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k !== 'set-cookie') headers[k] = v;
  });
  return { status: res.status, headers, body };
}

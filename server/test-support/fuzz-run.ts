/**
 * Drives the hostile inputs of fuzz-inputs.ts at a running platform, surface by surface, for a
 * time budget or a number of inputs, and keeps the books: answers by status, the failures (a 5xx,
 * an internal GraphQL error, a dropped connection) with the input that caused them, the documents
 * the answers promise and the documents the store holds, and the peak RSS. The fuzz test asserts
 * on the report; bench/fuzz.ts prints it for a long run.
 */
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import fc from 'fast-check';
import type { Platform } from '../platform';
import { indexerDrained } from '../../events/indexer';
import { bulkBody, eventsBody, fluentBitBody, graphqlDocument, type IngestBody, pdpBody, syslogDatagram, syslogStream } from './fuzz-inputs';

export type Surface = 'events' | 'fluent-bit' | 'bulk' | 'syslog-tcp' | 'syslog-udp' | 'graphql' | 'pdp';
export const SURFACES: readonly Surface[] = ['events', 'fluent-bit', 'bulk', 'syslog-tcp', 'syslog-udp', 'graphql', 'pdp'];

export interface Failure {
  readonly surface: Surface;
  readonly what: string;
  readonly input: string;
}

export interface SurfaceReport {
  inputs: number;
  readonly statuses: Record<string, number>;
  /** Documents the ingest answers say were newly written (events and dead letters). */
  promised: number;
  /** Documents in the store from this surface's own collector token (ingest surfaces). */
  stored: number;
  /** Items the answers call repeats of something already stored (none expected: every item is unique). */
  repeats: number;
}

export interface FuzzReport {
  readonly surfaces: Record<Surface, SurfaceReport>;
  readonly failures: Failure[];
  /** Documents in the event store before and after (events and dead letters). */
  storedBefore: number;
  storedAfter: number;
  /** Events and dead letters the gateway published to the bus during the run (its own metrics). */
  published: number;
  readonly rss: { before: number; peak: number };
}

export interface FuzzTarget {
  readonly platform: Platform;
  /** A pdp API token. */
  readonly pdpToken: string;
  /** Sessions to send GraphQL documents with (e.g. an admin's and an analyst's). */
  readonly sessions: readonly string[];
}

export interface FuzzBudget {
  /** Per surface: stop after this many milliseconds... */
  readonly msPerSurface: number;
  /** ...or this many inputs, whichever comes first. */
  readonly maxInputs: number;
  readonly seed: number;
  readonly onProgress?: (surface: Surface, inputs: number) => void;
}

const clip = (s: string | Buffer) => {
  const t = typeof s === 'string' ? s : s.toString('latin1');
  return t.length > 300 ? `${t.slice(0, 300)}… (${t.length} chars)` : t;
};

/** The platform's own counters of what the gateway published (events and dead letters, every source). */
async function publishedCount(p: Platform): Promise<number> {
  const res = await fetch(`${p.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken.get(p)}` } });
  const text = await res.text();
  let n = 0;
  for (const line of text.split('\n')) {
    if (/^citysoc_ingest_(events_out|dead_letters)_total[{ ]/.test(line)) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}
const metricsToken = new WeakMap<Platform, string>();

async function storedCount(p: Platform): Promise<number> {
  if (!(await indexerDrained(p.ports.bus, 60_000))) throw new Error('the indexer did not catch up within 60 s');
  await p.ports.events.refresh();
  return (await p.ports.events.search({ size: 1 })).total;
}

/** Waits until the published count stops moving (syslog batches linger) and the indexer has stored it all. */
async function settle(p: Platform): Promise<number> {
  let last = -1;
  for (let quiet = 0; quiet < 3;) {
    await new Promise((r) => setTimeout(r, 300));
    const n = await publishedCount(p);
    quiet = n === last ? quiet + 1 : 0;
    last = n;
  }
  return last;
}

export async function runFuzz(t: FuzzTarget, budget: FuzzBudget): Promise<FuzzReport> {
  const p = t.platform;
  metricsToken.set(p, (await p.identity.issueApiToken(`fuzz-metrics-${budget.seed}`, ['admin'], 'fuzz')).token);
  const surfaces = Object.fromEntries(SURFACES.map((s) => [s, { inputs: 0, statuses: {}, promised: 0, stored: 0, repeats: 0 }])) as unknown as Record<
    Surface,
    SurfaceReport
  >;
  const failures: Failure[] = [];
  const rss = { before: process.memoryUsage().rss, peak: 0 };
  const sample = () => (rss.peak = Math.max(rss.peak, process.memoryUsage().rss));
  const count = (s: Surface, status: number | string) => {
    const st = surfaces[s].statuses;
    st[String(status)] = (st[String(status)] ?? 0) + 1;
  };
  const publishedBefore = await settle(p);
  const storedBefore = await storedCount(p);

  async function loop<T>(surface: Surface, arb: fc.Arbitrary<T>, one: (x: T) => Promise<void>): Promise<void> {
    const until = Date.now() + budget.msPerSurface;
    let seed = budget.seed;
    while (Date.now() < until && surfaces[surface].inputs < budget.maxInputs) {
      for (const x of fc.sample(arb, { seed: seed++, numRuns: 20 })) {
        if (Date.now() >= until || surfaces[surface].inputs >= budget.maxInputs) break;
        surfaces[surface].inputs++;
        await one(x);
        sample();
      }
      budget.onProgress?.(surface, surfaces[surface].inputs);
    }
  }

  // one collector token per ingest surface, so the store can be counted per surface
  const collectors = new Map<Surface, { name: string; token: string }>();
  for (const s of ['events', 'fluent-bit', 'bulk'] as const) {
    const name = `fz-${s}-${budget.seed}`;
    collectors.set(s, { name, token: (await p.identity.issueApiToken(name, ['collector'], 'fuzz')).token });
  }
  const ingest = (surface: Surface) => async (b: IngestBody) => {
    let res: Response;
    try {
      res = await fetch(`${p.url}${b.path}`, {
        method: 'POST',
        body: b.body as BodyInit,
        headers: { authorization: `Bearer ${collectors.get(surface)!.token}`, ...b.headers },
      });
    } catch (e) {
      failures.push({ surface, what: `no answer: ${(e as Error).message}`, input: clip(b.path + '\n' + b.body.toString()) });
      return;
    }
    count(surface, res.status);
    const text = await res.text();
    if (res.status >= 500) return void failures.push({ surface, what: `HTTP ${res.status}: ${clip(text)}`, input: clip(b.path + '\n' + b.body.toString()) });
    if (res.status !== 200) return;
    const json = JSON.parse(text) as {
      stored?: number;
      deadLettered?: number;
      repeats?: number;
      items?: Record<string, { status: number; result?: string; citysoc?: { repeat?: boolean } }>[];
    };
    const r = surfaces[surface];
    if (json.items) {
      for (const item of json.items) {
        const it = Object.values(item)[0]!;
        if (it.status === 409 || it.result === 'noop' || it.citysoc?.repeat) r.repeats++;
        else r.promised++;
      }
    } else {
      r.promised += (json.stored ?? 0) + (json.deadLettered ?? 0);
      r.repeats += json.repeats ?? 0;
    }
  };

  await loop('events', eventsBody, ingest('events'));
  await loop('fluent-bit', fluentBitBody, ingest('fluent-bit'));
  await loop('bulk', bulkBody, ingest('bulk'));

  const tcp = p.syslog?.tcp;
  if (tcp) {
    await loop('syslog-tcp', syslogStream, async (bytes) => {
      const ok = await new Promise<string | null>((resolve) => {
        const s = connect(tcp.port, '127.0.0.1');
        s.on('error', (e) => resolve(e.message));
        s.on('close', () => resolve(null));
        s.end(bytes);
      });
      count('syslog-tcp', ok === null ? 'sent' : 'error');
      if (ok !== null && !/ECONNRESET|EPIPE/.test(ok)) failures.push({ surface: 'syslog-tcp', what: ok, input: clip(bytes) });
    });
  }
  const udp = p.syslog?.udp;
  if (udp) {
    const sock = createSocket('udp4');
    await loop('syslog-udp', syslogDatagram, async (d) => {
      await new Promise<void>((resolve) => sock.send(d, udp.port, '127.0.0.1', () => resolve()));
      count('syslog-udp', 'sent');
      // the kernel drops datagrams a busy receiver cannot take: pace them (drops are counted in /metrics)
      if (surfaces['syslog-udp'].inputs % 50 === 0) await new Promise((r) => setTimeout(r, 20));
    });
    sock.close();
  }

  for (const session of t.sessions) {
    await loop('graphql', graphqlDocument, async (q) => {
      const res = await fetch(`${p.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session}` },
        body: JSON.stringify({ query: q }),
      });
      count('graphql', res.status);
      const text = await res.text();
      if (res.status >= 500) return void failures.push({ surface: 'graphql', what: `HTTP ${res.status}: ${clip(text)}`, input: clip(q) });
      let body: { errors?: { extensions?: { code?: string }; message: string }[] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return void failures.push({ surface: 'graphql', what: `not JSON: ${clip(text)}`, input: clip(q) });
      }
      const internal = body.errors?.find((e) => e.extensions?.code === 'INTERNAL' || /unexpected error/i.test(e.message));
      if (internal) failures.push({ surface: 'graphql', what: `internal error: ${internal.message}`, input: clip(q) });
    });
  }

  await loop('pdp', pdpBody, async (b) => {
    const path = b.startsWith('{"requests"') ? '/authz/v1/decide/batch' : '/authz/v1/decide';
    const res = await fetch(`${p.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.pdpToken}` },
      body: b,
    });
    count('pdp', res.status);
    const text = await res.text();
    if (res.status >= 500) failures.push({ surface: 'pdp', what: `HTTP ${res.status}: ${clip(text)}`, input: clip(b) });
  });

  const published = (await settle(p)) - publishedBefore;
  const storedAfter = await storedCount(p);
  for (const [s, c] of collectors) surfaces[s].stored = (await p.ports.events.search({ query: `citysoc.collector:"token:${c.name}"`, size: 1 })).total;
  sample();
  return { surfaces, failures, storedBefore, storedAfter, published, rss };
}

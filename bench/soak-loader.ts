/**
 * The soak benchmark's loader (bench/soak.ts forks it): its own process and event loop, so the
 * platform's clock and the sender's do not share a thread. It POSTs Fluent Bit json_lines
 * batches to the gateway at a fixed offered rate, open loop (a batch is sent when it is due,
 * whether or not earlier ones were answered, up to a bounded number in flight), and generates
 * every event when its batch is sent (memory stays bounded whatever the duration).
 *
 * The mix: data-sharing API records (60 % of batches) and OpenSSH lines (40 %): accepted keys,
 * failed passwords from a pool of outside addresses sized so that no address reaches a rule's
 * threshold, disconnects. Each batch's first event is a marker (a user or host name of its own)
 * the parent searches for. Every `burstEvery` seconds an OpenSSH batch carries a brute-force
 * burst: 12 failed passwords for root from an address of 198.18.0.0/15 used by no other event.
 *
 * Each answer goes to the parent over IPC; wall-clock times (Date.now) are comparable between
 * the two processes of one host.
 */
import { hostname } from 'node:os';

export interface LoaderPlan {
  readonly url: string;
  readonly token: string;
  readonly rate: number;
  readonly durationS: number;
  readonly batch: number;
  readonly maxInFlight: number;
  readonly burstEvery: number;
  readonly burstSize: number;
}

export interface BatchReport {
  readonly type: 'batch';
  readonly k: number;
  readonly events: number;
  readonly source: 'data-api' | 'openssh';
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly status: number;
  /** The gateway's counts (200 only). */
  readonly received: number;
  readonly stored: number;
  readonly deadLetters: number;
  readonly repeats: number;
  readonly marker: { readonly field: 'user.name' | 'host.name'; readonly value: string };
  readonly burst?: { readonly ip: string; readonly n: number };
  /** How late the batch left compared with its schedule (in-flight cap reached, loop busy). */
  readonly lateMs: number;
  readonly error?: string;
}

/** Sent just before a batch leaves: the parent starts looking for its marker (and burst) from then. */
export interface BatchSent {
  readonly type: 'sent';
  readonly k: number;
  readonly sentAt: number;
  readonly marker: BatchReport['marker'];
  readonly burst?: BatchReport['burst'];
}

export interface LoaderDone {
  readonly type: 'done';
  readonly batches: number;
  readonly events: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly maxLateMs: number;
  readonly rssMiB: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Syslog stamp in the host's local time: the gateway reads zone-less lines in the host's zone. */
function stamp(ms: number): string {
  const d = new Date(ms);
  const hh = String(d.getHours()).padStart(2, '0');
  const mm = String(d.getMinutes()).padStart(2, '0');
  const ss = String(d.getSeconds()).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${hh}:${mm}:${ss}`;
}

const quad = (n: number) => `${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

export class Mix {
  private api = 0;
  private ssh = 0;
  private fail = 0;
  /** Users of the API: each calls ≤ 0.3/s (rules fire at 60/min, 20 datasets in 10 min, 100,000 records/h). */
  private readonly users: number;
  /** Outside addresses with failed passwords: each fails once per ~100 s (rules fire at 10 in 5 min). */
  private readonly failers: number;

  constructor(private readonly rate: number) {
    this.users = Math.max(500, Math.ceil((rate * 0.6) / 0.3));
    this.failers = Math.max(1000, Math.ceil(rate * 0.4 * 0.1 * 100));
  }

  apiRecord(now: number, marker?: string): string {
    const i = this.api++;
    const u = i % this.users;
    const ds = (u * 7 + (i % 5)) % 250;
    return JSON.stringify({
      timestamp: new Date(now).toISOString(),
      user: { name: marker ?? `user${u}`, id: `u-${u}`, department: '城管局' },
      dataset: `ds.${ds}`,
      action: i % 7 === 0 ? 'export' : 'query',
      records: i % 50,
      bytes: (i * 1013) % 1_000_000,
      app: 'grid-portal',
      client_ip: `10.6.${quad(u).slice(quad(u).indexOf('.') + 1)}`,
      method: 'POST',
      path: `/v1/datasets/ds.${ds}/query`,
      // Each user is denied once in 200 of its own calls (i % 200 would deny the same few users every time).
      status: Math.floor(i / this.users) % 200 === u % 200 ? 403 : 200,
      request_id: `r-${i}`,
    });
  }

  sshLine(now: number, marker?: string): string {
    const i = this.ssh++;
    const t = stamp(now);
    const host = marker ?? `web-${i % 50}`;
    const port = 1024 + (i % 60000);
    const inside = `10.20.${quad(i % 2000).slice(quad(i % 2000).indexOf('.') + 1)}`;
    switch (i % 10) {
      case 0: {
        const f = this.fail++ % this.failers;
        // One user per failing address: several users from one address is password spraying.
        return `${t} ${host} sshd[${i % 30000}]: Failed password for invalid user u${f % 900} from 100.${64 + ((f >> 16) & 63)}.${(f >> 8) & 255}.${f & 255} port ${port} ssh2`;
      }
      case 1:
      case 2:
        return `${t} ${host} sshd[${i % 30000}]: Received disconnect from ${inside} port ${port}:11: disconnected by user`;
      case 3:
      case 4:
        return `${t} ${host} sshd[${i % 30000}]: pam_unix(sshd:session): session closed for user app`;
      default:
        return `${t} ${host} sshd[${i % 30000}]: Accepted publickey for app from ${inside} port ${port} ssh2`;
    }
  }
}

/** Line `n` of brute-force burst `b`: failed passwords for root from the burst's own address. */
export function burstLine(now: number, ip: string, n: number): string {
  return `${stamp(now)} gw-burst sshd[${40000 + n}]: Failed password for root from ${ip} port ${50000 + n} ssh2`;
}

export const burstIp = (b: number): string => `198.${18 + ((b >> 16) & 1)}.${(b >> 8) & 255}.${b & 255}`;

async function run(plan: LoaderPlan, send: (m: BatchReport | BatchSent | LoaderDone) => void): Promise<void> {
  const mix = new Mix(plan.rate);
  const intervalMs = (plan.batch / plan.rate) * 1000;
  const startedAt = Date.now();
  const endAt = startedAt + plan.durationS * 1000;
  let inFlight = 0;
  let slotFreed: (() => void) | null = null;
  let maxLateMs = 0;
  let events = 0;
  let bursts = 0;
  let k = 0;
  const pending = new Set<Promise<void>>();
  const host = hostname();
  for (; ; k++) {
    const due = startedAt + k * intervalMs;
    if (due >= endAt) break;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight >= plan.maxInFlight) await new Promise<void>((r) => (slotFreed = r));
    const sentAt = Date.now();
    const lateMs = Math.max(0, sentAt - due);
    maxLateMs = Math.max(maxLateMs, lateMs);
    const source: BatchReport['source'] = k % 5 < 3 ? 'data-api' : 'openssh';
    const marker = `soak-mk-${k}`;
    const lines: string[] = [];
    let burst: BatchReport['burst'];
    if (source === 'data-api') {
      lines.push(mix.apiRecord(sentAt, marker));
      while (lines.length < plan.batch) lines.push(mix.apiRecord(sentAt));
    } else {
      lines.push(JSON.stringify({ date: sentAt / 1000, log: mix.sshLine(sentAt, marker) }));
      if (plan.burstEvery > 0 && sentAt - startedAt >= bursts * plan.burstEvery * 1000) {
        const ip = burstIp(bursts++);
        for (let n = 0; n < plan.burstSize; n++) lines.push(JSON.stringify({ date: sentAt / 1000, log: burstLine(sentAt, ip, n) }));
        burst = { ip, n: plan.burstSize };
      }
      while (lines.length < plan.batch) lines.push(JSON.stringify({ date: sentAt / 1000, log: mix.sshLine(sentAt) }));
    }
    const tag = source === 'data-api' ? `citysoc.data-api.cg.${host}` : `citysoc.openssh.cg.${host}`;
    const n = lines.length;
    events += n;
    inFlight++;
    const markerRef = { field: source === 'data-api' ? ('user.name' as const) : ('host.name' as const), value: marker };
    send({ type: 'sent', k, sentAt, marker: markerRef, ...(burst ? { burst } : {}) });
    const p = (async () => {
      let report: BatchReport;
      const base = {
        type: 'batch' as const,
        k,
        events: n,
        source,
        sentAt,
        lateMs,
        marker: markerRef,
        ...(burst ? { burst } : {}),
      };
      try {
        const res = await fetch(`${plan.url}/ingest/v1/fluent-bit/${tag}`, {
          method: 'POST',
          body: lines.join('\n'),
          headers: { authorization: `Bearer ${plan.token}` },
        });
        const text = await res.text();
        const answeredAt = Date.now();
        if (res.status === 200) {
          const c = JSON.parse(text) as { received: number; stored: number; deadLettered: number; repeats: number };
          report = { ...base, answeredAt, status: 200, received: c.received, stored: c.stored, deadLetters: c.deadLettered, repeats: c.repeats };
        } else {
          report = { ...base, answeredAt, status: res.status, received: 0, stored: 0, deadLetters: 0, repeats: 0, error: text.slice(0, 300) };
        }
      } catch (e) {
        report = { ...base, answeredAt: Date.now(), status: 0, received: 0, stored: 0, deadLetters: 0, repeats: 0, error: String(e) };
      }
      send(report);
    })().finally(() => {
      inFlight--;
      pending.delete(p);
      const f = slotFreed;
      slotFreed = null;
      f?.();
    });
    pending.add(p);
  }
  await Promise.all([...pending]);
  send({ type: 'done', batches: k, events, startedAt, endedAt: Date.now(), maxLateMs, rssMiB: process.memoryUsage().rss / 1048576 });
}

if (process.send) {
  process.once('message', (plan: LoaderPlan) => {
    const send = (m: BatchReport | BatchSent | LoaderDone) => process.send!(m);
    run(plan, send).then(
      () => process.disconnect(),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  });
}

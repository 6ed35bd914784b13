/**
 * External anchors: every signed checkpoint is published where the trail's writer cannot rewrite
 * it — a file on another volume (append-only or WORM), a syslog receiver, an HTTP receiver — and
 * time-stamped by an RFC 3161 authority. Verification reads them back (policy/audit/verify-trail.ts):
 * a tail cut off, or rewritten and re-signed with a stolen key, disagrees with what was published
 * when it was signed, and a re-signed checkpoint cannot get a time-stamp from before its rewrite.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { createSocket } from 'node:dgram';
import { hostname } from 'node:os';
import path from 'node:path';
import type { AuditCheckpoint } from '../../core/audit';
import { digest } from '../../core/audit-crypto';
import { canonicalJson } from '../../core/canonical';
import type { Config } from '../../core/config';
import { CitySocError } from '../../core/errors';
import type { AuditLog } from '../../core/ports/audit-log';

/** Marks a published checkpoint in a line of text (a file, a syslog message, an HTTP body). */
export const ANCHOR_MARK = 'CITYSOC-AUDIT-CHECKPOINT ';

export type AnchorSinkConfig = Config['audit']['anchors'][number];

export interface AnchorSink {
  readonly name: string;
  publish(c: AuditCheckpoint): Promise<void>;
  /** What it holds, for verification; null when it cannot be read back from here (syslog: use its receiver's file). */
  read(): Promise<AuditCheckpoint[] | null>;
}

/** Checkpoints found in text: one per line that carries the mark (other lines are ignored). */
export function checkpointsIn(text: string): AuditCheckpoint[] {
  const out: AuditCheckpoint[] = [];
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(ANCHOR_MARK);
    const json = i >= 0 ? line.slice(i + ANCHOR_MARK.length) : line.trim().startsWith('{') ? line.trim() : null;
    if (!json) continue;
    try {
      const c = JSON.parse(json) as AuditCheckpoint;
      if (typeof c === 'object' && c && typeof c.seq === 'number' && typeof c.hash === 'string' && typeof c.signature === 'string') out.push(c);
    } catch {
      // Not ours, or damaged: a damaged anchor counts as absent, and verification works from the others.
    }
  }
  return out;
}

function line(c: AuditCheckpoint): string {
  return ANCHOR_MARK + canonicalJson(c);
}

export function fileSink(file: string): AnchorSink {
  return {
    name: `file:${file}`,
    async publish(c) {
      mkdirSync(path.dirname(file), { recursive: true });
      // O_APPEND only: the sink works on an append-only (chattr +a) file, which refuses anything else.
      const fd = openSync(file, 'a', 0o640);
      try {
        appendFileSync(fd, line(c) + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
    async read() {
      return existsSync(file) ? checkpointsIn(readFileSync(file, 'utf8')) : [];
    },
  };
}

/** RFC 5424 over TCP (octet counting, RFC 6587) or UDP; facility log audit (13), severity informational. */
export function syslogSink(host: string, port: number, protocol: 'tcp' | 'udp'): AnchorSink {
  const message = (c: AuditCheckpoint) => `<110>1 ${new Date().toISOString()} ${hostname() || '-'} citysoc ${process.pid} audit-checkpoint - ${line(c)}`;
  return {
    name: `syslog:${protocol}://${host}:${port}`,
    publish(c) {
      const msg = Buffer.from(message(c), 'utf8');
      if (protocol === 'udp')
        return new Promise((resolve, reject) => {
          const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
          s.send(msg, port, host, (err) => {
            s.close();
            if (err) reject(err);
            else resolve();
          });
        });
      return new Promise((resolve, reject) => {
        const s = createConnection({ host, port });
        s.setTimeout(10_000, () => s.destroy(new Error(`syslog receiver ${host}:${port} timed out`)));
        s.once('error', reject);
        s.end(Buffer.concat([Buffer.from(`${msg.length} `), msg]), () => resolve());
      });
    },
    read: async () => null,
  };
}

export function httpSink(url: string, readUrl?: string): AnchorSink {
  return {
    name: `http:${url}`,
    async publish(c) {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: canonicalJson(c),
        signal: AbortSignal.timeout(10_000),
      });
      if (!r.ok) throw new CitySocError('UNAVAILABLE', `anchor receiver ${url} answered ${r.status}`);
    },
    async read() {
      if (!readUrl) return null;
      const r = await fetch(readUrl, { signal: AbortSignal.timeout(30_000) });
      if (!r.ok) throw new CitySocError('UNAVAILABLE', `anchor receiver ${readUrl} answered ${r.status}`);
      return checkpointsIn(await r.text());
    },
  };
}

// RFC 3161: SHA-256 AlgorithmIdentifier (2.16.840.1.101.3.4.2.1 with NULL parameters).
const SHA256_ALGORITHM = Buffer.from('300d06096086480165030402010500', 'hex');

/** The DER TimeStampReq for a SHA-256 imprint, with a nonce and the TSA's certificate requested. */
export function timeStampRequest(imprint: Buffer): Buffer {
  if (imprint.length !== 32) throw new Error('RFC 3161 request: a SHA-256 imprint is 32 bytes');
  // A DER INTEGER is minimal and, here, positive: the first byte in 0x40..0x7f keeps both (a leading 0x00 is
  // "illegal padding" to OpenSSL, which then refuses the request with PKIStatus 2, one request in 256).
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0]! & 0x3f) | 0x40;
  const messageImprint = Buffer.concat([Buffer.from([0x30, SHA256_ALGORITHM.length + 34]), SHA256_ALGORITHM, Buffer.from([0x04, 32]), imprint]);
  const body = Buffer.concat([Buffer.from('020101', 'hex'), messageImprint, Buffer.from([0x02, 8]), nonce, Buffer.from('0101ff', 'hex')]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** The PKIStatus of a TimeStampResp (0 granted, 1 granted with modifications), read from its DER. */
export function timeStampStatus(resp: Buffer): number {
  let i = 0;
  const header = () => {
    const tag = resp[i++];
    let len = resp[i++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + resp[i++]!;
    }
    return { tag, len };
  };
  if (header().tag !== 0x30 || header().tag !== 0x30) throw new Error('not an RFC 3161 response');
  const status = header();
  if (status.tag !== 0x02 || status.len !== 1) throw new Error('not an RFC 3161 response');
  return resp[i]!;
}

/** What a token proves: the checkpoint it time-stamps and the time the authority gave it. */
export interface TimeStamped {
  readonly checkpoint: AuditCheckpoint;
  readonly genTime: string;
}

/** The imprint a checkpoint is time-stamped with: SHA-256 over its canonical JSON, signature included. */
export function checkpointImprint(c: AuditCheckpoint): Buffer {
  return digest('international', canonicalJson(c));
}

export interface TsaOptions {
  readonly url: string;
  readonly caFile: string;
  readonly certFile?: string;
  /** Where tokens are kept (beside the trail: a token cannot be forged, only removed, and a removal is reported). */
  readonly dir: string;
}

/** Tokens are checked with OpenSSL's `ts -verify` (the reference RFC 3161 implementation); only verification needs it. */
function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
}

export class TsaSink implements AnchorSink {
  readonly name: string;

  constructor(private readonly o: TsaOptions) {
    this.name = `tsa:${o.url}`;
  }

  async publish(c: AuditCheckpoint): Promise<void> {
    const r = await fetch(this.o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: new Uint8Array(timeStampRequest(checkpointImprint(c))),
      signal: AbortSignal.timeout(30_000),
    });
    if (!r.ok) throw new CitySocError('UNAVAILABLE', `time-stamping authority ${this.o.url} answered ${r.status}`);
    const token = Buffer.from(await r.arrayBuffer());
    const status = timeStampStatus(token);
    if (status > 1) throw new CitySocError('UNAVAILABLE', `time-stamping authority ${this.o.url} refused the request (PKIStatus ${status})`);
    mkdirSync(this.o.dir, { recursive: true, mode: 0o700 });
    const base = path.join(this.o.dir, `${c.chain}-${c.seq}`);
    // Written beside each other, the token last: a token without its checkpoint is never left behind.
    writeFileSync(`${base}.json`, canonicalJson(c));
    writeFileSync(`${base}.tsr.tmp`, token);
    renameSync(`${base}.tsr.tmp`, `${base}.tsr`);
  }

  /** The checkpoints whose tokens verify against the authority's CA, with the time each was stamped. */
  async readStamped(): Promise<{ stamped: TimeStamped[]; invalid: string[] }> {
    const stamped: TimeStamped[] = [];
    const invalid: string[] = [];
    if (!existsSync(this.o.dir)) return { stamped, invalid };
    for (const f of readdirSync(this.o.dir)
      .filter((n) => n.endsWith('.tsr'))
      .sort()) {
      const tsr = path.join(this.o.dir, f);
      const json = tsr.replace(/\.tsr$/, '.json');
      try {
        const c = JSON.parse(readFileSync(json, 'utf8')) as AuditCheckpoint;
        const args = ['ts', '-verify', '-in', tsr, '-digest', checkpointImprint(c).toString('hex'), '-CAfile', this.o.caFile];
        if (this.o.certFile) args.push('-untrusted', this.o.certFile);
        openssl(args);
        const text = openssl(['ts', '-reply', '-in', tsr, '-text']);
        const m = /Time stamp: (.+)/.exec(text);
        if (!m) throw new Error('no time in the token');
        stamped.push({ checkpoint: c, genTime: new Date(m[1]!.trim()).toISOString() });
      } catch (e) {
        invalid.push(`${f}: ${((e as { stderr?: string }).stderr || (e as Error).message).trim().split('\n')[0]}`);
      }
    }
    return { stamped, invalid };
  }

  async read(): Promise<AuditCheckpoint[]> {
    return (await this.readStamped()).stamped.map((s) => s.checkpoint);
  }
}

export function openSinks(config: Config): AnchorSink[] {
  return config.audit.anchors.map((a): AnchorSink => {
    switch (a.type) {
      case 'file':
        return fileSink(path.resolve(a.path));
      case 'syslog':
        return syslogSink(a.host, a.port, a.protocol);
      case 'http':
        return httpSink(a.url, a.readUrl);
      case 'tsa':
        return new TsaSink({ url: a.url, caFile: a.caFile, ...(a.certFile ? { certFile: a.certFile } : {}), dir: path.join(config.dataDir, 'audit-tsa') });
    }
  });
}

/**
 * Publishes every checkpoint each sink has not had yet, oldest first; what was published is noted
 * per sink in `cursorFile`. A sink that fails is tried again next time from where it stopped.
 */
export class AnchorPublisher {
  private running: Promise<number> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: AuditLog,
    private readonly sinks: readonly AnchorSink[],
    private readonly cursorFile: string,
  ) {}

  private cursors(): Record<string, Record<string, number>> {
    try {
      return JSON.parse(readFileSync(this.cursorFile, 'utf8')) as Record<string, Record<string, number>>;
    } catch {
      return {};
    }
  }

  private save(c: Record<string, Record<string, number>>): void {
    const tmp = `${this.cursorFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(c));
    renameSync(tmp, this.cursorFile);
  }

  /** Publishes what is pending; resolves with the number of publications, throws the first sink's error after trying them all. */
  publishPending(): Promise<number> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<number> {
    if (this.sinks.length === 0) return 0;
    const all = await this.log.checkpoints();
    const cursors = this.cursors();
    let published = 0;
    let firstError: unknown = null;
    for (const sink of this.sinks) {
      const done = (cursors[sink.name] ??= {});
      try {
        for (const c of all) {
          if (c.seq <= (done[c.chain] ?? 0)) continue;
          await sink.publish(c);
          done[c.chain] = c.seq;
          published++;
          this.save(cursors);
        }
      } catch (e) {
        firstError ??= new CitySocError('UNAVAILABLE', `audit anchor ${sink.name}: ${(e as Error).message}`);
      }
    }
    if (firstError) throw firstError;
    return published;
  }

  start(intervalMs: number, onError: (e: unknown) => void): void {
    this.timer = setInterval(() => void this.publishPending().catch(onError), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}

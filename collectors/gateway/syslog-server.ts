/**
 * Syslog listeners: TCP (optionally TLS, RFC 5425) and UDP. Messages are batched briefly and
 * published durably; a TCP connection is paused while its batch is written, which is the only
 * backpressure syslog senders understand. Syslog has no acknowledgements, so shippers that
 * need "nothing lost" use the HTTP endpoints.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '../../core/logging';
import { deadLetterEvent } from '../pipeline/dead-letter';
import type { Publisher } from '../pipeline/publisher';
import type { PipelineInput, PipelineResult } from '../pipeline/types';
import type { IngestMetrics } from './metrics';
import { type Frame, SyslogFramer } from './syslog-framing';
import { syslogInput } from './syslog-message';
import { udpKernelDrops } from './udp-drops';

export interface SyslogOptions {
  readonly host: string;
  readonly tcpPort?: number;
  readonly udpPort?: number;
  readonly maxMessageBytes: number;
  /** A TCP connection silent this long is closed; 0: never. */
  readonly idleTimeoutSeconds?: number;
  /** Open TCP connections at most; more are refused. */
  readonly maxConnections?: number;
  /** SO_RCVBUF of the UDP socket; the kernel caps it at net.core.rmem_max. */
  readonly udpReceiveBufferBytes?: number;
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile?: string; readonly requireClientCert: boolean };
}

export interface SyslogListeners {
  readonly tcp?: AddressInfo;
  readonly udp?: AddressInfo;
  close(): Promise<void>;
}

const BATCH = 500;
const LINGER_MS = 20;

/** Collects results and publishes them in batches, one publish at a time, in arrival order. */
class Batcher {
  private pending: PipelineResult[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly publisher: Publisher,
    private readonly log: Logger,
  ) {}

  add(input: PipelineInput | PipelineResult): Promise<void> | undefined {
    this.pending.push('raw' in input ? this.publisher.pipeline.process(input.raw, input.hint) : input);
    if (this.pending.length >= BATCH) return this.flush();
    this.timer ??= setTimeout(() => void this.flush(), LINGER_MS);
    return undefined;
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) {
      this.chain = this.chain.then(() =>
        this.publisher.publishResults(batch).then(
          () => undefined,
          (err: unknown) =>
            this.log.error({ err, count: batch.length }, 'syslog batch could not be published; these messages are lost (syslog has no acknowledgement)'),
        ),
      );
    }
    return this.chain;
  }
}

function listenTcp(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}

export async function startSyslog(opts: SyslogOptions, publisher: Publisher, log: Logger, metrics?: IngestMetrics): Promise<SyslogListeners> {
  const batcher = new Batcher(publisher, log);
  // Syslog has no retries: every message is its own occurrence, told apart by its arrival.
  const started = Date.now().toString(36);
  let seq = 0;
  const position = () => `syslog:${started}:${seq++}`;
  const input = (frame: Frame, peer: string | undefined, collector: string): PipelineInput | PipelineResult => {
    const receivedAt = new Date();
    const text = frame.bytes.toString('utf8');
    if (!frame.oversized) {
      const i = syslogInput(text, peer, collector, receivedAt);
      return { raw: i.raw, hint: { ...i.hint, position: position() } };
    }
    const error = `the message is longer than ingest.syslog.maxMessageBytes (${opts.maxMessageBytes} bytes): its first ${opts.maxMessageBytes} bytes are kept, the rest was skipped`;
    return {
      ok: false,
      source: 'unknown',
      error,
      event: deadLetterEvent({ original: text, error, source: 'unknown', collector, receivedAt, position: position(), type: 'invalid_event' }),
    };
  };
  const sockets = new Set<Socket>();
  let tcp: Server | undefined;
  let udp: UdpSocket | undefined;
  let tcpAddr: AddressInfo | undefined;
  let udpAddr: AddressInfo | undefined;

  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    const framer = new SyslogFramer(opts.maxMessageBytes);
    const peer = socket.remoteAddress;
    const collector = opts.tls ? 'syslog-tls' : 'syslog-tcp';
    if (opts.idleTimeoutSeconds) {
      socket.setTimeout(opts.idleTimeoutSeconds * 1000, () => {
        metrics?.syslogConnectionClosed('idle');
        log.debug({ peer }, 'syslog connection idle; closed');
        socket.destroy();
      });
    }
    const take = (frames: Frame[]) => {
      let full: Promise<void> | undefined;
      for (const f of frames) full = batcher.add(input(f, peer, collector)) ?? full;
      if (full) {
        socket.pause();
        void full.then(() => socket.resume());
      }
    };
    socket.on('data', (chunk: Buffer) => take(framer.push(chunk)));
    socket.on('end', () => {
      take(framer.end());
      void batcher.flush();
    });
    socket.on('error', (err) => log.debug({ err, peer }, 'syslog connection error'));
    socket.on('close', () => sockets.delete(socket));
  };

  if (opts.tcpPort !== undefined) {
    tcp = opts.tls
      ? createTlsServer(
          {
            cert: readFileSync(opts.tls.certFile),
            key: readFileSync(opts.tls.keyFile),
            ca: opts.tls.caFile ? readFileSync(opts.tls.caFile) : undefined,
            requestCert: opts.tls.requireClientCert,
            rejectUnauthorized: opts.tls.requireClientCert,
          },
          onConnection,
        )
      : createTcpServer(onConnection);
    if (opts.maxConnections) tcp.maxConnections = opts.maxConnections;
    tcp.on('drop', () => metrics?.syslogConnectionClosed('limit'));
    tcpAddr = await listenTcp(tcp, opts.host, opts.tcpPort);
    log.info({ address: tcpAddr, tls: !!opts.tls }, 'syslog TCP listener up');
  }
  if (opts.udpPort !== undefined) {
    const sock = createSocket(opts.host.includes(':') ? 'udp6' : 'udp4');
    udp = sock;
    sock.on('message', (msg, rinfo) => {
      const text = msg
        .subarray(0, opts.maxMessageBytes)
        .toString('utf8')
        .replace(/[\r\n\0]+$/, '');
      if (text === '') return;
      const frame = { bytes: Buffer.from(text), oversized: msg.length > opts.maxMessageBytes };
      batcher.add(input(frame, rinfo.address, 'syslog-udp'));
    });
    sock.on('error', (err) => log.error({ err }, 'syslog UDP socket error'));
    udpAddr = await new Promise<AddressInfo>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(opts.udpPort, opts.host, () => resolve(sock.address()));
    });
    if (opts.udpReceiveBufferBytes) sock.setRecvBufferSize(opts.udpReceiveBufferBytes);
    const port = udpAddr.port;
    metrics?.watchUdpDrops(() => udpKernelDrops(port));
    log.info({ address: udpAddr, receiveBufferBytes: sock.getRecvBufferSize() }, 'syslog UDP listener up');
  }

  return {
    tcp: tcpAddr,
    udp: udpAddr,
    async close() {
      udp?.close();
      if (tcp) {
        const closed = new Promise<void>((resolve) => tcp!.close(() => resolve()));
        for (const s of sockets) s.end();
        setTimeout(() => sockets.forEach((s) => s.destroy()), 2_000).unref();
        await closed;
      }
      await batcher.flush();
    },
  };
}

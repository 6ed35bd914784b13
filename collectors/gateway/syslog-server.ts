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
import type { Publisher } from '../pipeline/publisher';
import type { PipelineInput } from '../pipeline/types';
import { SyslogFramer } from './syslog-framing';
import { syslogInput } from './syslog-message';

export interface SyslogOptions {
  readonly host: string;
  readonly tcpPort?: number;
  readonly udpPort?: number;
  readonly maxMessageBytes: number;
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile?: string; readonly requireClientCert: boolean };
}

export interface SyslogListeners {
  readonly tcp?: AddressInfo;
  readonly udp?: AddressInfo;
  close(): Promise<void>;
}

const BATCH = 500;
const LINGER_MS = 20;

/** Collects inputs and publishes them in batches, one publish at a time, in arrival order. */
class Batcher {
  private pending: PipelineInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly publisher: Publisher,
    private readonly log: Logger,
  ) {}

  add(input: PipelineInput): Promise<void> | undefined {
    this.pending.push(input);
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
        this.publisher.publish(batch).then(
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

export async function startSyslog(opts: SyslogOptions, publisher: Publisher, log: Logger): Promise<SyslogListeners> {
  const batcher = new Batcher(publisher, log);
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
    const take = (frames: Buffer[]) => {
      let full: Promise<void> | undefined;
      for (const f of frames) full = batcher.add(syslogInput(f.toString('utf8'), peer, collector, new Date())) ?? full;
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
      if (text !== '') batcher.add(syslogInput(text, rinfo.address, 'syslog-udp', new Date()));
    });
    sock.on('error', (err) => log.error({ err }, 'syslog UDP socket error'));
    udpAddr = await new Promise<AddressInfo>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(opts.udpPort, opts.host, () => resolve(sock.address()));
    });
    log.info({ address: udpAddr }, 'syslog UDP listener up');
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

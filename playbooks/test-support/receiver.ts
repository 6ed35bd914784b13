/** A webhook receiver on loopback that counts what it receives (and can be down on a known port). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

export interface Receiver {
  readonly port: number;
  readonly origin: string;
  readonly url: string;
  readonly received: Received[];
  /** Starts listening (again) on the same port. */
  up(): Promise<void>;
  down(): Promise<void>;
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function receiver(opts: { up?: boolean; status?: number } = {}): Promise<Receiver> {
  const port = await freePort();
  const received: Received[] = [];
  let server: Server | null = null;
  const r: Receiver = {
    port,
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/hook`,
    received,
    async up() {
      if (server) return;
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // kept as text
          }
          received.push({ path: req.url ?? '/', headers: req.headers, body });
          res.writeHead(opts.status ?? 200, { 'content-type': 'application/json' });
          res.end('{"ok":true}');
        });
      });
      await new Promise<void>((ok) => s.listen(port, '127.0.0.1', () => ok()));
      server = s;
    },
    async down() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((ok) => (s.close(() => ok()), s.closeAllConnections()));
    },
  };
  if (opts.up !== false) await r.up();
  return r;
}

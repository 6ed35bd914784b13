/**
 * A local HTTP server (127.0.0.1, ephemeral port) that answers like the SQL Gateway, for unit
 * tests of request building and reply parsing. It proves nothing about Flink itself; the
 * integration test does that.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  /** path and query as received */
  url: string;
  body: unknown;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /** Hold the reply back this long, ms (timeouts). */
  delayMs?: number;
}

/** Maps "METHOD /path?query" to a reply, or to a function for replies that change over calls. */
export type Routes = Record<string, Reply | ((req: Recorded, n: number) => Reply)>;

export interface FakeGateway {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length > 0 ? (JSON.parse(text) as unknown) : undefined;
}

export async function startFakeGateway(routes: Routes): Promise<FakeGateway> {
  const requests: Recorded[] = [];
  const calls = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const rec: Recorded = { method: req.method ?? '', url: req.url ?? '', body: await readBody(req) };
      requests.push(rec);
      const key = `${rec.method} ${rec.url}`;
      const n = calls.get(key) ?? 0;
      calls.set(key, n + 1);
      const route = routes[key];
      const reply: Reply =
        route === undefined ? { status: 404, body: { errors: [`Not found: ${rec.url}`] } } : typeof route === 'function' ? route(rec, n) : route;
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (res.destroyed) return;
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

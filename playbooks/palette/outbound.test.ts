import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TransientError, isRetryable, backoffMs } from '../runs/retry';
import { request, type OutboundPolicy } from './outbound';
import { sourceBlock } from './actions';
import { freePort } from '../test-support/receiver';

describe('outbound requests of playbooks', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const status = Number(new URL(req.url!, 'http://x').searchParams.get('status') ?? 200);
      if (req.url!.startsWith('/redirect')) return res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      if (req.url!.startsWith('/big')) return res.writeHead(200).end('x'.repeat(5000));
      res.writeHead(status, { 'content-type': 'application/json', 'set-cookie': 'a=b' }).end(JSON.stringify({ got: req.headers['idempotency-key'] ?? null }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const policy = (): OutboundPolicy => ({ allow: [origin], timeoutMs: 2000, maxResponseBytes: 1024 });

  it('reaches an allowed origin and parses a JSON answer, leaving cookies out', async () => {
    const r = await request(policy(), { method: 'POST', url: `${origin}/ok`, headers: { 'idempotency-key': 'k1' }, body: '{}' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ got: 'k1' });
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  it('refuses an origin that is not allowed, credentials in the URL and other schemes, before any request', async () => {
    await expect(request(policy(), { method: 'GET', url: 'http://127.0.0.1:9/x' })).rejects.toThrow(
      'outbound requests to http://127.0.0.1:9 are not allowed; add the origin to playbooks.outbound.allow',
    );
    await expect(request(policy(), { method: 'GET', url: `${origin.replace('http://', 'http://u:p@')}/x` })).rejects.toThrow(
      'credentials do not belong in a URL',
    );
    await expect(request(policy(), { method: 'GET', url: 'file:///etc/passwd' })).rejects.toThrow('file: URLs are not requested');
    await expect(request(policy(), { method: 'GET', url: 'not a url' })).rejects.toThrow("'not a url' is not an absolute URL");
  });

  it('does not follow a redirect', async () => {
    const e = await request(policy(), { method: 'GET', url: `${origin}/redirect` }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'INPUT_INVALID', message: `GET ${origin}/redirect answered a redirect (302); redirects are not followed` });
    expect(isRetryable(e)).toBe(false);
  });

  it('retries 5xx, 429 and no answer; fails other 4xx at once', async () => {
    expect(isRetryable(await request(policy(), { method: 'GET', url: `${origin}/x?status=503` }).catch((x: unknown) => x))).toBe(true);
    expect(isRetryable(await request(policy(), { method: 'GET', url: `${origin}/x?status=429` }).catch((x: unknown) => x))).toBe(true);
    const bad = await request(policy(), { method: 'GET', url: `${origin}/x?status=404` }).catch((x: unknown) => x);
    expect([bad instanceof TransientError, isRetryable(bad)]).toEqual([false, false]);
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await request({ ...policy(), allow: [closed] }, { method: 'GET', url: `${closed}/x` }).catch((x: unknown) => x);
    expect(down).toBeInstanceOf(TransientError);
    expect((down as Error).message).toBe(`GET ${closed}/x: no answer (ECONNREFUSED)`);
  });

  it('bounds the answer it reads', async () => {
    await expect(request(policy(), { method: 'GET', url: `${origin}/big` })).rejects.toThrow('the answer is larger than 1024 bytes');
  });

  it('waits longer before each attempt, up to the cap, with the jitter asked for', () => {
    const p = { attempts: 5, baseMs: 1000, maxMs: 5000, jitter: 0.2 };
    expect([1, 2, 3, 4].map((n) => backoffMs(p, n, () => 0))).toEqual([800, 1600, 3200, 4000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(p, n, () => 1))).toEqual([1000, 2000, 4000, 5000]);
  });
});

describe('which sources a playbook may block', () => {
  const prot = ['127.0.0.0/8', '10.20.0.0/16'];
  it('blocks an address as a single-address block, and blocks down to /16 and /48', () => {
    expect(sourceBlock('203.0.113.9', prot)).toBe('203.0.113.9/32');
    expect(sourceBlock('2001:db8::0001', prot)).toBe('2001:db8::1/128');
    expect(sourceBlock('198.51.0.0/16', prot)).toBe('198.51.0.0/16');
  });
  it('refuses wider blocks, protected networks and blocks that contain them', () => {
    expect(() => sourceBlock('0.0.0.0/0', prot)).toThrow('0.0.0.0/0 is wider than a playbook may block (/16 for IPv4, /48 for IPv6)');
    expect(() => sourceBlock('127.0.0.1', prot)).toThrow('127.0.0.1/32 overlaps the protected block 127.0.0.0/8; playbooks never block it');
    expect(() => sourceBlock('10.20.0.0/16', prot)).toThrow('overlaps the protected block 10.20.0.0/16');
    expect(() => sourceBlock('hello', prot)).toThrow("'hello' is neither an IP address nor a CIDR block");
  });
});

/** The console's HTTP mount, served by a node:http server over a built console of two files. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { consoleMount, isApiPath } from './console-module';

const INDEX = '<!doctype html><meta name="csp-nonce" content="__CSP_NONCE__"><script type="module" src="/assets/app-3f2a9c.js"></script>';
const APP = 'console.log("the console");'.repeat(200);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function serve(dir: string): Promise<Server> {
  const mount = consoleMount(dir);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void Promise.resolve(mount.handle(req, res, url, { actor: null, token: null, sourceIp: undefined })).then((handled) => {
      if (handled === false) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"NOT_FOUND","passed":true}');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A raw request: the path goes out exactly as written (fetch would normalise `..`). */
function get(server: Server, pathname: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const HTML = { accept: 'text/html,application/xhtml+xml' };

describe('the console mount', () => {
  let dir: string;
  let server: Server;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'citysoc-console-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), INDEX);
    writeFileSync(path.join(dir, 'assets', 'app-3f2a9c.js'), APP);
    writeFileSync(path.join(dir, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
    writeFileSync(path.join(tmpdir(), 'citysoc-console-secret.txt'), 'outside');
    server = await serve(dir);
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / with a fresh CSP nonce on each answer, never cached', async () => {
    const a = await get(server, '/', HTML);
    const b = await get(server, '/', HTML);
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(a.headers['cache-control']).toBe('no-store');
    const nonce = /content="([^"]+)"/.exec(a.body.toString())![1]!;
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(a.body.toString()).toBe(INDEX.replace('__CSP_NONCE__', nonce));
    expect(a.headers['content-security-policy']).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self' 'nonce-${nonce}'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'`,
    );
    expect(b.body.toString()).not.toContain(nonce);
  });

  it('sends nosniff, no framing, no referrer on every answer', async () => {
    for (const p of ['/', '/assets/app-3f2a9c.js', '/robots.txt', '/assets/gone.js']) {
      const a = await get(server, p, HTML);
      expect([p, a.headers['x-content-type-options'], a.headers['x-frame-options'], a.headers['referrer-policy']]).toEqual([
        p,
        'nosniff',
        'DENY',
        'no-referrer',
      ]);
      expect(a.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('serves hashed assets as immutable for a year, brotli or gzip compressed as the browser accepts', async () => {
    const br = await get(server, '/assets/app-3f2a9c.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(brotliDecompressSync(br.body).toString()).toBe(APP);
    expect(br.body.length).toBeLessThan(APP.length / 10);
    const gz = await get(server, '/assets/app-3f2a9c.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(APP);
    const refusedBr = await get(server, '/assets/app-3f2a9c.js', { 'accept-encoding': 'br;q=0, gzip' });
    expect(refusedBr.headers['content-encoding']).toBe('gzip');
    const none = await get(server, '/assets/app-3f2a9c.js');
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body.toString()).toBe(APP);
  });

  it('answers a file outside assets/ for revalidation, and HEAD without a body', async () => {
    const a = await get(server, '/robots.txt');
    expect([a.status, a.headers['cache-control'], a.body.toString()]).toEqual([200, 'no-cache', 'User-agent: *\nDisallow: /\n']);
    const h = await get(server, '/assets/app-3f2a9c.js', {}, 'HEAD');
    expect([h.status, h.headers['content-length'], h.body.length]).toEqual([200, String(APP.length), 0]);
  });

  it('gives a browser navigating to a page of the app index.html (the SPA routes it)', async () => {
    for (const p of ['/alerts', '/alerts/8f2c/show', '/hunt?q=user.name:alice']) {
      const a = await get(server, p, HTML);
      expect([p, a.status, a.headers['content-type']]).toEqual([p, 200, 'text/html; charset=utf-8']);
      expect(a.body.toString()).toContain('<script type="module" src="/assets/app-3f2a9c.js">');
    }
  });

  it("passes API routes, the gateway's Elasticsearch-compatible routes and non-GET methods on untouched", async () => {
    for (const p of [
      '/graphql',
      '/ingest/v1/events',
      '/ingest/v1/fluent-bit/citysoc.ssh',
      '/authz/v1/decide',
      '/healthz',
      '/readyz',
      '/metrics',
      '/_bulk',
      '/logs/_bulk',
      '/_license',
      '/playbooks/editor',
    ]) {
      const a = await get(server, p, HTML);
      expect([p, a.status, a.body.toString()]).toEqual([p, 404, '{"error":"NOT_FOUND","passed":true}']);
    }
    expect((await get(server, '/', HTML, 'POST')).body.toString()).toContain('"passed":true');
    expect(isApiPath('/alerts')).toBe(false);
  });

  it("leaves GET / without text/html to the gateway's Elasticsearch probe (Fluent Bit, Beats)", async () => {
    expect((await get(server, '/', { accept: 'application/json' })).body.toString()).toContain('"passed":true');
    expect((await get(server, '/', {}, 'HEAD')).status).toBe(404);
  });

  it('answers a missing hashed asset 404 rather than index.html, and passes other missing files on', async () => {
    const a = await get(server, '/assets/app-000000.js', HTML);
    expect([a.status, a.body.toString()]).toEqual([404, 'no such file\n']);
    expect((await get(server, '/favicon.png', HTML)).body.toString()).toContain('"passed":true');
    expect((await get(server, '/alerts', { accept: 'application/json' })).body.toString()).toContain('"passed":true');
  });

  it('never answers a file outside the console folder: `..` and `%2e%2e` are resolved by URL parsing; encoded slashes, NUL, backslashes and bad encodings are refused with 400', async () => {
    for (const p of ['/../citysoc-console-secret.txt', '/assets/../../citysoc-console-secret.txt', '/%2e%2e/citysoc-console-secret.txt']) {
      const a = await get(server, p, HTML);
      expect([p, a.status, a.body.toString()]).toEqual([p, 404, '{"error":"NOT_FOUND","passed":true}']);
    }
    for (const p of [
      '/..%2fcitysoc-console-secret.txt',
      '/assets%2f..%2f..%2fcitysoc-console-secret.txt',
      '/index.html%00.js',
      '/..%5ccitysoc-console-secret.txt',
      '/%E0%A4%A',
    ]) {
      const a = await get(server, p, HTML);
      expect([p, a.status, a.body.toString()]).toEqual([p, 400, p === '/%E0%A4%A' ? 'bad URL encoding\n' : 'bad path\n']);
    }
  });

  it('explains how to build the console when it is not built', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'citysoc-console-empty-'));
    const s = await serve(empty);
    try {
      expect(consoleMount(empty).built).toBe(false);
      const a = await get(s, '/', HTML);
      expect([a.status, a.body.toString()]).toEqual([503, 'The console is not built: run `npm install` (or `npm --prefix console run build`) and restart.\n']);
    } finally {
      await new Promise((r) => s.close(r));
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

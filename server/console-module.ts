/**
 * The console: serves the built web UI (console/dist) at `/`. Hashed files under /assets/ are
 * cached for a year as immutable; index.html is never cached and carries a fresh nonce for the
 * Content-Security-Policy on each answer; any other path a browser navigates to that is not an
 * API route gets index.html (the single-page app routes it). Text files are sent compressed
 * (brotli or gzip, as the browser accepts), compressed once and kept in memory.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { defineModule, type HttpMount } from '../core/module';

export const ConsoleConfig = z.object({
  /** Serve the console at `/`. */
  enabled: z.boolean().default(true),
  /** The built console; default: console/dist of this installation. */
  dir: z.string().optional(),
});
export type ConsoleConfig = z.infer<typeof ConsoleConfig>;

/** Routes of the API and the ingest gateway: never answered with the console's index.html. */
const API_PREFIXES = ['/graphql', '/ingest', '/authz', '/healthz', '/readyz', '/metrics', '/playbooks'];

/** API routes, and the Elasticsearch-compatible ones of the gateway (`/_bulk`, `/<index>/_bulk`, `/_license`). */
export function isApiPath(p: string): boolean {
  return p.startsWith('/_') || p.endsWith('/_bulk') || API_PREFIXES.some((a) => p === a || p.startsWith(`${a}/`));
}

/** A browser navigating (as opposed to a log shipper probing `/` as if it were Elasticsearch). */
function wantsHtml(req: IncomingMessage): boolean {
  return String(req.headers.accept ?? '').includes('text/html');
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt']);

/** The policy for every answer of the console. Styles need the nonce: MUI inserts <style> elements at run time. */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

function securityHeaders(nonce: string): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(nonce),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
}

/** The built console of this installation: console/dist beside the sources, or beside dist/ when running the build. */
export function defaultConsoleDir(): string {
  const candidates = [path.resolve(__dirname, '../console/dist'), path.resolve(__dirname, '../../console/dist')];
  return candidates.find((d) => existsSync(path.join(d, 'index.html'))) ?? candidates[0]!;
}

type Encoding = 'br' | 'gzip' | 'identity';

function encodingFor(req: IncomingMessage): Encoding {
  const accepted = String(req.headers['accept-encoding'] ?? '')
    .split(',')
    .map((s) => s.trim().split(';'))
    .filter(([, q]) => q === undefined || !/^q=0(\.0*)?$/.test(q.trim()))
    .map(([name]) => name!.toLowerCase());
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
  return 'identity';
}

function compress(body: Buffer, enc: Encoding): Buffer {
  if (enc === 'br') return brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } });
  if (enc === 'gzip') return gzipSync(body, { level: 9 });
  return body;
}

export interface ConsoleMount extends HttpMount {
  /** Whether a built console was found. */
  readonly built: boolean;
}

/** The mount that serves a built console from `dir`. */
export function consoleMount(dir: string): ConsoleMount {
  const root = existsSync(dir) ? realpathSync(dir) : path.resolve(dir);
  const built = existsSync(path.join(root, 'index.html'));
  // Files under assets/ never change (their names carry their hash): each is read and compressed once.
  const cache = new Map<string, { body: Buffer; type: string }>();

  const send = (req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer) => {
    res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const plain = (req: IncomingMessage, res: ServerResponse, status: number, text: string) =>
    send(
      req,
      res,
      status,
      { ...securityHeaders(randomBytes(16).toString('base64')), 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      Buffer.from(text),
    );

  const index = async (req: IncomingMessage, res: ServerResponse) => {
    if (!built) return plain(req, res, 503, 'The console is not built: run `npm install` (or `npm --prefix console run build`) and restart.\n');
    const nonce = randomBytes(16).toString('base64');
    const html = (await readFile(path.join(root, 'index.html'), 'utf8')).replaceAll('__CSP_NONCE__', nonce);
    send(req, res, 200, { ...securityHeaders(nonce), 'content-type': TYPES['.html']!, 'cache-control': 'no-store' }, Buffer.from(html));
  };

  const file = async (req: IncomingMessage, res: ServerResponse, rel: string): Promise<boolean> => {
    const full = path.join(root, rel);
    if (full !== root && !full.startsWith(root + path.sep)) return false;
    const ext = path.extname(full).toLowerCase();
    const immutable = rel.startsWith('/assets/');
    const enc = COMPRESSIBLE.has(ext) ? encodingFor(req) : 'identity';
    const key = `${enc}:${full}`;
    let hit = cache.get(key);
    if (!hit) {
      const s = await stat(full).catch(() => null);
      if (!s?.isFile()) return false;
      const body = compress(await readFile(full), enc);
      hit = { body, type: TYPES[ext] ?? 'application/octet-stream' };
      if (immutable) cache.set(key, hit);
    }
    send(
      req,
      res,
      200,
      {
        ...securityHeaders(randomBytes(16).toString('base64')),
        'content-type': hit.type,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        vary: 'accept-encoding',
        ...(enc !== 'identity' ? { 'content-encoding': enc } : {}),
      },
      hit.body,
    );
    return true;
  };

  return {
    prefix: '/',
    built,
    async handle(req, res, url) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const p = url.pathname;
      if (isApiPath(p)) return false;
      // Fluent Bit and Beats probe `GET /` for an Elasticsearch version: the gateway answers them.
      if (p === '/' && !wantsHtml(req)) return false;
      let rel: string;
      try {
        rel = decodeURIComponent(p);
      } catch {
        plain(req, res, 400, 'bad URL encoding\n');
        return true;
      }
      if (rel.includes('\0') || rel.includes('\\') || rel.split('/').includes('..')) {
        plain(req, res, 400, 'bad path\n');
        return true;
      }
      if (rel === '/' || rel === '/index.html') {
        await index(req, res);
        return true;
      }
      if (built && (await file(req, res, path.posix.normalize(rel)))) return true;
      if (rel.startsWith('/assets/')) {
        plain(req, res, 404, 'no such file\n');
        return true;
      }
      // A path with a file extension is a file that is not there; a browser navigating anywhere else is on a page of the app.
      if (path.posix.extname(rel) !== '' || !wantsHtml(req)) return false;
      await index(req, res);
      return true;
    },
  };
}

export const consoleModule = defineModule<ConsoleConfig>({
  name: 'console',
  config: { key: 'console', schema: ConsoleConfig },
  async start(ctx) {
    if (!ctx.config.enabled) return {};
    const mount = consoleMount(ctx.config.dir ?? defaultConsoleDir());
    if (!mount.built) ctx.log.warn({ dir: ctx.config.dir ?? defaultConsoleDir() }, 'the console is not built; `/` explains how to build it');
    return { http: [mount] };
  },
});

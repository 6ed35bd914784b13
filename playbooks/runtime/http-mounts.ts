/**
 * Node-RED's two Express apps mounted on CitySOC's HTTP server under path prefixes:
 * - /playbooks/editor: the editor and admin API. The only place whose Content-Security-Policy is
 *   relaxed (the editor evaluates code and inlines styles); no referrer leaves it (the console
 *   opens it with ?access_token=). Changes other than deploys (which the storage module audits as
 *   playbooks.deploy) pass the door as playbooks.editor_change; telemetry cannot be turned on;
 *   every deploy is a full one.
 * - /playbooks/hooks: HTTP-in nodes, reachable only by a signed-in caller allowed to run
 *   playbooks, each call audited as playbooks.hook.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { EventEmitter } from 'node:events';
import { type Action, defineAction, type Door } from '../../core/door';
import { can } from '../../core/roles';
import { CitySocError, isCitySocError } from '../../core/errors';
import type { HttpMount, RequestContext } from '../../core/module';
import { EDITOR_ROOT, HOOKS_ROOT } from './settings';

type ExpressApp = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** An HttpMount that also takes WebSocket upgrades (the editor's live connection). */
export interface UpgradeMount extends HttpMount {
  readonly upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
}

export const EDITOR_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "worker-src 'self' blob:",
  "frame-ancestors 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

export const HOOKS_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Admin API paths that deploy: the storage module audits those as playbooks.deploy. */
const DEPLOY_PATHS = /^\/(flows|flow)(\/[^/]*)?$/;
const MAX_SETTINGS_BODY = 64 * 1024;

export const editorChange = defineAction({
  name: 'playbooks.editor_change',
  permission: 'playbooks:author',
  resource: (i: { method: string; path: string }) => `editor:${i.method} ${i.path}`,
  run: async (_ctx, i: { method: string; path: string; serve: () => Promise<number> }) => ({ status: await i.serve() }),
});

export const hookCall = defineAction({
  name: 'playbooks.hook',
  permission: 'playbooks:run',
  resource: (i: { method: string; path: string }) => `hook:${i.method} ${i.path}`,
  run: async (ctx, i: { method: string; path: string; serve: () => Promise<number> }) => {
    const status = await i.serve();
    ctx.note({ status });
    return { status };
  },
});

/** The prefix itself or below it: /playbooks/editorX is not the editor's. */
function within(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function serve(app: ExpressApp, req: IncomingMessage, res: ServerResponse): Promise<number> {
  return new Promise((resolve) => {
    const end = () => resolve(res.statusCode);
    res.once('finish', end);
    res.once('close', end);
    app(req, res, (err?: unknown) => {
      if (res.headersSent) return res.end();
      const status = err ? 500 : 404;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          err
            ? { error: 'INTERNAL', message: 'the playbook runtime failed this request' }
            : { error: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` },
        ),
      );
    });
  });
}

function refuse(res: ServerResponse, e: unknown): void {
  if (res.headersSent) return void res.end();
  const code = isCitySocError(e) ? e.code : 'INTERNAL';
  const status = code === 'UNAUTHENTICATED' ? 401 : code === 'FORBIDDEN' || code === 'PASSWORD_CHANGE_REQUIRED' ? 403 : code === 'RATE_LIMITED' ? 429 : 500;
  res.writeHead(status, { 'content-type': 'application/json', ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
  res.end(JSON.stringify({ error: code, message: isCitySocError(e) ? e.message : 'internal error' }));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_SETTINGS_BODY) throw new CitySocError('LIMIT_EXCEEDED', `the settings body is larger than ${MAX_SETTINGS_BODY} bytes`);
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new CitySocError('INPUT_INVALID', 'the settings body is not JSON');
  }
}

export interface MountDeps {
  readonly door: Door;
  /** The deploy action: a caller without its permission is refused (and audited) before Node-RED sees the deploy. */
  readonly deploy: Action<never, unknown>;
  readonly editorApp: () => ExpressApp | null;
  readonly hooksApp: () => ExpressApp;
  /** Where Node-RED listens for WebSocket upgrades (the server object given to RED.init). */
  readonly upgrades: EventEmitter;
}

export function editorMount(d: MountDeps): UpgradeMount {
  return {
    prefix: EDITOR_ROOT,
    upgrade(req, socket, head) {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== `${EDITOR_ROOT}/comms`) return false;
      d.upgrades.emit('upgrade', req, socket, head);
      return true;
    },
    async handle(req, res, url, who: RequestContext) {
      const app = d.editorApp();
      if (!app || !within(url.pathname, EDITOR_ROOT)) return false;
      if (url.pathname === EDITOR_ROOT) {
        res.writeHead(301, { location: `${EDITOR_ROOT}/${url.search}` });
        return void res.end();
      }
      res.setHeader('content-security-policy', EDITOR_CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      res.setHeader('x-frame-options', 'SAMEORIGIN');
      const sub = url.pathname.slice(EDITOR_ROOT.length) || '/';
      req.url = sub + url.search;
      const method = req.method ?? 'GET';
      try {
        if (sub === '/settings/user' && method !== 'GET') {
          const body = await readJson(req);
          if (body && typeof body === 'object' && (body as { telemetryEnabled?: unknown }).telemetryEnabled === true)
            throw new CitySocError('FORBIDDEN', 'telemetry stays off in CitySOC');
          // body-parser skips a request whose body was read already.
          Object.assign(req, { body, _body: true });
        }
        // Every deploy restarts every flow, so every run in flight resumes from the store (a
        // partial deploy would leave some in-memory messages alive and others dropped).
        if (sub === '/flows' && method === 'POST' && req.headers['node-red-deployment-type'] !== 'reload') req.headers['node-red-deployment-type'] = 'full';
        const reads = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
        if (!reads && DEPLOY_PATHS.test(sub) && !(who.actor && can(who.actor.roles, 'playbooks:author'))) {
          // Refused by the door (and audited as a denied deploy); the run never starts.
          await d.door.perform(who.actor, d.deploy, undefined as never, { ...(who.sourceIp ? { sourceIp: who.sourceIp } : {}) });
          throw new CitySocError('FORBIDDEN', 'deploying playbooks needs the permission playbooks:author');
        }
        if (reads || DEPLOY_PATHS.test(sub)) await serve(app, req, res);
        else
          await d.door.perform(
            who.actor,
            editorChange,
            { method, path: sub, serve: () => serve(app, req, res) },
            { ...(who.sourceIp ? { sourceIp: who.sourceIp } : {}) },
          );
      } catch (e) {
        refuse(res, e);
      }
    },
  };
}

export function hooksMount(d: MountDeps): HttpMount {
  return {
    prefix: HOOKS_ROOT,
    async handle(req, res, url, who) {
      if (!within(url.pathname, HOOKS_ROOT)) return false;
      res.setHeader('content-security-policy', HOOKS_CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      const sub = url.pathname.slice(HOOKS_ROOT.length) || '/';
      req.url = sub + url.search;
      try {
        await d.door.perform(
          who.actor,
          hookCall,
          { method: req.method ?? 'GET', path: sub, serve: () => serve(d.hooksApp(), req, res) },
          { ...(who.sourceIp ? { sourceIp: who.sourceIp } : {}) },
        );
      } catch (e) {
        refuse(res, e);
      }
    },
  };
}

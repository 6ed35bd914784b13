/**
 * What the console's browser tests stand on: a real platform (embedded profile, temp data dir,
 * port 0, playbooks on), the console mount in front of it on its own node:http server (the platform does not
 * mount modules yet), loghub samples ingested through the gateway, and Debian's Chromium driven
 * by playwright-core with a fresh profile. Every page fails its test on a console error, a page
 * error or a React warning.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { sharedPath } from '../../core/shared-data';
import { consoleMount } from '../../server/console-module';
import { indexerDrained } from '../../events/indexer';
import { type Running, startTestPlatform } from '../../server/test-support/harness';

export const CONSOLE_DIST = path.resolve(__dirname, '../dist');
export const SCREENSHOTS = path.resolve(__dirname, 'screenshots');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface ConsoleSite {
  readonly running: Running;
  /** Where the browser goes: the console and, proxied, the platform's API. */
  readonly url: string;
  stop(): Promise<void>;
}

/** The console mount in front of the platform: API paths are proxied, the rest served by the mount. */
export async function startConsoleSite(overrides: Record<string, unknown> = {}): Promise<ConsoleSite> {
  const running = await startTestPlatform(undefined, false, { 'playbooks.enabled': true, ...overrides });
  const api = new URL(running.platform.url);
  const mount = consoleMount(CONSOLE_DIST);
  if (!mount.built) throw new Error(`the console is not built in ${CONSOLE_DIST}: run npm --prefix console run build`);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void Promise.resolve(mount.handle(req, res, url, { actor: null, token: null, sourceIp: undefined })).then((handled) => {
      if (handled !== false) return;
      // A fresh connection per request: reusing one the platform is closing as idle resets it mid-answer.
      const up = request(
        { host: api.hostname, port: api.port, path: req.url, method: req.method, headers: { ...req.headers, connection: 'close' }, agent: false },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(up);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    running,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await running.stop();
    },
  };
}

/** Raw sshd lines of the loghub OpenSSH sample, sent as Fluent Bit would, tagged with a department; waits for storage and detection. */
export async function ingestOpenSsh(site: ConsoleSite, lines: string[], department: string, host: string): Promise<void> {
  const p = site.running.platform;
  const token = (await p.identity.issueApiToken(`fluent-bit-${host}`, ['collector'], 'test')).token;
  const body = lines.map((log, i) => JSON.stringify({ date: 1_700_000_000 + i, log })).join('\n');
  const res = await fetch(`${p.url}/ingest/v1/fluent-bit/citysoc.openssh._.${host}?department=${encodeURIComponent(department)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
    body,
  });
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  if (!(await indexerDrained(p.ports.bus, 30_000))) throw new Error('the indexer did not catch up within 30 s');
  await p.ports.events.refresh();
  if (!(await p.analytics.idle(60_000))) throw new Error('analytics did not catch up within 60 s');
}

export function openSshLines(): string[] {
  return readFileSync(sharedPath('data/loghub/OpenSSH/OpenSSH_2k.log'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** A tab that records every console error, page error and React warning in `problems`. */
export type TrackedPage = Page & { problems: string[] };

export interface Browser {
  readonly context: BrowserContext;
  /** A new tab (its own sessionStorage: its own sign-in) that records every console error. */
  page(): Promise<TrackedPage>;
  close(): Promise<void>;
}

/** Console messages that are not failures: Chromium's notes about the absent favicon and DevTools. */
const BENIGN = [/Download the React DevTools/];

export async function launchBrowser(locale = 'zh-CN'): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'citysoc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    locale,
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
  });
  for (const p of context.pages()) await p.close();
  return {
    context,
    async page() {
      const page = (await context.newPage()) as TrackedPage;
      page.problems = [];
      page.on('console', (m) => {
        const text = m.text();
        if (BENIGN.some((re) => re.test(text))) return;
        if (m.type() === 'error' || (m.type() === 'warning' && /Warning|Missing translation|React/i.test(text))) page.problems.push(`${m.type()}: ${text}`);
      });
      page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function signIn(page: Page, site: ConsoleSite, username: string, password: string): Promise<void> {
  await page.goto(`${site.url}/#/login`);
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
}

/** A GraphQL request as the token's user through the platform: its data, or a throw with its errors. */
export async function gqlAs<T>(site: ConsoleSite, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const r = await site.running.gql<T>(query, variables, token);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!;
}

/** Chinese characters: a page in zh-CN shows them where an untranslated one would show English. */
export const CJK = /[\u4e00-\u9fff]/;

/** A screenshot in e2e/screenshots named `name`: the viewport, or the whole page with `fullPage`. */
export async function shot(page: Page, name: string, { fullPage = false }: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}

/**
 * Waits until no request is in flight (for at most `idleMs`: a page may hold a stream open), no
 * loading indicator shows and React has painted.
 */
export async function settled(page: Page, { idleMs = 5_000 }: { idleMs?: number } = {}): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: idleMs }).catch(() => undefined);
  await page.waitForFunction(() => document.querySelectorAll('[role="progressbar"]').length === 0, undefined, { timeout: 30_000 });
  await page.waitForTimeout(300);
}

/** The visible texts of the elements `selector` finds (labels, headers, buttons), each once, bare numbers and times left out. */
export async function visibleLabels(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const texts = [...document.querySelectorAll(sel)]
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .map((el) => (el as HTMLElement).innerText.trim())
      .filter((t) => t !== '' && !/^[\d\s/:.,-]+$/.test(t));
    return [...new Set(texts)];
  }, selector);
}

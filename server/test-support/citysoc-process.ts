/**
 * A real `citysoc up` in a process of its own, for tests that kill it with SIGKILL: started with
 * a data directory and environment, awaited until it listens and is ready, stopped gracefully or
 * killed, its output kept for the failure messages.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { SqliteStateStore } from '../../adapters/sqlite/state-store';
import { loadConfig } from '../../core/config';
import { IdentityStore } from '../../identity/store';
import { type GraphqlReply, graphqlAt } from './harness';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(__dirname, 'citysoc-main.ts');
const READY_WITHIN_MS = 120_000;

export interface CitySocProcess {
  readonly url: string;
  /** The admin's one-time password when this process announced one (the first start of a namespace), else ''. */
  readonly adminPassword: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Everything it printed so far, stdout then stderr. */
  output(): string;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphqlReply<T>>;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, resolved with the exit code. */
  stop(): Promise<number | null>;
}

// Every process a test file started, so that its afterAll can kill what a failed test left running.
const started = new Set<ChildProcess>();

/** Kills (SIGKILL) every process started by this test file that still runs. */
export function killLeftoverProcesses(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  started.clear();
}

/** Whether /readyz answers 200 (listening, started, and its store healthy). */
async function ready(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function startCitySoc(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<CitySocProcess> {
  // node itself with tsx as a loader (not the tsx wrapper, which would survive as the killed parent of the server).
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'up', '--data-dir', dataDir, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, CITYSOC_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => void (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => void (err += c.toString()));
  const output = () => `${out}${err ? `\n--- stderr ---\n${err}` : ''}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => void (gone = true));

  const deadline = Date.now() + READY_WITHIN_MS;
  const fail = (why: string) => {
    child.kill('SIGKILL');
    return new Error(`citysoc up ${why}:\n${output()}`);
  };
  let url: string | undefined;
  for (;;) {
    if (gone) throw fail(`exited with ${child.exitCode ?? child.signalCode} before it was ready`);
    if (Date.now() > deadline) throw fail(`was not ready within ${READY_WITHIN_MS / 1000} s`);
    url ??= /listening on (http:\/\/\S+) /.exec(out)?.[1];
    if (url && (await ready(url))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const at = url;
  const client = graphqlAt(at);
  return {
    url: at,
    adminPassword: /one-time password:\s+(\S+)/.exec(out)?.[1] ?? '',
    exited,
    output,
    gql: client,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Tokens for a collector ('loadgen') and a metrics scraper ('prometheus'), issued straight into
 * an embedded data directory before its process starts.
 */
export async function embeddedTokens(dataDir: string): Promise<{ collector: string; monitor: string }> {
  const config = loadConfig({ env: {}, overrides: { dataDir } });
  const state = new SqliteStateStore(path.join(dataDir, 'state.db'));
  try {
    const identity = await IdentityStore.open(state, config.auth);
    const collector = (await identity.issueApiToken('loadgen', ['collector'], 'test')).token;
    const monitor = (await identity.issueApiToken('prometheus', ['monitor'], 'test')).token;
    return { collector, monitor };
  } finally {
    await state.close();
  }
}

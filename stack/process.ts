import { spawn, type SpawnOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Log = (line: string) => void;

export interface StackContext {
  /** repo root */
  root: string;
  /** <root>/.stack: downloads, engine homes, data, logs, pid files */
  dir: string;
  logDir: string;
  runDir: string;
  log: Log;
}

export function makeContext(root: string, log?: Log): StackContext {
  const dir = path.join(root, '.stack');
  const ctx: StackContext = {
    root,
    dir,
    logDir: path.join(dir, 'logs'),
    runDir: path.join(dir, 'run'),
    log: log ?? (() => undefined),
  };
  fs.mkdirSync(ctx.logDir, { recursive: true });
  fs.mkdirSync(ctx.runDir, { recursive: true });
  return ctx;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------- JDK discovery

export interface Jdk {
  home: string;
  java: string;
  feature: number;
}

function jdkAt(home: string): Jdk | undefined {
  const java = path.join(home, 'bin', 'java');
  if (!fs.existsSync(java)) return undefined;
  let feature: number | undefined;
  try {
    // The release file is the cheap, reliable way to read a JDK's version without starting a JVM.
    const release = fs.readFileSync(path.join(home, 'release'), 'utf8');
    const m = /^JAVA_VERSION="(\d+)(?:\.(\d+))?/m.exec(release);
    if (m?.[1]) feature = m[1] === '1' && m[2] ? Number(m[2]) : Number(m[1]);
  } catch {
    return undefined;
  }
  if (feature === undefined || !fs.existsSync(path.join(home, 'bin', 'javac'))) return undefined;
  return { home, java, feature };
}

let jdkCache: Jdk[] | undefined;

function candidateJdks(): Jdk[] {
  if (jdkCache) return jdkCache;
  const homes = new Set<string>();
  if (process.env.JAVA_HOME) homes.add(path.resolve(process.env.JAVA_HOME));
  for (const base of ['/usr/lib/jvm', '/usr/java', '/opt/java', '/Library/Java/JavaVirtualMachines']) {
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(base);
    } catch {
      continue;
    }
    for (const e of entries.sort()) {
      const home = path.join(base, e);
      homes.add(fs.existsSync(path.join(home, 'Contents', 'Home')) ? path.join(home, 'Contents', 'Home') : home);
    }
  }
  const seen = new Set<string>();
  const jdks: Jdk[] = [];
  for (const home of homes) {
    const jdk = jdkAt(home);
    if (!jdk) continue;
    // /usr/lib/jvm has several symlinked names for one JDK.
    const real = fs.realpathSync(home);
    if (seen.has(real)) continue;
    seen.add(real);
    jdks.push(jdk);
  }
  jdkCache = jdks;
  return jdks;
}

/**
 * A JDK whose feature version is in [min, max]: $JAVA_HOME when it fits, otherwise the oldest
 * installed one that fits, since engines are tested most on the lowest JDK they support.
 */
export function findJdk(min: number, max: number, purpose: string): Jdk {
  const fits = candidateJdks().filter((j) => j.feature >= min && j.feature <= max);
  const envJdk = process.env.JAVA_HOME ? jdkAt(path.resolve(process.env.JAVA_HOME)) : undefined;
  const envHome = envJdk ? fs.realpathSync(envJdk.home) : undefined;
  const preferred = fits.find((j) => envHome !== undefined && fs.realpathSync(j.home) === envHome);
  const chosen = preferred ?? [...fits].sort((a, b) => a.feature - b.feature)[0];
  if (!chosen) {
    const found = candidateJdks()
      .map((j) => `${j.home} (${j.feature})`)
      .join(', ');
    throw new Error(`${purpose} needs a JDK ${min}..${max}; found: ${found || 'none'} (set JAVA_HOME or install one under /usr/lib/jvm)`);
  }
  return chosen;
}

// ---------------------------------------------------------------- running tools

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** appended to this file as well as kept for the error message */
  logFile?: string;
  timeoutMs?: number;
}

/** Runs a command to completion; resolves with stdout, rejects with the output's tail. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const logStream = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    logStream?.write(`\n$ ${cmd} ${args.join(' ')}\n`);
    child.stdout?.on('data', (b: Buffer) => {
      out.push(b);
      logStream?.write(b);
    });
    child.stderr?.on('data', (b: Buffer) => {
      err.push(b);
      logStream?.write(b);
    });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      logStream?.end();
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      logStream?.end();
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) {
        resolve(stdout);
        return;
      }
      const tail = (stdout + Buffer.concat(err).toString('utf8')).split('\n').slice(-30).join('\n');
      reject(new Error(`${path.basename(cmd)} ${args.slice(0, 3).join(' ')} … failed (${signal ?? `exit ${code}`}):\n${tail}`));
    });
  });
}

/** Maven on PATH, run with the given JDK (maven.compiler.release in our poms needs a new enough one). */
export async function mvn(ctx: StackContext, jdk: Jdk, pom: string, goals: string[], props: Record<string, string>, logName: string): Promise<void> {
  const args = ['-B', '-q', '-f', pom, ...goals, ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`)];
  await run('mvn', args, {
    env: { ...process.env, JAVA_HOME: jdk.home },
    logFile: path.join(ctx.logDir, `${logName}.log`),
    timeoutMs: 30 * 60_000,
  });
}

/** A short digest of files, so a rebuild happens when a launcher's sources change. */
export function digestFiles(files: string[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort()) {
    h.update(f);
    h.update(fs.readFileSync(f));
  }
  return h.digest('hex').slice(0, 16);
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'target') out.push(...listFiles(p));
    } else out.push(p);
  }
  return out;
}

/** Marker files record what a fetch produced, so a warm stackUp skips Maven and pip entirely. */
export function isFetched(markerFile: string, key: string): boolean {
  try {
    return fs.readFileSync(markerFile, 'utf8').trim() === key;
  } catch {
    return false;
  }
}

export function markFetched(markerFile: string, key: string): void {
  fs.writeFileSync(markerFile, `${key}\n`);
}

// ---------------------------------------------------------------- daemons

export interface DaemonSpec {
  /** component name: names the pid file, the log file and the JVM marker */
  name: string;
  cmd: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export function pidFile(ctx: StackContext, name: string): string {
  return path.join(ctx.runDir, `${name}.pid`);
}

export function logFile(ctx: StackContext, name: string): string {
  return path.join(ctx.logDir, `${name}.log`);
}

const NAME_MARK = '-Dcitysoc.stack=';
const ROOT_MARK = '-Dcitysoc.stack.root=';

/**
 * Put into every JVM command line: a pid from a stale pid file is only trusted if the process
 * still carries them, and stopDaemon can find our processes even when a pid file is lost.
 * The root makes two checkouts on one machine tell their daemons apart.
 */
export function markers(ctx: StackContext, name: string): string[] {
  return [`${NAME_MARK}${name}`, `${ROOT_MARK}${ctx.root}`];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's arguments, or undefined when it cannot be read (gone, or no /proc). */
function commandLine(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

function cmdlineHasAll(pid: number, needles: string[]): boolean {
  const args = commandLine(pid);
  // Without /proc (macOS) the liveness check has to do.
  if (args === undefined) return process.platform !== 'linux';
  return needles.every((n) => args.includes(n));
}

/** Every other process of the machine (Linux only). */
function otherPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

/** Our daemons of this name found by their command-line markers (Linux only). */
function pidsByMarkers(ctx: StackContext, name: string): number[] {
  if (process.platform !== 'linux') return [];
  const wanted = markers(ctx, name);
  return otherPids().filter((pid) => cmdlineHasAll(pid, wanted));
}

/**
 * A running stack daemon of this name, whichever checkout started it, with that checkout's root
 * (its root marker): the engines one checkout starts are reused by the others, and a daemon is
 * started again from its own checkout. Linux only.
 */
export function findDaemon(name: string): { pid: number; root: string } | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const pid of otherPids()) {
    const args = commandLine(pid);
    if (!args?.includes(`${NAME_MARK}${name}`)) continue;
    const root = args.find((a) => a.startsWith(ROOT_MARK))?.slice(ROOT_MARK.length);
    if (root) return { pid, root };
  }
  return undefined;
}

/** The pid of our running daemon, or undefined (and a stale pid file is removed). */
export function runningPid(ctx: StackContext, name: string): number | undefined {
  const file = pidFile(ctx, name);
  let pid: number;
  try {
    pid = Number(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && cmdlineHasAll(pid, markers(ctx, name))) return pid;
  fs.rmSync(file, { force: true });
  return undefined;
}

/**
 * Starts a daemon in its own session and process group (detached), output appended to its log,
 * pid recorded; it outlives this Node process, and stopDaemon can take the whole group down.
 */
export function spawnDaemon(ctx: StackContext, spec: DaemonSpec): number {
  const logPath = logFile(ctx, spec.name);
  const fd = fs.openSync(logPath, 'a');
  fs.writeSync(fd, `\n==== ${new Date().toISOString()} starting ${spec.name}\n$ ${spec.cmd} ${spec.args.join(' ')}\n`);
  const options: SpawnOptions = {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ['ignore', fd, fd],
  };
  const child = spawn(spec.cmd, spec.args, options);
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.cmd})`);
  child.unref();
  fs.writeFileSync(pidFile(ctx, spec.name), `${child.pid}\n`);
  ctx.log(`[stack] started ${spec.name} (pid ${child.pid}), log ${path.relative(ctx.root, logPath)}`);
  return child.pid;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM to the daemon's process group (JVM shutdown hooks run), SIGKILL if it outstays graceMs. */
export async function stopDaemon(ctx: StackContext, name: string, graceMs = 30_000): Promise<void> {
  const fromFile = runningPid(ctx, name);
  const pids = [...new Set([...(fromFile === undefined ? [] : [fromFile]), ...pidsByMarkers(ctx, name)])];
  for (const pid of pids) {
    ctx.log(`[stack] stopping ${name} (pid ${pid})`);
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(200);
    if (isAlive(pid)) {
      ctx.log(`[stack] ${name} did not stop within ${graceMs} ms, killing`);
      signalGroup(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(100);
    }
  }
  fs.rmSync(pidFile(ctx, name), { force: true });
}

/** Last lines of a daemon's log, for error messages. */
export function logTail(ctx: StackContext, name: string, lines = 25): string {
  try {
    return fs.readFileSync(logFile(ctx, name), 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Polls check() until it returns true. Fails early when the daemon's process has died, with the
 * tail of its log, instead of waiting out the whole timeout.
 */
export async function waitUntil(ctx: StackContext, name: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (runningPid(ctx, name) === undefined) {
      throw new Error(`${name} exited during startup; log tail (${path.relative(ctx.root, logFile(ctx, name))}):\n${logTail(ctx, name)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`${name} not healthy after ${Math.round(timeoutMs / 1000)} s; log tail:\n${logTail(ctx, name)}`);
    }
    await sleep(1000);
  }
}

// ---------------------------------------------------------------- probes

/** GET/POST returning parsed JSON; throws on non-2xx and on timeouts. */
export async function httpJson<T>(url: string, init: { method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(init.timeoutMs ?? 3000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

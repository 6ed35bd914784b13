import { type ChildProcess, spawn } from 'node:child_process';
import { findDaemon, markers, type StackContext } from './process';

/** A name no daemon of a real stack carries. */
const NAME = `process-test-${process.pid}`;
const OTHER_ROOT = '/srv/checkouts/other';

const started: ChildProcess[] = [];

function checkout(root: string): StackContext {
  return { root, dir: `${root}/.stack`, logDir: `${root}/.stack/logs`, runDir: `${root}/.stack/run`, log: () => undefined };
}

/** A stand-in daemon: a Node process whose arguments end with the given ones, once it runs them. */
async function daemon(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1000)', '--', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`the stand-in daemon exited (${signal ?? code})`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map(stop));
});

describe('findDaemon', () => {
  it('finds a daemon by the name of its markers, with the root of the checkout that started it', async () => {
    const d = await daemon(markers(checkout(OTHER_ROOT), NAME));
    expect(findDaemon(NAME)).toEqual({ pid: d.pid, root: OTHER_ROOT });
  });

  it('takes neither a daemon whose name only begins with the one asked for nor a process without a root marker', async () => {
    const longer = await daemon(markers(checkout(OTHER_ROOT), `${NAME}-taskmanager`));
    await daemon([`-Dcitysoc.stack=${NAME}`]);
    expect(findDaemon(NAME)).toBeUndefined();
    expect(findDaemon(`${NAME}-taskmanager`)).toEqual({ pid: longer.pid, root: OTHER_ROOT });
  });

  it('finds nothing once the daemon has exited', async () => {
    const d = await daemon(markers(checkout(OTHER_ROOT), NAME));
    expect(findDaemon(NAME)?.pid).toBe(d.pid);
    await stop(d);
    expect(findDaemon(NAME)).toBeUndefined();
  });
});

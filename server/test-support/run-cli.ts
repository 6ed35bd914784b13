/** Runs `citysoc <args>` in this process and collects what it prints and its exit code. */
import { main } from '../cli';

export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  process.exitCode = undefined;
  const code = await main(['node', 'citysoc', ...args], { out: (s) => void (out += s), err: (s) => void (err += s) });
  process.exitCode = undefined;
  return { code, out, err };
}

/** `citysoc stack up|down|status`: the real engines for the cluster profile and the tests. */
import { CitySocError } from '../core/errors';
import { findCheckout } from './checkout';
import { ENGINE_NAMES, type EngineName, type EngineStatus, stackDown, stackStatus, stackUp } from '../stack';

/** The checkout holding stack/: its launchers are built from source there. */
function stackRoot(): string {
  const root = findCheckout('stack/versions.ts');
  if (!root) throw new CitySocError('UNAVAILABLE', 'citysoc stack needs the CitySOC source tree (stack/ with its launchers); run it from a checkout');
  return root;
}

function parseOnly(only: string | undefined): EngineName[] | undefined {
  if (!only) return undefined;
  const names = only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !ENGINE_NAMES.includes(n as EngineName));
  if (unknown.length) throw new CitySocError('INPUT_INVALID', `--only: unknown engine(s) ${unknown.join(', ')}; known: ${ENGINE_NAMES.join(', ')}`);
  return names as EngineName[];
}

function table(statuses: EngineStatus[]): string {
  return (
    statuses
      .map(
        (s) =>
          `${s.healthy ? 'healthy  ' : 'UNHEALTHY'} ${s.component.padEnd(20)} ${(s.version ?? '-').padEnd(10)} ${s.url}${s.detail && !s.healthy ? `  (${s.detail})` : ''}`,
      )
      .join('\n') + '\n'
  );
}

export async function runStack(verb: 'up' | 'down' | 'status', only: string | undefined, io: { out(s: string): void; err(s: string): void }): Promise<number> {
  const engines = parseOnly(only);
  const opts = { root: stackRoot(), ...(engines ? { only: engines } : {}), log: (line: string) => io.err(line + '\n') };
  if (verb === 'down') {
    await stackDown(opts);
    io.out('stack stopped\n');
    return 0;
  }
  const statuses = verb === 'up' ? await stackUp(opts) : await stackStatus(opts);
  io.out(table(statuses));
  return statuses.every((s) => s.healthy) ? 0 : 1;
}

/**
 * Starts one of the SQLite adapters' threads (`module` in `dir`, by default beside this file).
 * From dist/ it is the compiled module; from the TypeScript sources (tsx, jest) a thread gets no loader of its own, so it
 * registers tsx first.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

export function spawnSqliteWorker(module: string, workerData: unknown, dir: string = __dirname): Worker {
  const compiled = path.join(dir, `${module}.js`);
  if (existsSync(compiled)) return new Worker(compiled, { workerData });
  const source = path.join(dir, `${module}.ts`);
  const tsx = require.resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(source)});`, { eval: true, workerData });
}

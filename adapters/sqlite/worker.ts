/**
 * Starts one of the SQLite adapters' threads. From dist/ it is the compiled module beside this
 * file; from the TypeScript sources (tsx, jest) a thread gets no loader of its own, so it
 * registers tsx first.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

export function spawnSqliteWorker(module: string, workerData: unknown): Worker {
  const compiled = path.join(__dirname, `${module}.js`);
  if (existsSync(compiled)) return new Worker(compiled, { workerData });
  const source = path.join(__dirname, `${module}.ts`);
  const tsx = require.resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(source)});`, { eval: true, workerData });
}

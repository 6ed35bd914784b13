/**
 * The shipped Fluent Bit configurations are checked the way Fluent Bit would read them, plus
 * what CitySOC needs: every parser they name exists, every tag names a CitySOC source, and
 * every output goes to the gateway with the collector token from the environment and
 * filesystem buffering with unlimited retries.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { sourceByName } from '../parsers';

type Section = Record<string, unknown>;
interface FluentBitConfig {
  includes?: string[];
  service?: Section;
  parsers?: Section[];
  multiline_parsers?: (Section & { rules?: Section[] })[];
  pipeline?: { inputs?: Section[]; filters?: Section[]; outputs?: Section[] };
}

const DIR = __dirname;
// Fluent Bit's built-in multiline parsers.
const BUILTIN_MULTILINE = new Set(['docker', 'cri', 'go', 'python', 'java', 'ruby']);
const NODE_CONFIGS = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'multiline.yaml');

function load(file: string): FluentBitConfig {
  const doc = YAML.parseDocument(readFileSync(path.join(DIR, file), 'utf8'), { uniqueKeys: true, strict: true });
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS() as FluentBitConfig;
}

/** The file with its includes merged, as Fluent Bit sees it. */
function resolved(file: string): { cfg: FluentBitConfig; parsers: Set<string>; multiline: Map<string, Section & { rules?: Section[] }> } {
  const cfg = load(file);
  const parts = [cfg, ...(cfg.includes ?? []).map(load)];
  return {
    cfg,
    parsers: new Set(parts.flatMap((p) => (p.parsers ?? []).map((x) => String(x.name)))),
    multiline: new Map(parts.flatMap((p) => (p.multiline_parsers ?? []).map((x) => [String(x.name), x] as const))),
  };
}

const on = (v: unknown) => v === true || v === 'on' || v === 'true';

describe('the Fluent Bit configurations', () => {
  it('cover every node role of a city brain', () => {
    expect(NODE_CONFIGS.sort()).toEqual([
      'data-platform.yaml',
      'database.yaml',
      'linux-host-files.yaml',
      'linux-host.yaml',
      'web-gateway.yaml',
      'windows.yaml',
    ]);
  });

  it('multiline rules compile and have a start state', () => {
    const { multiline } = resolved('linux-host.yaml');
    expect([...multiline.keys()].sort()).toEqual(['citysoc-java', 'citysoc-python']);
    for (const [name, ml] of multiline) {
      expect([name, ml.rules!.some((r) => r.state === 'start_state')]).toEqual([name, true]);
      for (const r of ml.rules!) expect(() => new RegExp(/^\/(.*)\/$/.exec(String(r.regex))![1]!)).not.toThrow();
    }
  });

  it('the Java rule joins a stack trace to the line that starts it', () => {
    const ml = resolved('data-platform.yaml').multiline.get('citysoc-java')!;
    const re = (state: string) => new RegExp(/^\/(.*)\/$/.exec(String(ml.rules!.find((r) => r.state === state)!.regex))![1]!);
    const trace = [
      '2024-03-01 10:00:00,123 ERROR [IPC Server handler 3] org.apache.hadoop.ipc.Server: boom',
      'java.io.IOException: disk gone',
      '\tat org.apache.hadoop.hdfs.X.y(X.java:10)',
      'Caused by: java.lang.IllegalStateException: z',
      '\t... 12 more',
    ];
    expect(re('start_state').test(trace[0]!)).toBe(true);
    expect(trace.slice(1).every((l) => re('java_cont').test(l))).toBe(true);
    expect(re('java_cont').test('2024-03-01 10:00:01,000 INFO [main] org.apache.X: next record')).toBe(false);
  });

  // How many files each node role tails: a config losing its inputs must fail, not pass vacuously.
  const TAIL_INPUTS: Readonly<Record<string, number>> = {
    'data-platform.yaml': 9,
    'database.yaml': 2,
    'linux-host-files.yaml': 3,
    'linux-host.yaml': 1,
    'web-gateway.yaml': 3,
    'windows.yaml': 0,
  };

  describe.each(NODE_CONFIGS)('%s', (file) => {
    const { cfg, parsers, multiline } = resolved(file);
    const inputs = cfg.pipeline?.inputs ?? [];
    const outputs = cfg.pipeline?.outputs ?? [];

    it('buffers on the filesystem', () => {
      expect(cfg.service?.['storage.path']).toEqual(expect.any(String));
      expect(inputs.length).toBeGreaterThan(0);
      for (const i of inputs) expect([i.name, i.tag, i['storage.type']]).toEqual([i.name, i.tag, 'filesystem']);
    });

    it('names only parsers and multiline parsers that exist', () => {
      for (const i of [...inputs, ...(cfg.pipeline?.filters ?? [])]) {
        for (const m of String(i['multiline.parser'] ?? '')
          .split(',')
          .filter(Boolean))
          expect([m, multiline.has(m.trim()) || BUILTIN_MULTILINE.has(m.trim())]).toEqual([m, true]);
        for (const p of String(i.parser ?? '')
          .split(',')
          .filter(Boolean))
          expect([p, parsers.has(p.trim())]).toEqual([p, true]);
      }
    });

    it('tags say source, department and host, and the source is one the gateway knows', () => {
      for (const i of inputs) {
        const m = /^citysoc\.([a-z0-9-]+)\.\$\{CITYSOC_DEPARTMENT\}\.\$\{(HOSTNAME|COMPUTERNAME)\}$/.exec(String(i.tag));
        expect([i.tag, m !== null]).toEqual([i.tag, true]);
        expect([m![1], m![1] === 'auto' || sourceByName(m![1]!) !== undefined]).toEqual([m![1], true]);
      }
    });

    it('tails with file path and offset keys, so retries and duplicates of a line keep one id', () => {
      const tails = inputs.filter((x) => x.name === 'tail');
      expect(tails).toHaveLength(TAIL_INPUTS[path.basename(file)] ?? -1);
      for (const i of tails) expect([i.path_key, i.offset_key, typeof i.db]).toEqual(['file_path', 'file_offset', 'string']);
    });

    it('ships everything to the CitySOC gateway with the token from the environment, TLS and unlimited retries', () => {
      expect(outputs).toHaveLength(1);
      const o = outputs[0]!;
      expect(o).toMatchObject({
        name: 'http',
        match: 'citysoc.*',
        host: '${CITYSOC_GATEWAY_HOST}',
        port: '${CITYSOC_GATEWAY_PORT}',
        uri: '/ingest/v1/fluent-bit',
        format: 'json_lines',
        json_date_key: 'date',
        header_tag: 'X-CitySOC-Tag',
        header: 'Authorization Bearer ${CITYSOC_COLLECTOR_TOKEN}',
      });
      expect([on(o.tls), on(o['tls.verify']), o['tls.ca_file']]).toEqual([true, true, '${CITYSOC_CA_FILE}']);
      expect(['no_limits', 'False', false]).toContain(o.retry_limit);
      expect(o['storage.total_limit_size']).toMatch(/^\d+[MG]$/);
      expect(readFileSync(path.join(DIR, file), 'utf8')).not.toMatch(/cst_|Bearer [A-Za-z0-9]/);
      for (const i of inputs) expect(String(i.tag).startsWith('citysoc.')).toBe(true);
    });
  });

  // Issue 19: what a real Fluent Bit showed, kept as the configs' shape.
  describe('hold under a real Fluent Bit', () => {
    const all = NODE_CONFIGS.map((file) => ({ file, cfg: resolved(file).cfg }));
    const inputsOf = (cfg: FluentBitConfig) => cfg.pipeline?.inputs ?? [];

    it('read what is already there when they start: tail from the head, the journal and Windows logs from their beginning', () => {
      for (const { file, cfg } of all) {
        for (const i of inputsOf(cfg)) {
          if (i.name === 'tail') expect([file, i.tag, i.read_from_head]).toEqual([file, i.tag, true]);
          if (i.name === 'systemd') expect([file, i.read_from_tail]).toEqual([file, 'off']);
          if (i.name === 'winevtlog') expect([file, i.read_existing_events]).toEqual([file, 'on']);
        }
      }
    });

    it('survive kill -9: synced, checksummed chunks on disk for every input, offsets synced, inputs paused rather than dropping', () => {
      for (const { file, cfg } of all) {
        expect([file, cfg.service?.['storage.sync'], cfg.service?.['storage.checksum']]).toEqual([file, 'full', 'on']);
        for (const i of inputsOf(cfg)) {
          expect([file, i.tag, i['storage.type'], i['storage.pause_on_chunks_overlimit']]).toEqual([file, i.tag, 'filesystem', 'on']);
          if (i.name === 'tail') expect([file, i.tag, i['db.sync'], i['db.locking']]).toEqual([file, i.tag, 'full', true]);
        }
      }
    });

    it('two roles can share a node: each has its own monitor port, storage path and position databases', () => {
      const ports = all.map(({ cfg }) => cfg.service?.http_port);
      const storage = all.map(({ cfg }) => String(cfg.service?.['storage.path']));
      const dbs = all.flatMap(({ cfg }) => inputsOf(cfg).flatMap((i) => (i.db ? [String(i.db)] : [])));
      expect(new Set(ports).size).toBe(all.length);
      expect(new Set(storage).size).toBe(all.length);
      expect(new Set(dbs).size).toBe(dbs.length);
      for (const { file, cfg } of all) {
        const role = file.replace('.yaml', '');
        for (const i of inputsOf(cfg)) if (i.db) expect(String(i.db)).toContain(`/${role}/`);
      }
    });

    it('a directory missing on a node is a non-match, not an error every minute: glob(3) runs with GLOB_ERR, so directories below /var/log are patterns', () => {
      for (const { file, cfg } of all) {
        for (const i of inputsOf(cfg).filter((x) => x.name === 'tail')) {
          for (const p of String(i.path).split(',')) {
            if (!/[*?[]/.test(p.split('/').pop()!)) continue;
            const dirs = p.split('/').slice(3, -1);
            expect([file, p, dirs.every((d) => /[*?[]/.test(d))]).toEqual([file, p, true]);
          }
        }
      }
    });

    it('NameNode and DataNode logs go to the hadoop source, which reads both their layouts', () => {
      const { cfg } = resolved('data-platform.yaml');
      const hdfsService = inputsOf(cfg).find((i) => String(i.path).includes('namenode'));
      expect(hdfsService?.tag).toBe('citysoc.hadoop.${CITYSOC_DEPARTMENT}.${HOSTNAME}');
      const hadoop = sourceByName('hadoop')!;
      const ctx = { receivedAt: new Date('2024-01-01T00:00:00Z'), timeZone: 'UTC' };
      expect(hadoop.parse({ kind: 'line', line: '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating' }, ctx).ok).toBe(true);
      expect(hadoop.parse({ kind: 'line', line: '2024-01-01 10:00:00,123 INFO org.apache.hadoop.hdfs.server.namenode.FSNamesystem: ok' }, ctx).ok).toBe(true);
    });

    const fluentBit = spawnSync('sh', ['-c', 'command -v fluent-bit'], { encoding: 'utf8' }).stdout.trim();
    // Fluent Bit is not in Debian's packages: the check runs where an operator has the binary (see README.md).
    (fluentBit ? it.each(NODE_CONFIGS) : it.skip.each(NODE_CONFIGS))('fluent-bit --dry-run accepts %s', (file) => {
      const env = {
        ...process.env,
        CITYSOC_GATEWAY_HOST: '127.0.0.1',
        CITYSOC_GATEWAY_PORT: '8080',
        CITYSOC_COLLECTOR_TOKEN: 't',
        CITYSOC_CA_FILE: '/dev/null',
        CITYSOC_DEPARTMENT: 'd',
        HOSTNAME: 'h',
        COMPUTERNAME: 'h',
      };
      expect(() => execFileSync(fluentBit, ['-c', path.join(DIR, file), '--dry-run'], { env, cwd: DIR, stdio: 'pipe' })).not.toThrow();
    });
  });
});

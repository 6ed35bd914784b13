/**
 * The palette's nodes on node-red-node-test-helper (Node-RED's own flow engine, without the
 * editor): a run engine over a SQLite run store, the test host, a spool bus, and the helper's
 * settings carrying the palette as `RED.settings.citysoc`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SpoolBus } from '../../adapters/embedded/spool-bus';
import { PlaybookCatalog } from '../catalog';
import { Mailer, type MailSettings } from '../palette/mail';
import { createPalette, type Palette } from '../palette/palette';
import { AlertIntake, RiskTrigger } from '../palette/triggers';
import { nodeRedHooks, installRunHooks } from '../runtime/hooks';
import { RunEngine } from '../runs/engine';
import type { RetryPolicy } from '../runs/retry';
import { SqliteRunStore } from '../runs/sqlite-run-store';
import { openTestHost, type TestHost } from './test-host';

// The helper is CommonJS without types; only the calls used here are typed.
export interface NodeTestHelper {
  init(runtimePath: string): void;
  settings(s: Record<string, unknown>): void;
  load(nodes: unknown[], flow: Record<string, unknown>[], credentials?: Record<string, unknown>): Promise<void>;
  getNode(id: string): (Record<string, unknown> & { on(ev: string, cb: (msg: Record<string, unknown>) => void): void; receive(msg: unknown): void }) | null;
  unload(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper = require('node-red-node-test-helper') as NodeTestHelper;
helper.init(require.resolve('node-red'));

/** Core nodes the tests wire between CitySOC nodes (the helper loads only the nodes it is given). */
const core = (file: string) => path.join(path.dirname(require.resolve('@node-red/nodes/package.json')), 'core', file);

export const NODES = [
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(core('sequence/17-split.js')),
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(core('function/15-change.js')),
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(core('parsers/70-JSON.js')),
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(core('function/10-switch.js')),
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../nodes/triggers.js'),
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../nodes/actions.js'),
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../nodes/control.js'),
];

export interface PaletteFixture {
  readonly dir: string;
  readonly t: TestHost;
  readonly bus: SpoolBus;
  readonly store: SqliteRunStore;
  readonly engine: RunEngine;
  readonly catalog: PlaybookCatalog;
  readonly intake: AlertIntake;
  readonly palette: Palette;
  /** Loads a flow (nodes on tab `f1`, enabled by `lead`) and starts taking alerts. */
  load(flow: Record<string, unknown>[], credentials?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function paletteFixture(
  opts: { retry?: RetryPolicy; outboundAllow?: string[]; mail?: MailSettings; firewall?: { url: string; token?: string } } = {},
): Promise<PaletteFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-palette-'));
  const bus = new SpoolBus({ file: path.join(dir, 'bus.db'), pollMs: 20, compactEveryMs: 0 });
  const t = await openTestHost(dir);
  const store = new SqliteRunStore(path.join(dir, 'runs.db'));
  const engine = new RunEngine({ store, retry: opts.retry ?? { attempts: 3, baseMs: 20, maxMs: 100, jitter: 0 }, stepTimeoutMs: 5_000, quietMs: 300 });
  const catalog = await PlaybookCatalog.open(t.state);
  await catalog.setEnabled('f1', true, 'lead', new Date());
  const intake = new AlertIntake(bus, engine, catalog);
  const mailer = opts.mail ? new Mailer(opts.mail) : null;
  const palette = createPalette({
    engine,
    catalog,
    intake,
    risk: new RiskTrigger(t.host, engine, catalog),
    host: t.host,
    door: t.door,
    clock: () => new Date(),
    outbound: { allow: opts.outboundAllow ?? [], timeoutMs: 2_000, maxResponseBytes: 64 * 1024 },
    mailer,
    firewall: opts.firewall ?? null,
    protectedSources: ['127.0.0.0/8', '::1/128'],
    approvalTimeoutHours: 24,
  });
  const removeHooks = installRunHooks(nodeRedHooks(), engine);
  helper.settings({ citysoc: palette });
  return {
    dir,
    t,
    bus,
    store,
    engine,
    catalog,
    intake,
    palette,
    async load(flow, credentials) {
      await helper.load(NODES, flow, credentials ?? {});
      await intake.start();
    },
    async close() {
      engine.stop();
      await intake.stop();
      await helper.unload();
      removeHooks();
      mailer?.close();
      await bus.close();
      await store.close();
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until the check returns a value (not undefined/false), or fails naming what it waited for. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

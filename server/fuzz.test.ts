/**
 * The fuzz suite (security review, "done when"): hostile inputs on every surface the platform
 * listens on — ECS ingest, Fluent Bit, _bulk, syslog TCP and UDP, GraphQL, the PDP — for a bounded
 * time, asserting no 5xx, no internal error, no dropped process, exact accounting (every document
 * an answer promised is in the store, and the store holds exactly what the gateway published) and
 * bounded memory. `npx tsx bench/fuzz.ts` runs the same for 1,000,000 inputs.
 */
import { runFuzz, SURFACES } from './test-support/fuzz-run';
import { adminSession, signInAs, startTestPlatform, type Running } from './test-support/harness';

const MS_PER_SURFACE = Number(process.env.CITYSOC_FUZZ_MS ?? 5000);
jest.setTimeout(MS_PER_SURFACE * 12 + 120_000);

describe('fuzzing every input surface', () => {
  let r: Running;
  beforeAll(async () => {
    r = await startTestPlatform(undefined, false, {
      'ingest.syslog.tcpPort': 0,
      'ingest.syslog.udpPort': 0,
      'server.limits.callsPerSecond': 10_000,
      'server.limits.decisionsPerSecond': 100_000,
    });
  }, 120_000);
  afterAll(async () => r.stop());

  it('answers every hostile input without a 5xx or an internal error, stores exactly what it acknowledged, and stays within memory', async () => {
    const admin = await adminSession(r);
    const analyst = await signInAs(r, admin, 'fz-analyst', 'analyst', '城管');
    const pdpToken = (await r.platform.identity.issueApiToken('fz-pdp', ['pdp'], 'fuzz')).token;
    const seed = Number(process.env.CITYSOC_FUZZ_SEED ?? Date.now() % 100_000);
    const report = await runFuzz({ platform: r.platform, pdpToken, sessions: [admin, analyst] }, { msPerSurface: MS_PER_SURFACE, maxInputs: 1_000_000, seed });
    const context = `seed ${seed} (CITYSOC_FUZZ_SEED=${seed} repeats it)`;

    expect({ context, failures: report.failures.slice(0, 5) }).toEqual({ context, failures: [] });
    // every surface was really exercised, and the ingest routes really stored things
    for (const s of SURFACES) expect({ s, exercised: report.surfaces[s].inputs > 10 }).toEqual({ s, exercised: true });
    for (const s of ['events', 'fluent-bit', 'bulk'] as const) expect({ s, stored: report.surfaces[s].promised > 0 }).toEqual({ s, stored: true });
    // every item is unique (a nonce in each), so none is a repeat of another
    for (const s of ['events', 'fluent-bit', 'bulk'] as const) expect({ s, context, repeats: report.surfaces[s].repeats }).toEqual({ s, context, repeats: 0 });
    // exact accounting: each ingest route stored exactly the documents its answers promised (events and dead letters)...
    for (const s of ['events', 'fluent-bit', 'bulk'] as const) {
      const { promised, stored } = report.surfaces[s];
      expect({ s, context, stored }).toEqual({ s, context, stored: promised });
    }
    // ...and the store holds exactly what the gateway published on every surface, syslog included
    const stored = report.storedAfter - report.storedBefore;
    expect({ context, stored }).toEqual({ context, stored: report.published });
    const http = report.surfaces.events.stored + report.surfaces['fluent-bit'].stored + report.surfaces.bulk.stored;
    expect(stored).toBeGreaterThan(http); // syslog frames were stored too
    // bounded memory: the run's peak stays within 1 GiB of where it started
    expect(report.rss.peak - report.rss.before).toBeLessThan(1024 * 1024 * 1024);
    // and the platform still serves
    expect((await fetch(`${r.platform.url}/healthz`)).status).toBe(200);
    expect((await r.gql<{ events: { total: number } }>('{events(size:0){total}}', {}, admin)).data!.events.total).toBeGreaterThan(0);
  });
});

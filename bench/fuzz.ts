/**
 * The long fuzz run: the inputs of the fuzz suite (server/fuzz.test.ts) until each surface has had
 * BENCH_FUZZ_INPUTS inputs (default 1,000,000 in all, spread over the seven surfaces) or
 * BENCH_FUZZ_MINUTES per surface pass. Prints progress, the answers by status, the failures with
 * the inputs that caused them, the accounting and the peak RSS; exits 1 on a failure or a
 * count that does not add up.
 *
 *   npx tsx bench/fuzz.ts                 # 1,000,000 inputs
 *   BENCH_FUZZ_INPUTS=70000 npx tsx bench/fuzz.ts
 */
import { runFuzz, SURFACES } from '../server/test-support/fuzz-run';
import { adminSession, signInAs, startTestPlatform } from '../server/test-support/harness';

const total = Number(process.env.BENCH_FUZZ_INPUTS ?? 1_000_000);
const perSurface = Math.ceil(total / SURFACES.length);
const minutes = Number(process.env.BENCH_FUZZ_MINUTES ?? 600);
const seed = Number(process.env.BENCH_FUZZ_SEED ?? 1);

async function main(): Promise<void> {
  const r = await startTestPlatform(undefined, false, {
    'ingest.syslog.tcpPort': 0,
    'ingest.syslog.udpPort': 0,
    'server.limits.callsPerSecond': 100_000,
    'server.limits.decisionsPerSecond': 1_000_000,
  });
  try {
    const admin = await adminSession(r);
    const analyst = await signInAs(r, admin, 'fz-analyst', 'analyst', '城管');
    const pdpToken = (await r.platform.identity.issueApiToken('fz-pdp', ['pdp'], 'fuzz')).token;
    const started = Date.now();
    let last = 0;
    const report = await runFuzz(
      { platform: r.platform, pdpToken, sessions: [admin, analyst] },
      {
        msPerSurface: minutes * 60_000,
        maxInputs: perSurface,
        seed,
        onProgress: (s, n) => {
          if (Date.now() - last < 5000) return;
          last = Date.now();
          process.stderr.write(
            `[fuzz] ${s}: ${n.toLocaleString('en')} / ${perSurface.toLocaleString('en')} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
          );
        },
      },
    );
    const secs = (Date.now() - started) / 1000;
    const inputs = SURFACES.reduce((a, s) => a + report.surfaces[s].inputs, 0);
    console.log(`fuzz: ${inputs.toLocaleString('en')} inputs in ${secs.toFixed(0)} s, seed ${seed}`);
    for (const s of SURFACES) {
      const x = report.surfaces[s];
      console.log(
        `  ${s.padEnd(11)} ${String(x.inputs).padStart(9)} inputs  answers ${JSON.stringify(x.statuses)}${x.promised ? `  promised ${x.promised} stored ${x.stored} repeats ${x.repeats}` : ''}`,
      );
    }
    const stored = report.storedAfter - report.storedBefore;
    console.log(`  store: ${stored} new documents, gateway published ${report.published}`);
    console.log(`  RSS: ${(report.rss.before / 2 ** 20).toFixed(0)} MiB before, peak ${(report.rss.peak / 2 ** 20).toFixed(0)} MiB`);
    const wrong = ['events', 'fluent-bit', 'bulk'].filter((s) => report.surfaces[s as 'bulk'].promised !== report.surfaces[s as 'bulk'].stored);
    for (const f of report.failures.slice(0, 20)) console.log(`  FAILURE ${f.surface}: ${f.what}\n    input: ${f.input}`);
    if (report.failures.length || wrong.length || stored !== report.published) {
      console.log(
        `FAILED: ${report.failures.length} failures; accounting off on: ${[...wrong, ...(stored !== report.published ? ['store vs published'] : [])].join(', ') || 'none'}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await r.stop();
  }
}

void main();

/** Waiting for running processes to finish their backlog, as their Prometheus metrics tell it. */

export interface IdleOptions {
  /**
   * How many analytics groups each process must report before it counts as idle (so that a group
   * not yet started is not taken for one without lag). Unset: at least one lag series of any kind.
   */
  readonly analyticsGroups?: number;
  readonly timeoutMs?: number;
}

const LAG = /citysoc_(analytics|bus)_lag_messages\{[^}]*\} (\d+)/g;

/** Until every analytics group and the bus have no lag on every process at `urls`. */
export async function untilAnalyticsIdle(urls: readonly string[], monitor: string, opts: IdleOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let quiet = true;
    const told: string[] = [];
    for (const url of urls) {
      const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${monitor}` } })).text();
      const lags = [...text.matchAll(LAG)];
      told.push(...lags.map((m) => m[0]));
      const analytics = lags.filter((m) => m[1] === 'analytics').length;
      const reported = opts.analyticsGroups === undefined ? lags.length > 0 : analytics === opts.analyticsGroups;
      if (!reported || lags.some((m) => m[2] !== '0')) quiet = false;
    }
    if (quiet) return;
    if (Date.now() > deadline) throw new Error(`analytics did not catch up in ${timeoutMs / 1000} s: ${told.join(', ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

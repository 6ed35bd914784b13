/**
 * The stream the analytics fault tests send: 20,000 sshd failures of a brute-force scenario, in
 * Fluent Bit batches of 500 posted to a gateway.
 */
export const TOTAL = 20_000;
export const BATCH = 500;

/**
 * Half a day of sshd failures at one host, one event every 2 s of event time: in every fifth
 * stretch of 200 events one address guesses (a brute force that fires again and again), otherwise
 * 40 addresses fail now and then (below any threshold). Deterministic.
 */
export function scenario(opts: { rootLoginEvery?: number } = {}): string[] {
  const out: string[] = [];
  const start = Date.UTC(2026, 10, 20, 0, 0, 0);
  for (let i = 0; i < TOTAL; i++) {
    const burst = Math.floor(i / 200) % 5 === 0;
    const ip = burst ? `10.9.66.${Math.floor(i / 1000)}` : `10.9.${(i * 7) % 40}.7`;
    const t = new Date(start + i * 2000);
    const stamp = `Nov ${t.getUTCDate()} ${t.toISOString().slice(11, 19)}`;
    // With rootLoginEvery, now and then a guess succeeds: a single-event alert that grows with every such login.
    const success = opts.rootLoginEvery !== undefined && i % opts.rootLoginEvery === opts.rootLoginEvery - 1;
    out.push(`${stamp} LabSZ sshd[${1000 + (i % 500)}]: ${success ? 'Accepted' : 'Failed'} password for root from ${ip} port ${20000 + i} ssh2`);
  }
  return out;
}

export const bodyOf = (lines: string[], b: number) =>
  lines
    .slice(b * BATCH, (b + 1) * BATCH)
    .map((log, i) => JSON.stringify({ date: 1_763_596_800 + b * BATCH + i, log }))
    .join('\n');

/** Whether the gateway acknowledged the batch; what it answered otherwise goes to `refused`. */
export async function post(url: string, token: string, body: string, refused?: (why: string) => void): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ingest/v1/fluent-bit/citysoc.openssh.cg.LabSZ`, { method: 'POST', body, headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) refused?.(`${res.status} ${(await res.text()).slice(0, 300)}`);
    return res.status === 200;
  } catch (e) {
    refused?.(String(e));
    return false;
  }
}

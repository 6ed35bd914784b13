/**
 * The independent answer for the SSH brute-force rule on a raw sshd log: the source addresses with
 * ≥ 10 "Failed password" lines within 5 minutes, counted with a plain regex, not with our parser.
 */
export function bruteForceIps(lines: readonly string[], year = new Date().getUTCFullYear()): string[] {
  const byIp = new Map<string, number[]>();
  for (const l of lines) {
    const m = /^(\w{3}\s+\d+ \d\d:\d\d:\d\d) \S+ sshd\[\d+\]: Failed password for (?:invalid user )?\S+ from (\d+\.\d+\.\d+\.\d+)/.exec(l);
    if (m) byIp.set(m[2]!, [...(byIp.get(m[2]!) ?? []), Date.parse(`${m[1]} ${year} UTC`)]);
  }
  return [...byIp]
    .filter(([, ts]) => ts.some((t) => ts.filter((u) => u >= t && u < t + 300_000).length >= 10))
    .map(([ip]) => ip)
    .sort();
}

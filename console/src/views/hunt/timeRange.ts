/** The hunt's time picker: presets relative to now, or an absolute range; and a histogram interval for it. */
export const PRESETS = ['15m', '1h', '24h', '7d', '30d', '1y', 'all', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, y: 365 * 86_400_000 } as const;

function durationMs(d: string): number {
  const m = /^(\d+)([smhdy])$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** ISO bounds for a preset at `now`; 'all' has none, 'custom' takes the given local datetimes. */
export function boundsOf(preset: Preset, now: Date, custom: { from?: string; to?: string } = {}): { from?: string; to?: string } {
  if (preset === 'all') return {};
  if (preset === 'custom') {
    const iso = (local?: string) => (local ? new Date(local).toISOString() : undefined);
    const from = iso(custom.from);
    const to = iso(custom.to);
    return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  }
  return { from: new Date(now.getTime() - durationMs(preset)).toISOString(), to: now.toISOString() };
}

const STEPS = ['1s', '5s', '10s', '30s', '1m', '5m', '10m', '30m', '1h', '3h', '6h', '12h', '1d', '7d', '30d'] as const;

/** The smallest step giving at most `buckets` bars over the span. */
export function intervalFor(spanMs: number, buckets = 60): string {
  for (const s of STEPS) if (spanMs / durationMs(s) <= buckets) return s;
  return STEPS[STEPS.length - 1]!;
}

/**
 * The minimal ingest path: ECS JSON events from an authenticated collector, validated at the
 * edge, published durably to the bus, acknowledged only then. Invalid events are kept as dead
 * letters and reported per line. (Fluent Bit, _bulk and syslog inputs build on this.)
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical';
import { describeIssues, EcsEvent } from '../core/event';
import type { Bus } from '../core/ports';
import { deadLetterEvent } from '../collectors/pipeline/dead-letter';

export interface IngestResult {
  readonly accepted: number;
  readonly deadLettered: number;
  readonly errors: { readonly line: number; readonly reason: string }[];
}

/** Same content, same id: a collector's retry of an acknowledged batch stores nothing twice. */
export function contentId(doc: unknown): string {
  return createHash('sha256').update(canonicalJson(doc)).digest('hex').slice(0, 32);
}

export function parseBody(body: string): { line: number; raw: string; value?: unknown; error?: string }[] {
  const trimmed = body.trim();
  if (trimmed.startsWith('[')) {
    try {
      const arr = JSON.parse(trimmed) as unknown[];
      return arr.map((v, i) => ({ line: i + 1, raw: JSON.stringify(v), value: v }));
    } catch (e) {
      return [{ line: 1, raw: trimmed, error: `body is not valid JSON: ${(e as Error).message}` }];
    }
  }
  return body
    .split('\n')
    .map((raw, i) => ({ raw, line: i + 1 }))
    .filter((l) => l.raw.trim() !== '')
    .map((l) => {
      try {
        return { ...l, value: JSON.parse(l.raw) as unknown };
      } catch (e) {
        return { ...l, error: `not valid JSON: ${(e as Error).message}` };
      }
    });
}

export async function ingestEvents(
  bus: Bus,
  body: string,
  collector: string,
  now: Date = new Date(),
  onEvent?: (event: EcsEvent) => void,
): Promise<IngestResult> {
  const good: EcsEvent[] = [];
  const letters: EcsEvent[] = [];
  const errors: { line: number; reason: string }[] = [];
  for (const item of parseBody(body)) {
    let reason = item.error;
    if (!reason) {
      const doc = item.value as Record<string, unknown>;
      const withId =
        doc && typeof doc === 'object' && !Array.isArray(doc)
          ? { ...doc, event: { ...(doc.event as object), id: ((doc.event as { id?: string })?.id ?? contentId(doc)) as string, ingested: now.toISOString() } }
          : doc;
      const parsed = EcsEvent.safeParse(withId);
      if (parsed.success) {
        const event = { ...parsed.data, citysoc: { ...parsed.data.citysoc, collector } };
        good.push(event);
        onEvent?.(event);
        continue;
      }
      reason = describeIssues(parsed.error);
    }
    errors.push({ line: item.line, reason });
    letters.push(
      deadLetterEvent({
        original: item.raw,
        error: `line ${item.line}: ${reason}`,
        source: 'ecs',
        collector,
        receivedAt: now,
        position: `line:${item.line}`,
        type: 'invalid_event',
      }),
    );
  }
  const all = [...good, ...letters];
  // Keyed by host so one host's events stay in order on every bus.
  await bus.publish(
    'citysoc.events',
    all.map((e) => ({ key: ((e as { host?: { name?: string } }).host?.name ?? collector) as string, value: e })),
  );
  return { accepted: good.length, deadLettered: letters.length, errors };
}

/**
 * The last step before any store: one nested shape, canonical IP text (so `::0001` and `::1`
 * are one value in every engine), and the minimum a store needs (an id and a valid time).
 */
import { type Doc, getField, setField, unflatten } from './doc';
import type { EcsEvent } from './event';
import { FIELDS } from './fields';
import { canonicalIp } from './query/ip';

/** What Elasticsearch and OpenSearch accept as a document id; every store holds to the same limit. */
const MAX_ID_BYTES = 512;

const IP_FIELDS = Object.entries(FIELDS)
  .filter(([, s]) => s.type === 'ip')
  .map(([f]) => f);

/**
 * `ts` is the event's own time (@timestamp); `ingested` when CitySOC received it (event.ingested,
 * else the event's time), which retention counts from: replayed history is kept as long as fresh data.
 */
export type Prepared = { ok: true; event: EcsEvent; id: string; ts: number; ingested: number } | { ok: false; id: string; reason: string };

export function prepareEvent(input: Doc): Prepared {
  const doc = unflatten(input);
  const id = getField(doc, 'event.id');
  if (typeof id !== 'string' || id === '') return { ok: false, id: '', reason: 'event.id: missing; every stored event needs an id' };
  // Up to 170 UTF-16 units can never exceed 510 bytes, so only a longer id is measured.
  if (id.length > 170 && Buffer.byteLength(id) > MAX_ID_BYTES)
    return { ok: false, id: id.slice(0, 64), reason: `event.id: ${Buffer.byteLength(id)} bytes; a stored event's id is at most ${MAX_ID_BYTES} bytes` };
  const t = doc['@timestamp'];
  const ts = typeof t === 'string' ? Date.parse(t) : NaN;
  if (Number.isNaN(ts)) return { ok: false, id, reason: `@timestamp: ${JSON.stringify(t)} is not an ISO 8601 date` };
  for (const f of IP_FIELDS) {
    const v = getField(doc, f);
    if (typeof v === 'string') {
      const c = canonicalIp(v);
      if (c === null) return { ok: false, id, reason: `${f}: '${v}' is not an IP address` };
      if (c !== v) setField(doc, f, c);
    } else if (Array.isArray(v)) {
      const out: string[] = [];
      for (const x of v) {
        const c = typeof x === 'string' ? canonicalIp(x) : null;
        if (c === null) return { ok: false, id, reason: `${f}: ${JSON.stringify(x)} is not an IP address` };
        out.push(c);
      }
      setField(doc, f, out);
    }
  }
  const got = getField(doc, 'event.ingested');
  const ingestedMs = typeof got === 'string' ? Date.parse(got) : NaN;
  return { ok: true, event: doc as EcsEvent, id, ts, ingested: Number.isNaN(ingestedMs) ? ts : ingestedMs };
}

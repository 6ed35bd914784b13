/**
 * Documents that are already ECS (Beats, Logstash with ecs_compatibility, Elastic Agent) and
 * whose message no line source recognises: kept as sent, categorization included.
 */
import { getField } from '../../core/doc';
import { FIELDS } from '../../core/fields';
import type { LogSource, RawInput } from './source';
import { fail, ok } from './event-doc';
import { isObject, jsonRecord, peekRecord } from './json-input';

export const ecsDocument: LogSource = {
  name: 'ecs',
  description: 'Documents already in ECS (Beats, Logstash, Elastic Agent): kept as sent',
  detect(input: RawInput): boolean {
    const r = peekRecord(input);
    return r !== undefined && typeof r['@timestamp'] === 'string' && (isObject(r.ecs) || isObject(r.agent));
  },
  parse(input: RawInput) {
    const j = jsonRecord(input);
    if (!j.ok) return fail(j.error);
    if (typeof j.record['@timestamp'] !== 'string') return fail('an ECS document needs "@timestamp" as a string');
    const wrong = typeProblem(j.record);
    if (wrong) return fail(wrong);
    const doc = structuredClone(j.record);
    const event = isObject(doc.event) ? doc.event : {};
    return ok({ ...doc, event: { kind: 'event', ...event } });
  },
};

const JS_TYPE = { keyword: 'string', text: 'string', ip: 'string', date: 'string', long: 'number', double: 'number', boolean: 'boolean' } as const;

/**
 * A catalogued field of the wrong type (`host.name: {}`, `source.port: "x"`) is the sender's
 * error, said by name; left in, it would be dropped as empty or refused by a store later.
 */
function typeProblem(doc: Record<string, unknown>): string | undefined {
  for (const [field, spec] of Object.entries(FIELDS)) {
    const v = getField(doc, field);
    if (v === undefined || v === null) continue;
    const want = JS_TYPE[spec.type];
    const values = Array.isArray(v) ? v : [v];
    const bad = values.find((x) => typeof x !== want);
    if (bad !== undefined)
      return `${field} must be a ${want === 'string' ? 'text' : want}, got ${Array.isArray(bad) ? 'array' : bad === null ? 'null' : typeof bad}`;
  }
  return undefined;
}

/**
 * Documents that are already ECS (Beats, Logstash with ecs_compatibility, Elastic Agent) and
 * whose message no line source recognises: kept as sent, categorization included.
 */
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
    const doc = structuredClone(j.record);
    const event = isObject(doc.event) ? doc.event : {};
    return ok({ ...doc, event: { kind: 'event', ...event } });
  },
};

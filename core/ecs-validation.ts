/**
 * EcsEvent validation on the ingest hot path. `EcsEvent.safeParse` allocates a result and an
 * issue list per field of every event; almost every event is valid, so a hand-compiled check
 * decides the common case and builds the same output zod would (a copy with the schema's keys
 * first, in schema order, then the other keys; `__proto__` dropped). Anything it is not certain
 * zod accepts — a wrong type, a long or one-character text, an object that is not a plain
 * object — goes to zod itself, so accepted events, refused events and error texts are zod's.
 * The mirror must follow EcsEvent: a test compares its keys with the schema's and both
 * validators on hostile inputs.
 */
import type { ZodError } from 'zod';
import { type Doc } from './doc';
import { CLASSIFICATIONS, DATA_ACTIONS, EcsEvent, EVENT_KINDS, EVENT_OUTCOMES, MAX_EVENT_ID } from './event';

/** A field's check: true only when zod certainly accepts the value. */
type Check = (v: unknown) => boolean;

interface Field {
  readonly key: string;
  readonly required?: boolean;
  readonly check?: Check;
  /** A nested loose object (copied like zod copies it). */
  readonly object?: Shape;
  /** A text or an array of texts; arrays are copied. */
  readonly array?: 'always' | 'or-keyword';
}

interface Shape {
  readonly fields: readonly Field[];
  readonly keys: ReadonlySet<string>;
}

const MAX_KEYWORD = 32_766;
// Only lengths in UTF-16 units that zod reads the same way: it counts code points beyond the
// maximum and for one-unit texts under min(1); those go to zod.
const isKeyword: Check = (v) => typeof v === 'string' && v.length <= MAX_KEYWORD;
const isEventId: Check = (v) => typeof v === 'string' && v.length >= 2 && v.length <= MAX_EVENT_ID;
const isText: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isInt: Check = (v) => Number.isSafeInteger(v);
const isCount: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const isBoolean: Check = (v) => typeof v === 'boolean';
const oneOf = (values: readonly string[]): Check => {
  const set = new Set<unknown>(values);
  return (v) => set.has(v);
};
// The schema's own pattern, so the two cannot disagree on what a timestamp is.
const TIMESTAMP = (EcsEvent.shape['@timestamp'] as unknown as { _zod: { def: { pattern: RegExp } } })._zod.def.pattern;
const isTimestamp: Check = (v) => typeof v === 'string' && TIMESTAMP.test(v);

const shape = (fields: Field[]): Shape => ({ fields, keys: new Set(fields.map((f) => f.key)) });

export const ECS_SHAPE: Shape = shape([
  { key: '@timestamp', required: true, check: isTimestamp },
  { key: 'message', check: isText },
  { key: 'tags', array: 'always' },
  {
    key: 'event',
    required: true,
    object: shape([
      { key: 'id', required: true, check: isEventId },
      { key: 'kind', check: oneOf(EVENT_KINDS) },
      { key: 'category', array: 'or-keyword' },
      { key: 'type', array: 'or-keyword' },
      { key: 'action', check: isKeyword },
      { key: 'outcome', check: oneOf(EVENT_OUTCOMES) },
      { key: 'dataset', check: isKeyword },
      { key: 'module', check: isKeyword },
      { key: 'original', check: isText },
      { key: 'severity', check: isNumber },
      { key: 'ingested', check: isTimestamp },
      { key: 'created', check: isTimestamp },
    ]),
  },
  { key: 'host', object: shape([{ key: 'name', check: isKeyword }]) },
  {
    key: 'user',
    object: shape([
      { key: 'name', check: isKeyword },
      { key: 'id', check: isKeyword },
    ]),
  },
  {
    key: 'source',
    object: shape([
      { key: 'ip', check: isKeyword },
      { key: 'port', check: isInt },
    ]),
  },
  {
    key: 'destination',
    object: shape([
      { key: 'ip', check: isKeyword },
      { key: 'port', check: isInt },
    ]),
  },
  {
    key: 'organization',
    object: shape([
      { key: 'id', check: isKeyword },
      { key: 'name', check: isKeyword },
    ]),
  },
  {
    key: 'citysoc',
    object: shape([
      { key: 'source', check: isKeyword },
      { key: 'collector', check: isKeyword },
      { key: 'dead_letter', check: isBoolean },
      {
        key: 'data',
        object: shape([
          { key: 'resource', check: isKeyword },
          { key: 'dataset', check: isKeyword },
          { key: 'classification', check: oneOf(CLASSIFICATIONS) },
          { key: 'owner_department', check: isKeyword },
          { key: 'action', check: oneOf(DATA_ACTIONS) },
          { key: 'records', check: isCount },
          { key: 'bytes', check: isCount },
          { key: 'platform', check: isKeyword },
        ]),
      },
    ]),
  },
]);

/** Marks "not certain": the caller hands the event to zod. */
const UNSURE = Symbol('unsure');

function copyKeywords(v: unknown, array: 'always' | 'or-keyword'): unknown {
  if (array === 'or-keyword' && isKeyword(v)) return v;
  if (!Array.isArray(v)) return UNSURE;
  for (let i = 0; i < v.length; i++) if (!isKeyword(v[i])) return UNSURE;
  return v.slice();
}

function copyObject(o: unknown, s: Shape): unknown {
  // Plain objects only: zod treats other prototypes its own way, and an inherited key would
  // make `in` and for-in read what the object does not own.
  if (typeof o !== 'object' || o === null || Object.getPrototypeOf(o) !== Object.prototype) return UNSURE;
  const input = o as Doc;
  const out: Doc = {};
  for (const f of s.fields) {
    if (!(f.key in input)) {
      if (f.required) return UNSURE;
      continue;
    }
    const v = input[f.key];
    if (v === undefined) {
      if (f.required) return UNSURE;
      out[f.key] = undefined;
      continue;
    }
    const copied = f.object ? copyObject(v, f.object) : f.array ? copyKeywords(v, f.array) : f.check!(v) ? v : UNSURE;
    if (copied === UNSURE) return UNSURE;
    out[f.key] = copied;
  }
  for (const k in input) if (!s.keys.has(k) && k !== '__proto__') out[k] = input[k];
  return out;
}

export type EcsValidation = { success: true; data: EcsEvent; error?: never } | { success: false; data?: never; error: ZodError };

/** Same answer as `EcsEvent.safeParse(doc)`, without zod's per-field cost for valid events. */
export function validateEcsEvent(doc: unknown): EcsValidation {
  const copied = copyObject(doc, ECS_SHAPE);
  if (copied !== UNSURE) return { success: true, data: copied as EcsEvent };
  const r = EcsEvent.safeParse(doc);
  return r.success ? { success: true, data: r.data } : { success: false, error: r.error };
}

/** JSON sources accept either a record the transport already decoded or one JSON text line. */
import { type Doc, isPlainObject } from '../../core/doc';
import type { RawInput } from './source';

export type JsonInput = { readonly ok: true; readonly record: Doc } | { readonly ok: false; readonly error: string };

export const isObject = isPlainObject;

export function jsonRecord(input: RawInput): JsonInput {
  if (input.kind === 'record') return { ok: true, record: input.record };
  const text = input.line.trim();
  if (!text.startsWith('{')) return { ok: false, error: 'not a JSON object: the line does not start with "{"' };
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? { ok: true, record: v } : { ok: false, error: 'not a JSON object' };
  } catch (e) {
    return { ok: false, error: `invalid JSON: ${(e as Error).message}` };
  }
}

/** Cheap pre-check for detect(): decodes only lines that could be JSON objects. */
export function peekRecord(input: RawInput): Doc | undefined {
  if (input.kind === 'line' && !input.line.trimStart().startsWith('{')) return undefined;
  const r = jsonRecord(input);
  return r.ok ? r.record : undefined;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

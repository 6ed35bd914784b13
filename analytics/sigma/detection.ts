// The `detection` section: search identifiers (maps, lists of maps, keyword lists) and conditions.
import { parseCondition } from './condition';
import { SigmaParseError, type SigmaWarning } from './errors';
import type { ConditionNode, Detection, FieldCondition, SearchIdentifier } from './model';
import { buildFieldCondition, parseFieldKey } from './modifiers';

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Keys of `detection` that are not search identifiers. */
const RESERVED = new Set(['condition', 'timeframe']);

export function parseDetection(section: unknown, path: string, warnings: SigmaWarning[]): Detection {
  if (!isMap(section)) throw new SigmaParseError('invalid-detection', 'detection must be a map of search identifiers and a condition', { path });
  const identifiers: Record<string, SearchIdentifier> = {};
  for (const [name, body] of Object.entries(section)) {
    if (RESERVED.has(name)) continue;
    identifiers[name] = parseSearchIdentifier(name, body, `${path}.${name}`, warnings);
  }
  if ('timeframe' in section) {
    warnings.push({
      code: 'timeframe-ignored',
      message: "detection 'timeframe' only applies to legacy aggregations and is ignored",
      path: `${path}.timeframe`,
    });
  }
  const raw = section.condition;
  const texts =
    typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.length > 0 && raw.every((c) => typeof c === 'string') ? (raw as string[]) : undefined;
  if (!texts) throw new SigmaParseError('missing-condition', 'detection needs a condition (a string or a list of strings)', { path: `${path}.condition` });
  const names = Object.keys(identifiers);
  const conditions: ConditionNode[] = texts.map((t, i) => parseCondition(t, names, texts.length > 1 ? `${path}.condition[${i}]` : `${path}.condition`));
  return { identifiers, conditions, conditionText: texts };
}

export function parseSearchIdentifier(name: string, body: unknown, path: string, warnings: SigmaWarning[]): SearchIdentifier {
  const anyOf: FieldCondition[][] = [];
  if (isMap(body)) {
    anyOf.push(parseMap(body, path, warnings));
  } else if (Array.isArray(body)) {
    const keywords: unknown[] = [];
    body.forEach((item, i) => {
      if (isMap(item)) anyOf.push(parseMap(item, `${path}[${i}]`, warnings));
      else if (Array.isArray(item))
        throw new SigmaParseError('invalid-search-identifier', 'a list item must be a value or a map, not a list', { path: `${path}[${i}]` });
      else if (item === null) throw new SigmaParseError('invalid-search-identifier', 'null is not a keyword', { path: `${path}[${i}]` });
      else keywords.push(item);
    });
    if (keywords.length > 0) anyOf.push([buildFieldCondition({ field: null, modifiers: [] }, keywords, path, warnings)]);
  } else if (typeof body === 'string' || typeof body === 'number') {
    anyOf.push([buildFieldCondition({ field: null, modifiers: [] }, [body], path, warnings)]);
  }
  if (anyOf.length === 0) throw new SigmaParseError('invalid-search-identifier', `search identifier '${name}' is empty or not a map/list`, { path });
  return { name, anyOf };
}

function parseMap(map: Record<string, unknown>, path: string, warnings: SigmaWarning[]): FieldCondition[] {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new SigmaParseError('invalid-search-identifier', 'empty map', { path });
  return entries.map(([key, value]) => {
    const itemPath = `${path}.${key}`;
    const values = Array.isArray(value) ? value : [value];
    return buildFieldCondition(parseFieldKey(key, itemPath), values, itemPath, warnings);
  });
}

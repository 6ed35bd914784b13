// YAML text → SigmaCollection. Handles multi-document files, legacy `action: global|reset|repeat`
// collections, and classifies each document as rule, correlation or filter.
import { readFileSync } from 'node:fs';
import YAML, { isMap, isSeq, isScalar, isPair, LineCounter, type Node } from 'yaml';
import type { z } from 'zod';
import { parseDetection } from './detection';
import { SigmaError, SigmaParseError, type SigmaLocation, type SigmaWarning } from './errors';
import type { CorrelationCondition, LogSource, SigmaCollection, SigmaCorrelationRule, SigmaDocument, SigmaFilter, SigmaRule } from './model';
import { correlationSchema, filterSchema, logsourceSchema, ruleSchema } from './schema';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseSigmaFile(file: string): SigmaCollection {
  return parseSigmaYaml(readFileSync(file, 'utf8'), file);
}

export function parseSigmaYaml(text: string, file?: string): SigmaCollection {
  const lineCounter = new LineCounter();
  const list = YAML.parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const documents: SigmaDocument[] = [];
  let global: Obj = {};
  let previous: Obj | undefined;
  list.forEach((doc, index) => {
    const docPath = list.length > 1 ? `[doc ${index + 1}]` : '';
    const firstError = doc.errors[0];
    if (firstError) {
      const [line, col] = [firstError.linePos?.[0]?.line, firstError.linePos?.[0]?.col];
      throw new SigmaParseError('yaml', `invalid YAML: ${firstError.message.split('\n')[0]}`, { file, line, col });
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) return; // empty document (e.g. trailing `---`)
    if (!isObj(value)) throw new SigmaParseError('not-a-map', 'a Sigma document must be a YAML map', { file, path: docPath });
    const { action, ...body } = value;
    if (action === 'global') {
      global = deepMerge(global, body);
      return;
    }
    if (action === 'reset') {
      global = {};
      return;
    }
    if (action !== undefined && action !== 'repeat')
      throw new SigmaParseError('invalid-action', `unknown collection action '${String(action)}'`, { file, path: docPath });
    const merged = action === 'repeat' ? deepMerge(previous ?? {}, body) : deepMerge(global, body);
    previous = merged;
    try {
      documents.push(parseDocument(merged, file));
    } catch (e) {
      if (e instanceof SigmaError) throw e.at({ file, ...locate(doc.contents, lineCounter, e.location.path) });
      throw e;
    }
  });
  if (documents.length === 0) throw new SigmaParseError('empty', 'file holds no Sigma document', { file });
  return { source: file, documents };
}

export function parseDocument(doc: Obj, source?: string): SigmaDocument {
  if ('correlation' in doc) return parseCorrelation(doc, source);
  if ('filter' in doc && !('detection' in doc)) return parseFilter(doc, source);
  return parseRule(doc, source);
}

function parseRule(doc: Obj, source?: string): SigmaRule {
  const data = check(ruleSchema, doc);
  const warnings: SigmaWarning[] = [];
  const detection = parseDetection(data.detection, 'detection', warnings);
  return {
    kind: 'rule',
    ...meta(data, doc, source, warnings),
    related: (data.related ?? []).map((r) => ({ id: r.id, type: r.type })),
    logsource: logsource(data.logsource),
    detection,
    fields: data.fields ?? [],
    scope: data.scope ?? [],
  };
}

function parseFilter(doc: Obj, source?: string): SigmaFilter {
  const data = check(filterSchema, doc);
  const warnings: SigmaWarning[] = [];
  const { rules, ...detectionPart } = data.filter;
  return {
    kind: 'filter',
    ...meta(data, doc, source, warnings),
    logsource: logsource(data.logsource),
    rules,
    detection: parseDetection(detectionPart, 'filter', warnings),
  };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_592_000_000, y: 31_536_000_000 };

function parseCorrelation(doc: Obj, source?: string): SigmaCorrelationRule {
  const data = check(correlationSchema, doc);
  const c = data.correlation;
  const warnings: SigmaWarning[] = [];
  const needsCondition = c.type !== 'temporal' && c.type !== 'temporal_ordered';
  if (needsCondition && !c.condition)
    throw new SigmaParseError('invalid-correlation', `correlation type '${c.type}' needs a condition`, { path: 'correlation.condition' });
  if (c.type.startsWith('value_') && !c.condition?.field)
    throw new SigmaParseError('invalid-correlation', `correlation type '${c.type}' needs condition.field`, { path: 'correlation.condition.field' });
  if (c.condition && !['gt', 'gte', 'lt', 'lte', 'eq', 'neq'].some((k) => k in (c.condition as object))) {
    throw new SigmaParseError('invalid-correlation', 'correlation condition needs one of gt/gte/lt/lte/eq/neq', { path: 'correlation.condition' });
  }
  if (!c['group-by']) warnings.push({ code: 'no-group-by', message: 'correlation without group-by aggregates over all events', path: 'correlation' });
  const unit = c.timespan.slice(-1);
  const condition: CorrelationCondition | undefined = c.condition ? { ...c.condition } : undefined;
  return {
    kind: 'correlation',
    ...meta(data, doc, source, warnings),
    type: c.type,
    rules: c.rules,
    groupBy: c['group-by'] ?? [],
    timespan: { text: c.timespan, milliseconds: Number(c.timespan.slice(0, -1)) * (UNIT_MS[unit] ?? 0) },
    ...(condition ? { condition } : {}),
    aliases: c.aliases ?? {},
    generate: c.generate ?? false,
  };
}

type Meta = z.infer<typeof ruleSchema> | z.infer<typeof correlationSchema> | z.infer<typeof filterSchema>;

function meta(data: Meta, raw: Obj, source: string | undefined, warnings: SigmaWarning[]) {
  const tags = data.tags ?? [];
  for (const tag of tags) {
    if (!/^[a-z0-9_-]+\.[a-z0-9._-]+$/.test(tag)) warnings.push({ code: 'tag-format', message: `tag '${tag}' is not namespace.lowercase-name`, path: 'tags' });
  }
  return {
    title: data.title,
    id: data.id,
    name: data.name,
    status: data.status,
    description: data.description,
    author: data.author,
    date: data.date,
    modified: data.modified,
    references: data.references ?? [],
    tags,
    level: data.level,
    falsepositives: data.falsepositives ?? [],
    taxonomy: data.taxonomy,
    source,
    warnings,
    raw,
  };
}

function logsource(ls: z.infer<typeof logsourceSchema>): LogSource {
  const out: LogSource = {};
  if (ls.category !== undefined) out.category = ls.category;
  if (ls.product !== undefined) out.product = ls.product;
  if (ls.service !== undefined) out.service = ls.service;
  return out;
}

function check<T extends z.ZodType>(schema: T, doc: Obj): z.infer<T> {
  const result = schema.safeParse(doc);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue
    ? issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
        .join('.')
        .replace(/\.\[/g, '[')
    : '';
  throw new SigmaParseError('schema', `${issue?.message ?? 'invalid document'}${path ? ` at '${path}'` : ''}`, { path });
}

/** Later documents override earlier keys; maps merge recursively (Sigma collection semantics). */
function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObj(b) && isObj(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/** Finds the line/column of a YAML path like `detection.selection[0].Image|endswith`. */
function locate(root: Node | null, lines: LineCounter, path: string | undefined): SigmaLocation {
  if (!root || !path) return {};
  let found: number | undefined;
  const walk = (node: unknown, at: string): void => {
    if (found !== undefined) return;
    if (at === path && node && typeof node === 'object' && 'range' in node) {
      found = (node as { range?: [number, number, number] }).range?.[0];
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        const childPath = at ? `${at}.${key}` : key;
        if (childPath === path && isScalar(pair.key)) {
          found = pair.key.range?.[0];
          return;
        }
        if (path.startsWith(childPath)) walk(pair.value, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, `${at}[${i}]`));
    }
  };
  walk(root, '');
  if (found === undefined) return {};
  const pos = lines.linePos(found);
  return { line: pos.line, col: pos.col };
}

// Processing pipelines as data: named lists of small transformations, each with conditions saying
// when it applies. A pipeline rewrites the rule tree; it never knows which backend comes next.
import type { z } from 'zod';
import type { itemSchema, pipelineSchema, transformationSchema } from './pipeline-schema';
import { identifierPatternMatches } from './condition';
import { productCondition } from './logsource';
import { parseSearchIdentifier } from './detection';
import { SigmaParseError, type SigmaWarning } from './errors';
import { normalizeTokens, parseSigmaString } from './strings';
import type { ConditionNode, FieldCondition, LogSource, SigmaRule, SigmaValue, StringToken } from './model';

export type ProcessingPipeline = z.infer<typeof pipelineSchema>;
export type PipelineItem = z.infer<typeof itemSchema>;
export type Transformation = z.infer<typeof transformationSchema>;

/** A rule after pipelines: same tree plus state for backends and a log of what was applied. */
export interface ProcessedRule extends SigmaRule {
  state: Record<string, unknown>;
  appliedItems: string[];
}

/** Validates pipeline data from outside (a YAML/JSON file) into a typed pipeline. */
export function parsePipeline(data: unknown): ProcessingPipeline {
  // The schema library loads only for pipelines from outside; the built-in ones are typed data.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { pipelineSchema } = require('./pipeline-schema') as typeof import('./pipeline-schema');
  const result = pipelineSchema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new SigmaParseError('invalid-pipeline', `${issue?.message ?? 'invalid'} at ${issue?.path.join('.') ?? ''}`);
}

export function applyPipelines(rule: SigmaRule, pipelines: readonly ProcessingPipeline[]): ProcessedRule {
  let out: ProcessedRule = { ...rule, warnings: [...rule.warnings], state: {}, appliedItems: [] };
  for (const pipeline of pipelines) {
    for (const item of pipeline.items) {
      if (!ruleMatches(item, out.logsource)) continue;
      out = applyItem(out, item);
      out.appliedItems.push(`${pipeline.name}:${item.id}`);
    }
  }
  return out;
}

function ruleMatches(item: PipelineItem, ls: LogSource): boolean {
  return (item.ruleConditions ?? []).every(
    (c) =>
      (c.category === undefined || c.category === ls.category) &&
      (c.product === undefined || c.product === ls.product) &&
      (c.service === undefined || c.service === ls.service),
  );
}

function fieldApplies(item: PipelineItem, field: string): boolean {
  const fc = item.fieldNameConditions;
  if (!fc) return true;
  if (fc.include && !fc.include.some((p) => identifierPatternMatches(p, field))) return false;
  return !(fc.exclude ?? []).some((p) => identifierPatternMatches(p, field));
}

function applyItem(rule: ProcessedRule, item: PipelineItem): ProcessedRule {
  const t = item.transformation;
  switch (t.type) {
    case 'field_name_mapping':
      return mapConditions(rule, (c) =>
        c.field !== null && fieldApplies(item, c.field) && t.mapping[c.field] !== undefined ? { ...c, field: t.mapping[c.field] as string } : c,
      );
    case 'field_name_prefix':
      return mapConditions(rule, (c) => (c.field !== null && fieldApplies(item, c.field) ? { ...c, field: t.prefix + c.field } : c));
    case 'value_placeholders':
      return mapConditions(rule, (c) => ({ ...c, values: c.values.flatMap((v) => expandPlaceholders(v, t.values)) }));
    case 'wildcard_placeholders':
      return mapConditions(rule, (c) => {
        if (!c.values.some(hasPlaceholder)) return c;
        rule.warnings.push({ code: 'placeholder-wildcard', message: 'placeholder replaced by * (matches more than intended)', path: c.path });
        return {
          ...c,
          values: c.values.map((v) =>
            v.type === 'string' ? { ...v, tokens: v.tokens.map((tk): StringToken => (tk.kind === 'placeholder' ? { kind: 'any' } : tk)) } : v,
          ),
        };
      });
    case 'set_state':
      return { ...rule, state: { ...rule.state, [t.key]: t.value } };
    case 'logsource_condition': {
      const conditions = rule.logsource.product === undefined ? undefined : productCondition(rule.logsource.product);
      return conditions ? addCondition(rule, item, conditions) : rule;
    }
    case 'add_condition':
      return addCondition(rule, item, t.conditions);
  }
}

function addCondition(rule: ProcessedRule, item: PipelineItem, conditions: Record<string, unknown> | Record<string, unknown>[]): ProcessedRule {
  const name = `_pipeline_${item.id}`;
  const warnings: SigmaWarning[] = [];
  const identifier = parseSearchIdentifier(name, conditions, `pipeline:${item.id}`, warnings);
  const ref: ConditionNode = { kind: 'ref', name };
  return {
    ...rule,
    detection: {
      ...rule.detection,
      identifiers: { ...rule.detection.identifiers, [name]: identifier },
      conditions: rule.detection.conditions.map((c) => ({ kind: 'and', args: [ref, c] })),
    },
  };
}

function mapConditions(rule: ProcessedRule, f: (c: FieldCondition) => FieldCondition): ProcessedRule {
  const identifiers = Object.fromEntries(
    Object.entries(rule.detection.identifiers).map(([name, si]) => [name, { ...si, anyOf: si.anyOf.map((conj) => conj.map(f)) }]),
  );
  return { ...rule, detection: { ...rule.detection, identifiers } };
}

export function hasPlaceholder(v: SigmaValue): boolean {
  return v.type === 'string' && v.tokens.some((t) => t.kind === 'placeholder');
}

function expandPlaceholders(v: SigmaValue, values: Record<string, string[]>): SigmaValue[] {
  if (v.type !== 'string' || !hasPlaceholder(v)) return [v];
  let variants: StringToken[][] = [[]];
  for (const t of v.tokens) {
    const replacements = t.kind === 'placeholder' ? values[t.name] : undefined;
    if (replacements === undefined) variants = variants.map((x) => [...x, t]);
    // Replacement values are Sigma strings themselves, so `srv*` keeps its wildcard.
    else variants = variants.flatMap((x) => replacements.map((r): StringToken[] => [...x, ...parseSigmaString(r)]));
  }
  return variants.map((tokens) => ({ type: 'string', tokens: normalizeTokens(tokens) }));
}

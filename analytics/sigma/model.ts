// The typed Sigma rule tree. Parsed once by parse.ts, rewritten by pipelines, read by backends.
import type { SigmaWarning } from './errors';

export type SigmaStatus = 'stable' | 'test' | 'experimental' | 'deprecated' | 'unsupported';
export type SigmaLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export interface LogSource {
  category?: string;
  product?: string;
  service?: string;
}

/** One piece of a Sigma string: literal text, `*` (any run), `?` (one char) or an `%expand%` placeholder. */
export type StringToken = { kind: 'literal'; text: string } | { kind: 'any' } | { kind: 'one' } | { kind: 'placeholder'; name: string };

export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
export type CompareOp = 'gt' | 'gte' | 'lt' | 'lte';

/** A value after all modifiers ran: what a backend has to compare the field against. */
export type SigmaValue =
  | { type: 'string'; tokens: StringToken[] }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'null' }
  | { type: 'regex'; pattern: string; flags: { i: boolean; m: boolean; s: boolean } }
  | { type: 'cidr'; network: string; prefix: number; version: 4 | 6 }
  | { type: 'compare'; op: CompareOp; value: number }
  | { type: 'exists'; value: boolean }
  | { type: 'fieldref'; field: string };

export type Modifier =
  | 'contains'
  | 'startswith'
  | 'endswith'
  | 'all'
  | 'cased'
  | 'neq'
  | 'exists'
  | 'windash'
  | 're'
  | 'i'
  | 'm'
  | 's'
  | 'base64'
  | 'base64offset'
  | 'utf16le'
  | 'utf16be'
  | 'utf16'
  | 'wide'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'minute'
  | 'hour'
  | 'day'
  | 'week'
  | 'month'
  | 'year'
  | 'cidr'
  | 'expand'
  | 'fieldref';

/** `field|mods: values` — field null means a keyword search of the raw event (event.original, else message; see README.md). */
export interface FieldCondition {
  field: string | null;
  modifiers: Modifier[];
  values: SigmaValue[];
  /** `all` links the values with AND; default OR. */
  linking: 'and' | 'or';
  /** `cased`: string comparison is case-sensitive. */
  cased: boolean;
  /** `neq`: the field must differ from every value. */
  negated: boolean;
  /** Time-part modifiers compare a number extracted from a date field. */
  timePart?: TimePart;
  /** YAML path of this item, for errors raised later by backends. */
  path: string;
}

/** A search identifier: an OR over alternatives, each an AND of field conditions. */
export interface SearchIdentifier {
  name: string;
  anyOf: FieldCondition[][];
}

export type ConditionNode =
  | { kind: 'and'; args: ConditionNode[] }
  | { kind: 'or'; args: ConditionNode[] }
  | { kind: 'not'; arg: ConditionNode }
  | { kind: 'ref'; name: string }
  /** `1 of x*` / `all of them`: names holds the identifiers the pattern resolved to. */
  | { kind: 'of'; quantifier: 'any' | 'all'; pattern: string; names: string[] };

export interface Detection {
  identifiers: Record<string, SearchIdentifier>;
  /** Several conditions are OR-ed (spec: "each of them generates a query"). */
  conditions: ConditionNode[];
  /** Source text of the condition(s), kept for messages and round-trips. */
  conditionText: string[];
}

interface RuleMeta {
  title: string;
  id?: string;
  name?: string;
  status?: SigmaStatus;
  description?: string;
  author?: string;
  date?: string;
  modified?: string;
  references: string[];
  tags: string[];
  level?: SigmaLevel;
  falsepositives: string[];
  taxonomy?: string;
  /** Source file, when the rule came from one. */
  source?: string;
  warnings: SigmaWarning[];
  /** Every top-level key, custom ones included, for tools that need them. */
  raw: Record<string, unknown>;
}

export interface SigmaRule extends RuleMeta {
  kind: 'rule';
  related: { id: string; type: string }[];
  logsource: LogSource;
  detection: Detection;
  fields: string[];
  scope: string[];
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile';

export interface CorrelationCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
  field?: string | string[];
}

export interface SigmaCorrelationRule extends RuleMeta {
  kind: 'correlation';
  type: CorrelationType;
  /** Referenced rules by id or name. */
  rules: string[];
  groupBy: string[];
  timespan: { text: string; milliseconds: number };
  condition?: CorrelationCondition;
  /** alias → (rule id or name → field). */
  aliases: Record<string, Record<string, string>>;
  generate: boolean;
}

export interface SigmaFilter extends RuleMeta {
  kind: 'filter';
  logsource: LogSource;
  rules: string[];
  detection: Detection;
}

export type SigmaDocument = SigmaRule | SigmaCorrelationRule | SigmaFilter;

/** All documents of one file (a multi-document YAML may hold rules and correlations together). */
export interface SigmaCollection {
  source?: string;
  documents: SigmaDocument[];
}

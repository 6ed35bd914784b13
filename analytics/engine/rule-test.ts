// A rule tried on one pasted event, with the detect stage's own parts: the same pipelines and
// filters folded in, the RuleSet's logsource routing and matcher for the verdict, and the same
// JavaScript backend compiling each condition and each selection on its own to say which held.
// A correlation counts events over a window, and a filter only tunes the rules it names: neither
// can be judged on one event, and the answer says so instead of guessing.
import { beginEvent, JsMatcherBackend } from '../sigma/backends/js';
import type { SigmaEvent } from '../sigma/backends/fieldpath';
import { LogsourceRouter } from '../sigma/backends/router';
import { RuleSet } from '../sigma/backends/ruleset';
import { applyFilters } from '../sigma/filters';
import type { ConditionNode, SigmaDocument, SigmaFilter, SigmaRule } from '../sigma/model';
import { applyPipelines, type ProcessedRule, type ProcessingPipeline } from '../sigma/pipeline';

export interface PartResult {
  /** The condition as written (filters folded in), or the selection's name. */
  readonly name: string;
  readonly matched: boolean;
}

export interface RuleTestResult {
  readonly kind: SigmaDocument['kind'];
  /** The detect stage would report a match of this rule on the event. */
  readonly matched: boolean;
  /** The event is of the rule's logsource as the router reads it (a rule runs only on its own). */
  readonly logsourceMatched: boolean;
  readonly conditions: PartResult[];
  /** Each search identifier, including those pipelines add (`_pipeline_*`) and filters fold in (`_filter*`). */
  readonly selections: PartResult[];
  /** Fields whose own condition held, as the alert would name them. */
  readonly matchedFields: string[];
  /** A correlation or a filter: one event cannot decide it. */
  readonly needsStream: boolean;
  readonly note: string | null;
}

const NOT_ONE_EVENT = {
  correlation: 'a correlation rule counts events of the rules it names over a time window: it needs a stream of events, not one; test the rules it names',
  filter: 'a filter only tunes the rules it names (they do not match where it does): test those rules',
} as const;

export function testRuleOnEvent(
  doc: SigmaDocument,
  event: SigmaEvent,
  filters: readonly SigmaFilter[],
  pipelines: readonly ProcessingPipeline[],
): RuleTestResult {
  if (doc.kind !== 'rule')
    return {
      kind: doc.kind,
      matched: false,
      logsourceMatched: false,
      conditions: [],
      selections: [],
      matchedFields: [],
      needsStream: true,
      note: NOT_ONE_EVENT[doc.kind],
    };
  const set = new RuleSet({ pipelines, filters });
  set.add(doc);
  const match = set.match(event)[0];
  const processed = applyPipelines(applyFilters(doc, filters), pipelines);
  const backend = new JsMatcherBackend(pipelines);
  const holds = (condition: ConditionNode): boolean => backend.compileProcessed(only(processed, condition)).match(event);
  beginEvent(event);
  const logsourceMatched = new LogsourceRouter([doc.logsource]).mask(event)[0] === 1;
  return {
    kind: 'rule',
    matched: match !== undefined,
    logsourceMatched,
    conditions: processed.detection.conditions.map((c, i) => ({ name: processed.detection.conditionText[i] ?? `condition ${i + 1}`, matched: holds(c) })),
    selections: Object.keys(processed.detection.identifiers).map((name) => ({ name, matched: holds({ kind: 'ref', name }) })),
    matchedFields: match?.matchedFields ?? [],
    needsStream: false,
    note: match || logsourceMatched ? null : `the event is not of the rule's logsource (${logsourceText(doc)}): the detect stage does not run the rule on it`,
  };
}

/** The rule with one condition only, to evaluate a part of it with the backend that compiles the whole. */
function only(rule: ProcessedRule, condition: ConditionNode): ProcessedRule {
  return { ...rule, detection: { ...rule.detection, conditions: [condition] } };
}

function logsourceText(rule: SigmaRule): string {
  const ls = rule.logsource;
  return (['product', 'category', 'service'] as const).flatMap((k) => (ls[k] !== undefined ? [`${k}: ${ls[k]}`] : [])).join(', ') || 'any';
}

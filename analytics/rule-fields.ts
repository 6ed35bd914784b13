/**
 * Reading a rule and trying it: `ruleSource` (the rule file as written, bounded) and `testRule`
 * (does the rule match this pasted event, with the detect stage's pipelines, filters, routing and
 * matcher). Both are actions of the analytics module's rules, through the door (rules:read),
 * audited once; the event is hostile input, bounded in size and depth before it is read, and it
 * is not written to the audit record (it may hold personal data): its size and the verdict are.
 */
import { readFileSync, statSync } from 'node:fs';
import { isPlainObject } from '../core/doc';
import { defineAction } from '../core/door';
import { CitySocError } from '../core/errors';
import { depthProblem, textNestingExceeds } from '../collectors/pipeline/json-depth';
import type { RuleRepository } from './engine/rule-repository';
import { type RuleTestResult, testRuleOnEvent } from './engine/rule-test';
import type { SigmaEvent } from './sigma/backends/fieldpath';
import { SigmaError } from './sigma/errors';

/** A rule file larger than this is not one rule to read in a console. */
export const MAX_RULE_SOURCE_BYTES = 256 * 1024;
/** A pasted event larger than this is not one event. */
export const MAX_TEST_EVENT_BYTES = 256 * 1024;

export interface RuleFieldsOptions {
  readonly repository: () => RuleRepository | null;
  /** What the detect stage does to each event before matching (department codes to names). */
  readonly prepare: (event: SigmaEvent) => SigmaEvent;
  /** Deepest nesting of a pasted event (ingest.maxJsonDepth, as for ingested records). */
  readonly maxDepth: number;
}

export type RuleTestAnswer = RuleTestResult & { readonly ruleId: string; readonly title: string; readonly event: SigmaEvent | null };

const unavailable = () => new CitySocError('UNAVAILABLE', 'detection is turned off (detection.enabled)');

/** The pasted event as an object, or an INPUT_INVALID error saying what is wrong with it. */
export function readTestEvent(input: unknown, maxDepth: number): SigmaEvent {
  let value = input;
  if (typeof input === 'string') {
    const bytes = Buffer.byteLength(input);
    if (bytes > MAX_TEST_EVENT_BYTES) throw new CitySocError('LIMIT_EXCEEDED', `event: ${bytes} bytes; at most ${MAX_TEST_EVENT_BYTES} bytes`);
    if (textNestingExceeds(input, maxDepth)) throw new CitySocError('INPUT_INVALID', `event: nests objects or arrays deeper than ${maxDepth} levels`);
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new CitySocError('INPUT_INVALID', `event: not valid JSON: ${(e as Error).message}`);
    }
  } else {
    const deep = depthProblem(input, maxDepth);
    if (deep) throw new CitySocError('INPUT_INVALID', `event: ${deep.replace(/^the record /, '')}`);
    const bytes = Buffer.byteLength(JSON.stringify(input) ?? '');
    if (bytes > MAX_TEST_EVENT_BYTES) throw new CitySocError('LIMIT_EXCEEDED', `event: ${bytes} bytes; at most ${MAX_TEST_EVENT_BYTES} bytes`);
  }
  if (!isPlainObject(value))
    throw new CitySocError(
      'INPUT_INVALID',
      `event: expected one JSON object (an ECS event), got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
    );
  return value as SigmaEvent;
}

export function ruleFieldActions(o: RuleFieldsOptions) {
  const rules = (): RuleRepository => {
    const repository = o.repository();
    if (!repository) throw unavailable();
    return repository;
  };
  return {
    ruleSource: defineAction({
      name: 'rules.source',
      permission: 'rules:read',
      resource: (i: { id: string }) => `rule:${i.id}`,
      run: async (_ctx, i: { id: string }) => {
        const rule = rules()
          .list()
          .find((r) => r.id === i.id);
        if (!rule?.file) throw new CitySocError('NOT_FOUND', `no rule ${i.id}`);
        const size = statSync(rule.file).size;
        if (size > MAX_RULE_SOURCE_BYTES)
          throw new CitySocError('LIMIT_EXCEEDED', `rule ${i.id}: its file is ${size} bytes; the console shows files up to ${MAX_RULE_SOURCE_BYTES} bytes`);
        return readFileSync(rule.file, 'utf8');
      },
    }),
    testRule: defineAction({
      name: 'rules.test',
      permission: 'rules:read',
      resource: (i: { id: string; event: unknown }) => `rule:${i.id}`,
      run: async (ctx, i: { id: string; event: unknown }): Promise<RuleTestAnswer> => {
        const event = o.prepare(readTestEvent(i.event, o.maxDepth));
        let inspected;
        try {
          inspected = rules().inspect(i.id);
        } catch (e) {
          if (e instanceof SigmaError) throw new CitySocError('CONFLICT', `rule ${i.id}: its file changed and no longer loads: ${e.message}`);
          throw e;
        }
        if (!inspected) throw new CitySocError('NOT_FOUND', `no rule ${i.id}`);
        const result = testRuleOnEvent(inspected.doc, event, inspected.filters, inspected.pipelines);
        ctx.note({ eventBytes: Buffer.byteLength(JSON.stringify(event)), matched: result.matched, needsStream: result.needsStream });
        return { ...result, ruleId: inspected.summary.id, title: inspected.summary.title, event: result.needsStream ? null : event };
      },
    }),
  };
}

export const RULE_FIELDS_TYPEDEFS = /* GraphQL */ `
  "One condition or selection of a rule, and whether it held on the event."
  type RuleTestPart {
    "The condition as written (with the filters folded in), or the selection's name (_pipeline_*: added by the field mapping; _filter*: a filter's)."
    name: String!
    matched: Boolean!
  }
  "A rule tried on one event with the detect stage's pipelines, filters, logsource routing and matcher."
  type RuleTest {
    ruleId: String!
    title: String!
    "rule, correlation or filter."
    kind: String!
    "The detect stage would report a match of this rule on the event."
    matched: Boolean!
    "The event is of the rule's logsource (the rule runs only on events of its own)."
    logsourceMatched: Boolean!
    conditions: [RuleTestPart!]!
    selections: [RuleTestPart!]!
    "Fields whose own condition held, as an alert names them."
    matchedFields: [String!]!
    "A correlation or a filter: one event cannot decide it (see note)."
    needsStream: Boolean!
    "Why the rule did not run on the event, or why one event cannot decide it."
    note: String
    "The event as the detect stage matched it (department codes read as names); null when it was not tried."
    event: JSON
  }
  extend type Query {
    "The rule's file as written (YAML; at most 256 KiB)."
    ruleSource(id: String!): String!
    "Tries a rule on one event: an ECS event as a JSON object, or its text as pasted (at most 256 KiB, nested at most ingest.maxJsonDepth deep)."
    testRule(id: String!, event: JSON!): RuleTest!
  }
`;

/**
 * Detection rules: the list (filtered here by kind, enabled and text: the API answers every rule
 * at once), turning one on or off, its source file, and trying it on a pasted event. The pasted
 * text goes to the server as it is: the server reads it (bounded) and says what is wrong with it.
 */
import type { GetListParams, GetOneParams } from 'ra-core';
import { graphql } from './graphql';
import { pageOf, present, type ResourceAdapter } from './resource';

export const RULE_KINDS = ['rule', 'correlation', 'filter'] as const;

export interface RuleRecord {
  id: string;
  title: string;
  kind: string;
  enabled: boolean;
  file: string | null;
}

export interface RuleTestPart {
  name: string;
  matched: boolean;
}

export interface RuleTestRecord {
  ruleId: string;
  title: string;
  kind: string;
  matched: boolean;
  logsourceMatched: boolean;
  conditions: RuleTestPart[];
  selections: RuleTestPart[];
  matchedFields: string[];
  needsStream: boolean;
  note: string | null;
  event: Record<string, unknown> | null;
}

const RULE_FIELDS = 'id title kind enabled file';
const RULES = /* GraphQL */ `query Rules { rules { ${RULE_FIELDS} } }`;
const SET_ENABLED = /* GraphQL */ `mutation SetRuleEnabled($id: String!, $enabled: Boolean!) { setRuleEnabled(id: $id, enabled: $enabled) { ${RULE_FIELDS} } }`;
const SOURCE = /* GraphQL */ `
  query RuleSource($id: String!) {
    ruleSource(id: $id)
  }
`;
const TEST = /* GraphQL */ `
  query TestRule($id: String!, $event: JSON!) {
    testRule(id: $id, event: $event) {
      ruleId
      title
      kind
      matched
      logsourceMatched
      conditions {
        name
        matched
      }
      selections {
        name
        matched
      }
      matchedFields
      needsStream
      note
      event
    }
  }
`;

export interface RuleFilter {
  kind?: unknown;
  enabled?: unknown;
  q?: unknown;
}

/** The rules a filter form keeps: kind, on or off, and text in the title, id or file. */
export function filterRules(rows: readonly RuleRecord[], f: RuleFilter): RuleRecord[] {
  const kind = typeof f.kind === 'string' && (RULE_KINDS as readonly string[]).includes(f.kind) ? f.kind : undefined;
  const enabled = f.enabled === 'on' ? true : f.enabled === 'off' ? false : undefined;
  const q = present(f.q) ? f.q.trim().toLowerCase() : undefined;
  return rows.filter(
    (r) =>
      (kind === undefined || r.kind === kind) &&
      (enabled === undefined || r.enabled === enabled) &&
      (q === undefined || [r.title, r.id, r.file ?? ''].some((s) => s.toLowerCase().includes(q))),
  );
}

function sortRules(rows: RuleRecord[], sort: GetListParams['sort']): RuleRecord[] {
  const field = (sort?.field ?? 'title') as keyof RuleRecord;
  const dir = sort?.order === 'DESC' ? -1 : 1;
  return [...rows].sort((a, b) => dir * String(a[field] ?? '').localeCompare(String(b[field] ?? '')));
}

export async function listRules(): Promise<RuleRecord[]> {
  return (await graphql<{ rules: RuleRecord[] }>(RULES)).rules;
}

export async function setRuleEnabled(id: string, enabled: boolean): Promise<RuleRecord> {
  return (await graphql<{ setRuleEnabled: RuleRecord }>(SET_ENABLED, { id, enabled })).setRuleEnabled;
}

export async function ruleSource(id: string): Promise<string> {
  return (await graphql<{ ruleSource: string }>(SOURCE, { id })).ruleSource;
}

/** Tries the rule on the pasted text (sent as it is; the server parses and bounds it). */
export async function testRule(id: string, pasted: string): Promise<RuleTestRecord> {
  return (await graphql<{ testRule: RuleTestRecord }>(TEST, { id, event: pasted })).testRule;
}

export const rules: ResourceAdapter = {
  async getList(params) {
    const rows = sortRules(filterRules(await listRules(), (params.filter ?? {}) as RuleFilter), params.sort);
    const { size, offset } = pageOf(params.pagination);
    return { data: rows.slice(offset, offset + size), total: rows.length };
  },
  async getOne(params: GetOneParams) {
    const found = (await listRules()).find((r) => r.id === String(params.id));
    if (!found) throw new Error(`no rule ${String(params.id)}`);
    return { data: found };
  },
  async update(params) {
    const data = params.data as Partial<RuleRecord>;
    if (typeof data.enabled !== 'boolean') throw new Error('a rule can only be turned on or off here');
    return { data: await setRuleEnabled(String(params.id), data.enabled) };
  },
};

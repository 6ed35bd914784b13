// Each rule case compiled for every target. A case is compared only when every target accepts
// it; refusals are kept per target with the backend's named reason, to be reported.
import { ElasticsearchBackend, type EsQuery } from '../sigma/backends/elasticsearch';
import { JsMatcherBackend, type CompiledRule } from '../sigma/backends/js';
import { SigmaUnsupportedError } from '../sigma/errors';
import type { RuleCase } from './corpus';
import { SqliteCorpus } from './sqlite-engine';

export interface CompiledCase {
  case: RuleCase;
  js: CompiledRule;
  es: EsQuery;
  sql: string;
}

export interface Refusal {
  key: string;
  target: 'js' | 'elasticsearch' | 'sqlite';
  code: string;
  reason: string;
}

/** The keyword (field-less) search fields of the ES backend: see search-engine.ts for their mapping. */
export const KEYWORD_FIELD = 'event.original';
export const KEYWORD_FALLBACK_FIELD = 'message';

export function compileCases(cases: readonly RuleCase[]): { compiled: CompiledCase[]; refused: Refusal[] } {
  const compiled: CompiledCase[] = [];
  const refused: Refusal[] = [];
  for (const c of cases) {
    const attempt = <T>(target: Refusal['target'], f: () => T): T | undefined => {
      try {
        return f();
      } catch (e) {
        if (!(e instanceof SigmaUnsupportedError)) throw e;
        refused.push({ key: c.key, target, code: e.code, reason: e.reason });
        return undefined;
      }
    };
    const js = attempt('js', () => new JsMatcherBackend([c.pipeline]).compile(c.rule));
    const es = attempt(
      'elasticsearch',
      () =>
        new ElasticsearchBackend({ pipelines: [c.pipeline], keywordField: KEYWORD_FIELD, keywordFallbackField: KEYWORD_FALLBACK_FIELD }).convertRule(c.rule)
          .query,
    );
    const sql = attempt('sqlite', () => SqliteCorpus.backend(c.pipeline).convertRule(c.rule));
    if (js && es && sql !== undefined) compiled.push({ case: c, js, es, sql });
  }
  return { compiled, refused };
}

/** Ids only one side has; empty when the engine agrees with the matcher. */
export function difference(expected: readonly string[], actual: readonly string[]): { onlyMatcher: string[]; onlyEngine: string[] } {
  const a = new Set(actual);
  const e = new Set(expected);
  return { onlyMatcher: expected.filter((x) => !a.has(x)), onlyEngine: actual.filter((x) => !e.has(x)) };
}

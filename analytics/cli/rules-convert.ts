// `citysoc rules convert --target es|opensearch|sqlite|flink <rule>`: the query each detection
// (and correlation, for flink) of a rule file becomes, one block per document.
import { compileCorrelationToFlink } from '../correlation/flink';
import { loadContent } from '../engine/content';
import { ElasticsearchBackend } from '../sigma/backends/elasticsearch';
import { FlinkSqlBackend } from '../sigma/backends/flink';
import { jsonTreeValues, SqliteBackend } from '../sigma/backends/sqlite';
import { SigmaError } from '../sigma/errors';
import type { SigmaRule } from '../sigma/model';
import type { ProcessingPipeline } from '../sigma/pipeline';
import { getPipeline } from '../sigma/pipelines';
import { EXIT, type CommandIo } from './io';

export const TARGETS = ['es', 'opensearch', 'sqlite', 'flink'] as const;
export type ConvertTarget = (typeof TARGETS)[number];

export interface ConvertOptions {
  target: string;
  path: string;
  pipeline?: string;
}

export async function runRulesConvert(opts: ConvertOptions, io: CommandIo): Promise<number> {
  if (!(TARGETS as readonly string[]).includes(opts.target)) {
    io.err(`rules convert: unknown target '${opts.target}' (expected ${TARGETS.join(', ')})`);
    return EXIT.usage;
  }
  let pipelines: ProcessingPipeline[];
  try {
    pipelines = [getPipeline('citysoc'), ...(opts.pipeline ? [getPipeline(opts.pipeline)] : [])];
  } catch (e) {
    io.err(`rules convert: ${(e as Error).message}`);
    return EXIT.usage;
  }
  let content;
  try {
    content = loadContent([opts.path], {});
  } catch (e) {
    io.err(`rules convert: cannot read ${opts.path}: ${(e as Error).message}`);
    return EXIT.usage;
  }
  for (const r of content.rejected) io.err(`rules convert: ${r.reason}`);
  const rules = content.ruleSet.rules();
  let failed = content.rejected.length > 0;
  const convert = (rule: SigmaRule): string => {
    switch (opts.target as ConvertTarget) {
      case 'es':
      case 'opensearch':
        return JSON.stringify(new ElasticsearchBackend({ pipelines }).convertRule(rule));
      case 'sqlite':
        return new SqliteBackend({
          pipelines,
          field: (n) => `json_extract(doc, '$."${n}"')`,
          elements: (n) => `json_each(doc, '$."${n}"')`,
          eventValues: jsonTreeValues('doc'),
        }).convertRule(rule);
      case 'flink':
        return new FlinkSqlBackend({ pipelines }).convertRule(rule);
    }
  };
  for (const rule of rules) {
    try {
      io.out(`-- ${rule.id ?? rule.title}: ${rule.title}\n${convert(rule)}`);
    } catch (e) {
      if (!(e instanceof SigmaError)) throw e;
      io.err(`rules convert: ${rule.id ?? rule.title}: ${e.message}`);
      failed = true;
    }
  }
  const resolve = (ref: string) => {
    const rule = rules.find((r) => r.id === ref || r.name === ref);
    if (rule) return { kind: 'rule' as const, rule };
    const c = content.correlations.find((r) => r.id === ref || r.name === ref);
    return c ? { kind: 'correlation' as const, rule: c } : undefined;
  };
  for (const c of content.correlations) {
    if (opts.target !== 'flink') {
      io.err(`rules convert: correlation ${c.id ?? c.title} is compiled for flink only (the embedded engine runs it otherwise)`);
      continue;
    }
    try {
      const job = compileCorrelationToFlink(c, resolve, { backend: new FlinkSqlBackend({ pipelines }) });
      io.out(`-- correlation ${c.id ?? c.title}: ${c.title}\n${job.statements.join(';\n')};`);
      for (const w of job.warnings) io.err(`rules convert: warning: ${w.message}`);
    } catch (e) {
      if (!(e instanceof SigmaError)) throw e;
      io.err(`rules convert: ${c.id ?? c.title}: ${e.message}`);
      failed = true;
    }
  }
  return failed ? EXIT.failed : EXIT.ok;
}

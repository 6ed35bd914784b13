// Loads detection content (rule files and folders) into what the Detector runs: a RuleSet of
// detection rules with filters folded in, and the correlation rules over them.
import { RuleSet } from '../sigma/backends/ruleset';
import { SigmaError } from '../sigma/errors';
import type { SigmaCorrelationRule, SigmaDocument, SigmaFilter, SigmaRule } from '../sigma/model';
import { parseSigmaFile } from '../sigma/parse';
import type { ProcessingPipeline } from '../sigma/pipeline';
import { expandPaths } from '../sigma/validate';

export interface LoadedContent {
  ruleSet: RuleSet;
  correlations: SigmaCorrelationRule[];
  filters: SigmaFilter[];
  /** Files (or single rules) that could not be loaded, with the reason. */
  rejected: { file: string; reason: string }[];
  files: string[];
}

export interface LoadOptions {
  pipelines?: readonly ProcessingPipeline[];
  /** Rule keys (id or name) to leave out, e.g. disabled in the rule repository. */
  disabled?: ReadonlySet<string>;
}

const isDisabled = (d: SigmaDocument, disabled: ReadonlySet<string> | undefined): boolean =>
  disabled !== undefined && ((d.id !== undefined && disabled.has(d.id)) || (d.name !== undefined && disabled.has(d.name)));

export function loadContent(paths: readonly string[], options: LoadOptions = {}): LoadedContent {
  const files = expandPaths(paths);
  const rejected: LoadedContent['rejected'] = [];
  const docs: { file: string; doc: SigmaDocument }[] = [];
  for (const file of files) {
    try {
      for (const doc of parseSigmaFile(file).documents) if (!isDisabled(doc, options.disabled)) docs.push({ file, doc });
    } catch (e) {
      if (!(e instanceof SigmaError)) throw e;
      rejected.push({ file, reason: e.message });
    }
  }
  const filters = docs.flatMap(({ doc }) => (doc.kind === 'filter' ? [doc] : []));
  const ruleSet = new RuleSet({ pipelines: options.pipelines ?? [], filters });
  for (const { file, doc } of docs) {
    if (doc.kind !== 'rule') continue;
    try {
      ruleSet.add(doc as SigmaRule);
    } catch (e) {
      if (!(e instanceof SigmaError)) throw e;
      rejected.push({ file, reason: e.message });
    }
  }
  const correlations = docs.flatMap(({ doc }) => (doc.kind === 'correlation' ? [doc] : []));
  return { ruleSet, correlations, filters, rejected, files };
}

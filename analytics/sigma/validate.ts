// Rule validation for CI and the `citysoc rules validate` command: parse every file and compile
// every detection rule with the JS matcher, classifying each file as ok / unsupported / error.
import { JsMatcherBackend } from './backends/js';
import { SigmaError, SigmaUnsupportedError, type SigmaWarning } from './errors';
import { expandPaths } from './paths';
import { parseSigmaFile } from './parse';
import type { ProcessingPipeline } from './pipeline';

export { expandPaths } from './paths';

export type ValidationResult =
  { file: string; status: 'ok'; documents: number; warnings: SigmaWarning[] } | { file: string; status: 'unsupported' | 'error'; reason: string; code: string };

export interface ValidationOptions {
  pipelines?: readonly ProcessingPipeline[];
}

/** Validates files; directories are walked for `.yml`/`.yaml`. */
export function validateRules(paths: readonly string[], options: ValidationOptions = {}): ValidationResult[] {
  const backend = new JsMatcherBackend(options.pipelines ?? []);
  return expandPaths(paths).map((file) => validateFile(file, backend));
}

function validateFile(file: string, backend: JsMatcherBackend): ValidationResult {
  try {
    const collection = parseSigmaFile(file);
    const warnings: SigmaWarning[] = [];
    for (const doc of collection.documents) {
      if (doc.kind === 'rule') warnings.push(...backend.compile(doc).rule.warnings);
      else warnings.push(...doc.warnings);
    }
    return { file, status: 'ok', documents: collection.documents.length, warnings };
  } catch (e) {
    if (e instanceof SigmaUnsupportedError) return { file, status: 'unsupported', reason: e.message, code: e.code };
    if (e instanceof SigmaError) return { file, status: 'error', reason: e.message, code: e.code };
    return { file, status: 'error', reason: `internal error: ${(e as Error).stack ?? String(e)}`, code: 'internal' };
  }
}

export function summarize(results: readonly ValidationResult[]): { total: number; ok: number; unsupported: number; error: number; acceptance: number } {
  const ok = results.filter((r) => r.status === 'ok').length;
  const unsupported = results.filter((r) => r.status === 'unsupported').length;
  return { total: results.length, ok, unsupported, error: results.length - ok - unsupported, acceptance: results.length ? ok / results.length : 1 };
}

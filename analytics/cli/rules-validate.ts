// `citysoc rules validate <path>...`: each rule file ok | unsupported (reason) | error (reason),
// then a summary; exit 1 when any file is in error (unsupported is valid Sigma we cannot run).
import { summarize, validateRules } from '../sigma/validate';
import { getPipeline } from '../sigma/pipelines';
import { EXIT, type CommandIo } from './io';

export async function runRulesValidate(paths: string[], io: CommandIo): Promise<number> {
  if (paths.length === 0) {
    io.err('rules validate: needs at least one rule file or folder');
    return EXIT.usage;
  }
  let results;
  try {
    results = validateRules(paths, { pipelines: [getPipeline('citysoc')] });
  } catch (e) {
    io.err(`rules validate: ${(e as Error).message}`);
    return EXIT.usage;
  }
  for (const r of results) io.out(r.status === 'ok' ? `ok ${r.file}` : `${r.status} ${r.file}: ${r.reason}`);
  const s = summarize(results);
  io.out(`${s.total} files: ${s.ok} ok, ${s.unsupported} unsupported, ${s.error} error (${(s.acceptance * 100).toFixed(2)}% accepted)`);
  return s.error > 0 ? EXIT.failed : EXIT.ok;
}

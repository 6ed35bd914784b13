/**
 * Reads policy files in casbin's CSV form (`p, id, sub, dom, obj, act, cond, eft`). Every line is
 * validated; the error names the file and line so a bad policy never loads half-way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CitySocError } from '../core/errors';
import { type ParsedLine, parseTuple } from './rules';

export interface SourcedLine {
  readonly line: ParsedLine;
  /** file:line, for reasons and errors. */
  readonly source: string;
}

export function parsePolicyText(text: string, file: string): SourcedLine[] {
  const out: SourcedLine[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const where = `${file}:${i + 1}`;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [ptype, ...values] = trimmed.split(',').map((s) => s.trim());
    const r = parseTuple(ptype!, values);
    if (r.ok) out.push({ line: r.line, source: where });
    else errors.push(`${where}: ${r.error}`);
  });
  if (errors.length) throw new CitySocError('CONFIG_INVALID', `invalid policy:\n  ${errors.join('\n  ')}`, { errors });
  return out;
}

/** Every *.csv in the directory, in name order. */
export function loadPolicyDir(dir: string): SourcedLine[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .flatMap((f) => parsePolicyText(readFileSync(path.join(dir, f), 'utf8'), path.join(path.basename(dir), f)));
}

export const DEFAULT_POLICY_DIR = path.join(__dirname, 'policies');
export const MODEL_FILE = path.join(__dirname, 'model.conf');

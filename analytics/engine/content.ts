// Loads detection content (rule files and folders) into what the Detector runs: a RuleSet of
// detection rules with filters folded in, and the correlation rules over them. With a
// compiled-rule cache, files whose path and content it knows are neither parsed nor compiled:
// their rules join the RuleSet prepared, and compile when an event first needs them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { infoOf, RuleSet } from '../sigma/backends/ruleset';
import { SigmaError } from '../sigma/errors';
import { applyFilters } from '../sigma/filters';
import type { SigmaCorrelationRule, SigmaDocument, SigmaFilter, SigmaRule } from '../sigma/model';
import { applyPipelines, type ProcessedRule, type ProcessingPipeline } from '../sigma/pipeline';
import { expandPaths } from '../sigma/paths';
import { decodePrefilter, encodePrefilter } from './prefilter-codec';
import { sha256, type CompiledRuleCache, type DocEntry, type FileEntry, type RulePack } from './rule-cache';

let parser: typeof import('../sigma/parse') | undefined;
/**
 * The Sigma YAML parser, loaded when a file must be parsed: it brings the YAML and schema
 * libraries, a fifth of a start that the cache otherwise serves without parsing anything.
 */
function sigmaParser(): typeof import('../sigma/parse') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (parser ??= require('../sigma/parse') as typeof import('../sigma/parse'));
}

export interface LoadedContent {
  ruleSet: RuleSet;
  correlations: SigmaCorrelationRule[];
  filters: SigmaFilter[];
  /** Files (or single rules) that could not be loaded, with the reason. */
  rejected: { file: string; reason: string }[];
  files: string[];
  /** With a cache: files taken from it, files compiled anew, and whether the prefilter was taken from it or built. */
  cache?: { hits: number; misses: number; prefilter: 'cached' | 'built' };
}

export interface LoadOptions {
  pipelines?: readonly ProcessingPipeline[];
  /** Rule keys (id or name) to leave out, e.g. disabled in the rule repository. */
  disabled?: ReadonlySet<string>;
  /** The compiled-rule cache (rule-cache.ts); without it every file is parsed and compiled. */
  cache?: CompiledRuleCache;
}

const isDisabled = (d: { id?: string; name?: string }, disabled: ReadonlySet<string> | undefined): boolean =>
  disabled !== undefined && ((d.id !== undefined && disabled.has(d.id)) || (d.name !== undefined && disabled.has(d.name)));

export function loadContent(paths: readonly string[], options: LoadOptions = {}): LoadedContent {
  if (options.cache) return loadCached(expandPaths(paths), options, options.cache);
  const files = expandPaths(paths);
  const rejected: LoadedContent['rejected'] = [];
  const docs: { file: string; doc: SigmaDocument }[] = [];
  for (const file of files) {
    try {
      for (const doc of sigmaParser().parseSigmaFile(file).documents) if (!isDisabled(doc, options.disabled)) docs.push({ file, doc });
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

/** One rule file as read: its bytes and key, and either its pack entry or its parse. */
interface FileState {
  file: string;
  /** The file's bytes: decoded only when the file must be parsed (a cache hit never is). */
  bytes: Buffer;
  key: string;
  cached?: FileEntry;
  parsed?: SigmaDocument[];
  error?: string;
}

function parseText(state: FileState): SigmaDocument[] {
  if (state.parsed) return state.parsed;
  return (state.parsed = sigmaParser().parseSigmaYaml(state.bytes.toString('utf8'), state.file).documents);
}

function loadCached(files: string[], options: LoadOptions, cache: CompiledRuleCache): LoadedContent {
  const pipelines = options.pipelines ?? [];
  const pack = cache.open(pipelines);
  const states: FileState[] = files.map((file) => {
    const bytes = readFileSync(file);
    const key = createHash('sha256').update(`${file}\u0000`).update(bytes).digest('hex');
    const state: FileState = { file, bytes, key };
    const cached = pack.lookup(key);
    if (cached) state.cached = cached;
    else
      try {
        parseText(state);
      } catch (e) {
        if (!(e instanceof SigmaError)) throw e;
        state.error = e.message;
      }
    return state;
  });
  // Filters and correlations first: filters shape every rule's tree, so they key the trees.
  const others = (s: FileState): SigmaDocument[] => {
    if (s.error !== undefined || (s.cached && 'error' in s.cached)) return [];
    if (s.cached && 'docs' in s.cached) return s.cached.docs.flatMap((d) => (d.kind === 'other' ? [JSON.parse(d.json) as SigmaDocument] : []));
    return (s.parsed ?? []).filter((d) => d.kind !== 'rule');
  };
  const otherDocs = states.flatMap((s) => others(s).map((doc) => ({ state: s, doc })));
  const filters = otherDocs.flatMap(({ doc }) => (doc.kind === 'filter' && !isDisabled(doc, options.disabled) ? [doc] : []));
  const correlations = otherDocs.flatMap(({ doc }) => (doc.kind === 'correlation' && !isDisabled(doc, options.disabled) ? [doc] : []));
  const filtersKey = sha256(JSON.stringify(filters));
  const ruleSet = new RuleSet({ pipelines, filters });
  const rejected: LoadedContent['rejected'] = [];
  let hits = 0;
  let misses = 0;
  for (const state of states) {
    const { cached } = state;
    if (cached && 'error' in cached) {
      rejected.push({ file: state.file, reason: cached.error });
      pack.reuse(state.key);
      hits++;
    } else if (cached && cached.filters === filtersKey && cached.docs.every((d) => d.kind === 'other' || d.tree || d.rejected !== undefined)) {
      addCachedFile(state, cached.docs, { ruleSet, pack, pipelines, filters, rejected, disabled: options.disabled });
      pack.reuse(state.key);
      hits++;
    } else {
      compileFile(state, { ruleSet, pack, filtersKey, rejected, disabled: options.disabled });
      misses++;
    }
  }
  // The rule set's clauses follow from what went into it (the pack already stands for the
  // compiler and pipelines): its files' keys in order, the filters and the rules left out. Finding
  // the prefilter by those spares serializing and hashing every clause on an unchanged start.
  const inputsKey = sha256(JSON.stringify([filtersKey, [...(options.disabled ?? [])].sort(), states.map((s) => s.key)]));
  const prefilter = usePrefilter(ruleSet, pack, cache, inputsKey);
  pack.save();
  return { ruleSet, correlations, filters, rejected, files, cache: { hits, misses, prefilter } };
}

/** Gives the rule set the prefilter kept for its inputs or its clauses, or builds it and keeps it. */
function usePrefilter(ruleSet: RuleSet, pack: RulePack, cache: CompiledRuleCache, inputsKey: string): 'cached' | 'built' {
  let clausesKey: string | undefined;
  const clauses = (): string => (clausesKey ??= sha256(JSON.stringify(ruleSet.clausesByRule())));
  const image = pack.prefilter(inputsKey, clauses);
  if (image)
    try {
      ruleSet.usePrefilter(decodePrefilter(image));
      return 'cached';
    } catch (e) {
      cache.warn(`the cached prefilter is unusable (${(e as Error).message}); built from the rules instead`);
    }
  pack.recordPrefilter(inputsKey, clauses(), encodePrefilter(ruleSet.prefilterTables()));
  return 'built';
}

interface CachedContext {
  ruleSet: RuleSet;
  pack: RulePack;
  pipelines: readonly ProcessingPipeline[];
  filters: SigmaFilter[];
  rejected: LoadedContent['rejected'];
  disabled: ReadonlySet<string> | undefined;
}

/** The rules of a file the pack knows, added prepared: each tree is read (and verified) when first needed. */
function addCachedFile(state: FileState, docs: DocEntry[], ctx: CachedContext): void {
  docs.forEach((d, index) => {
    if (d.kind !== 'rule' || isDisabled(d.info, ctx.disabled)) return;
    if (d.rejected !== undefined) {
      ctx.rejected.push({ file: state.file, reason: d.rejected });
      return;
    }
    const source = (): SigmaRule => parseText(state)[index] as SigmaRule;
    const tree = d.tree;
    ctx.ruleSet.addPrepared({
      info: d.info,
      clauses: d.clauses ?? [],
      // A tree that fails its check is rebuilt the way it was made: filters, then pipelines.
      processed: (): ProcessedRule => (tree && ctx.pack.tree(tree)) ?? applyPipelines(applyFilters(source(), ctx.filters), ctx.pipelines),
      source,
    });
  });
}

/** A file the pack does not know (or knows under other filters): parsed, compiled, and recorded. */
function compileFile(
  state: FileState,
  ctx: { ruleSet: RuleSet; pack: RulePack; filtersKey: string; rejected: LoadedContent['rejected']; disabled: ReadonlySet<string> | undefined },
): void {
  let docs: SigmaDocument[];
  try {
    docs = parseText(state);
  } catch (e) {
    if (!(e instanceof SigmaError)) throw e;
    ctx.rejected.push({ file: state.file, reason: e.message });
    ctx.pack.record(state.key, { error: e.message });
    return;
  }
  const trees = new Map<number, ProcessedRule>();
  const entries = docs.map((doc, index): DocEntry => {
    if (doc.kind !== 'rule') return { kind: 'other', json: JSON.stringify(doc) };
    const rule = doc;
    const defined = infoOf(rule);
    if (isDisabled(rule, ctx.disabled)) return { kind: 'rule', info: defined };
    try {
      const added = ctx.ruleSet.add(rule);
      trees.set(index, added.processed);
      return { kind: 'rule', info: defined, clauses: added.clauses };
    } catch (e) {
      if (!(e instanceof SigmaError)) throw e;
      ctx.rejected.push({ file: state.file, reason: e.message });
      return { kind: 'rule', info: defined, rejected: e.message };
    }
  });
  ctx.pack.record(state.key, { filters: ctx.filtersKey, docs: entries }, trees);
}

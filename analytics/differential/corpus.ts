// The differential corpus: rules (CitySOC's own and a deterministic selection of SigmaHQ's,
// read in place) and events (every sample of rules/, real loghub lines through the collectors'
// parsers, and events generated from each selected rule's detection).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceByName } from '../../collectors/parsers';
import { SigmaError } from '../sigma/errors';
import type { SigmaRule } from '../sigma/model';
import { parseSigmaFile } from '../sigma/parse';
import { applyPipelines, type ProcessingPipeline } from '../sigma/pipeline';
import { getPipeline } from '../sigma/pipelines';
import { expandPaths } from '../sigma/validate';
import { generateEvents } from './generate';
import { sharedPath } from '../../core/shared-data';

export const SIGMA_ROOT = sharedPath('data/sigma/rules');
const LOGHUB = sharedPath('data/loghub');
const OWN_RULES = join(__dirname, '../../rules');

export type Doc = Record<string, unknown>;

/** One rule under one pipeline: a windows rule is compared twice, in the EVTX and the ECS shape. */
export interface RuleCase {
  key: string;
  file: string;
  origin: 'citysoc' | 'sigmahq';
  pipeline: ProcessingPipeline;
  rule: SigmaRule;
}

export interface CorpusEvent {
  id: string;
  doc: Doc;
}

/** SigmaHQ logsources under test, and which pipelines each is converted with. */
const SIGMA_SELECTION: { dir: string; pipelines: string[]; every: number }[] = [
  // Every second process_creation rule keeps the run short; the choice is by sorted path, so stable.
  { dir: 'windows/process_creation', pipelines: ['windows', 'ecs'], every: 2 },
  { dir: 'linux', pipelines: ['ecs'], every: 1 },
  { dir: 'web', pipelines: ['ecs'], every: 1 },
];

export interface RuleLoad {
  cases: RuleCase[];
  /** Files that are not valid detection rules for this engine (parse errors, correlations only). */
  skipped: { file: string; reason: string }[];
}

export function loadRuleCases(): RuleLoad {
  const cases: RuleCase[] = [];
  const skipped: RuleLoad['skipped'] = [];
  const add = (file: string, origin: RuleCase['origin'], pipelines: string[]): void => {
    let docs;
    try {
      docs = parseSigmaFile(file).documents;
    } catch (e) {
      if (!(e instanceof SigmaError)) throw e;
      skipped.push({ file, reason: e.message });
      return;
    }
    docs.forEach((d, i) => {
      if (d.kind !== 'rule') return;
      for (const p of pipelines) cases.push({ key: `${file.replace(/^.*?\/rules\//, '')}#${i}@${p}`, file, origin, pipeline: getPipeline(p), rule: d });
    });
  };
  for (const file of expandPaths([OWN_RULES])) add(file, 'citysoc', ['citysoc']);
  for (const sel of SIGMA_SELECTION) {
    expandPaths([join(SIGMA_ROOT, sel.dir)])
      .sort()
      .filter((_, i) => i % sel.every === 0)
      .forEach((file) => add(file, 'sigmahq', sel.pipelines));
  }
  return { cases, skipped };
}

export function sampleEvents(): CorpusEvent[] {
  const out: CorpusEvent[] = [];
  for (const file of expandPaths([OWN_RULES])) {
    const samples = JSON.parse(readFileSync(file.replace(/\.yml$/, '.samples.json'), 'utf8')) as { positive: Doc[]; negative: Doc[] };
    const name = file.slice(OWN_RULES.length + 1).replace(/\.yml$/, '');
    samples.positive.forEach((doc, i) => out.push({ id: `sample:${name}:p${i}`, doc }));
    samples.negative.forEach((doc, i) => out.push({ id: `sample:${name}:n${i}`, doc }));
  }
  return out;
}

const LOGHUB_SOURCES: [file: string, source: string][] = [
  ['OpenSSH/OpenSSH_2k.log', 'openssh'],
  ['Linux/Linux_2k.log', 'linux-syslog'],
  ['Apache/Apache_2k.log', 'apache-error'],
  ['HDFS/HDFS_2k.log', 'hdfs'],
];

/** Real lines through the collectors' parsers; event.original is the line, as the ingest pipeline sets it. */
export function loghubEvents(): CorpusEvent[] {
  const ctx = { defaultYear: 2026, receivedAt: new Date('2026-12-31T00:00:00Z') };
  const out: CorpusEvent[] = [];
  for (const [file, name] of LOGHUB_SOURCES) {
    const source = sourceByName(name);
    if (!source) throw new Error(`no parser named ${name}`);
    readFileSync(join(LOGHUB, file), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .forEach((line, i) => {
        const parsed = source.parse({ kind: 'line', line }, ctx);
        if (!parsed.ok) return;
        const event = parsed.event as Doc;
        out.push({ id: `loghub:${name}:${i}`, doc: { ...event, event: { ...(event.event as Doc), original: line } } });
      });
  }
  return out;
}

export function generatedEvents(cases: readonly RuleCase[]): CorpusEvent[] {
  return cases
    .filter((c) => c.origin === 'sigmahq')
    .flatMap((c) => generateEvents(applyPipelines(c.rule, [c.pipeline])).map((doc, i) => ({ id: `gen:${c.key}:${i}`, doc })));
}

/**
 * The event as the platform stores it: the gateway keeps every input's original text, so an event
 * with neither `event.original` nor `message` (a hand-written sample) gets its JSON text as the
 * original — what keyword searches read on every engine.
 */
export function asStored(e: CorpusEvent): CorpusEvent {
  const doc = e.doc as { message?: unknown; event?: { original?: unknown } };
  if (doc.message !== undefined || doc.event?.original !== undefined) return e;
  return { id: e.id, doc: { ...e.doc, event: { ...(doc.event ?? {}), original: JSON.stringify(e.doc) } } as never };
}

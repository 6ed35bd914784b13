/**
 * A simulation run through the whole of UEBA as the platform would: its raw logs through the
 * ingest pipeline (parsers, enrichment), the events through the embedded engine and the scorer
 * in batches, the risk alerts compared with the answer key. The benchmark prints it; a test holds
 * it to the levels the README states.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Doc } from '../../core/doc';
import type { Signal } from '../../core/signal';
import type { UebaConfig } from './config';
import { FeatureEngine } from './engine/engine';
import { evaluate, type Evaluation } from './evaluate';
import { UebaScorer } from './scorer';
import { simulatedEvents } from './simulator/ingest';
import { LAYOUT } from './simulator/layout';
import type { AnswerKey } from './simulator/simulate';

export interface DetectionRun {
  readonly evaluation: Evaluation;
  readonly alerts: readonly Signal[];
  readonly lines: number;
  readonly events: number;
  readonly deadLetters: number;
  /** Time in the ingest pipeline (parse, enrich, validate), ms. */
  readonly parseMs: number;
  /** Time in the engine and the scorer, peer recomputations included, ms. */
  readonly scoreMs: number;
  readonly peerMs: readonly number[];
  readonly engine: FeatureEngine;
  readonly scorer: UebaScorer;
}

/**
 * `endOfInput: false` leaves the last hours open, as the platform's runtime does after a replay
 * (they close when later events pass them); the benchmark closes them.
 */
export async function runDetection(dir: string, cfg: UebaConfig, batchSize = 1000, endOfInput = true): Promise<DetectionRun> {
  const key = JSON.parse(await readFile(path.join(dir, LAYOUT.answerKey), 'utf8')) as AnswerKey;
  const engine = new FeatureEngine(cfg);
  const scorer = new UebaScorer(cfg);
  const alerts: Signal[] = [];
  let lines = 0;
  let events = 0;
  let dead = 0;
  let parseMs = 0;
  let scoreMs = 0;
  let batch: Doc[] = [];
  const score = () => {
    const t = performance.now();
    for (const e of batch) engine.process(e);
    for (const s of scorer.observe(engine.drain()).signals) if (s.rule.id.startsWith('ueba.risk.')) alerts.push(s);
    scoreMs += performance.now() - t;
    batch = [];
  };
  const it = simulatedEvents(dir)[Symbol.asyncIterator]();
  for (;;) {
    const t = performance.now();
    const next = await it.next();
    parseMs += performance.now() - t;
    if (next.done) break;
    lines++;
    if (!next.value.event) {
      dead++;
      continue;
    }
    events++;
    batch.push(next.value.event as Doc);
    if (batch.length >= batchSize) score();
  }
  score();
  const t = performance.now();
  if (endOfInput) engine.flush();
  for (const s of scorer.observe(engine.drain()).signals) if (s.rule.id.startsWith('ueba.risk.')) alerts.push(s);
  scoreMs += performance.now() - t;
  return {
    evaluation: evaluate(key.scenarios, alerts, key.users * key.days),
    alerts,
    lines,
    events,
    deadLetters: dead,
    parseMs,
    scoreMs,
    peerMs: scorer.peerMillis,
    engine,
    scorer,
  };
}

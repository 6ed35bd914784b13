/**
 * Entity risk the way Elastic's entity risk scoring computes it: the risk inputs of a window,
 * each decayed by its age (half-life), ranked by score, summed with weights 1/i^1.5 and
 * normalised by ζ(1.5) (the sum of all weights, so 100 means "every input maximal"), then the
 * entity's criticality applied as an odds multiplier. Every input's contribution is kept, so the
 * score explains itself.
 */
import type { RiskLevel, UebaConfig } from '../config';
import { RISK_LEVELS } from '../config';

/** ζ(1.5) = Σ 1/i^1.5, i = 1…∞. */
export const ZETA_1_5 = 2.612375348685488;

export interface RiskInput {
  /** One input per anomaly, or per feature family and hour (a repeat keeps the higher score). */
  readonly id: string;
  /** The anomaly it stands for. */
  readonly anomaly: string;
  readonly at: number;
  /** 0–100, after weights, peer comparison and the data's classification. */
  readonly score: number;
  readonly kind: string;
  readonly feature: string;
  readonly summary: { readonly zh: string; readonly en: string };
  readonly eventIds: readonly string[];
  /** Other entities the anomaly names (datasets, hosts, addresses). */
  readonly related: readonly { readonly type: 'user' | 'host' | 'ip' | 'dataset'; readonly value: string }[];
}

export interface RiskContribution {
  readonly id: string;
  readonly feature: string;
  readonly kind: string;
  readonly at: number;
  readonly score: number;
  /** Score after decay. */
  readonly decayed: number;
  /** Points of the final score this input accounts for. */
  readonly points: number;
  /** Its share of the score, 0–1. */
  readonly share: number;
  readonly summary: { readonly zh: string; readonly en: string };
}

export interface RiskScore {
  readonly score: number;
  readonly level: RiskLevel | 'none';
  readonly at: number;
  /** Inputs inside the window. */
  readonly inputs: number;
  readonly criticality: number;
  /** The inputs that matter most, largest first. */
  readonly contributions: readonly RiskContribution[];
}

export function levelOf(score: number, cfg: UebaConfig): RiskLevel | 'none' {
  const l = cfg.risk.levels;
  return score >= l.critical ? 'critical' : score >= l.high ? 'high' : score >= l.moderate ? 'moderate' : score >= l.low ? 'low' : 'none';
}

export function levelRank(level: RiskLevel | 'none'): number {
  return level === 'none' ? -1 : RISK_LEVELS.indexOf(level);
}

/** Elastic's asset criticality: multiplies the odds p/(1-p) of a 0–100 score. */
export function withCriticality(score: number, modifier: number): number {
  if (modifier === 1 || score <= 0) return score;
  if (score >= 100) return 100;
  const p = score / 100;
  const odds = (p / (1 - p)) * modifier;
  return (100 * odds) / (1 + odds);
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function riskOf(inputs: Iterable<RiskInput>, at: number, cfg: UebaConfig, criticality = 1, keep = 10): RiskScore {
  const windowMs = cfg.risk.windowDays * 86_400_000;
  const halfLife = cfg.risk.halfLifeDays * 86_400_000;
  const live: { input: RiskInput; decayed: number }[] = [];
  for (const input of inputs) {
    const age = at - input.at;
    if (age < 0 || age > windowMs) continue;
    live.push({ input, decayed: input.score * Math.pow(0.5, age / halfLife) });
  }
  live.sort((a, b) => b.decayed - a.decayed || (a.input.id < b.input.id ? -1 : 1));
  const ranked = live.slice(0, cfg.risk.maxInputs);
  let raw = 0;
  const terms = ranked.map((x, i) => {
    const term = x.decayed / Math.pow(i + 1, 1.5);
    raw += term;
    return term;
  });
  const normalized = Math.min(100, raw / ZETA_1_5);
  const score = withCriticality(normalized, criticality);
  const contributions = ranked.slice(0, keep).map((x, i) => ({
    id: x.input.id,
    feature: x.input.feature,
    kind: x.input.kind,
    at: x.input.at,
    score: round2(x.input.score),
    decayed: round2(x.decayed),
    points: raw > 0 ? round2((terms[i]! / raw) * score) : 0,
    share: raw > 0 ? round2(terms[i]! / raw) : 0,
    summary: x.input.summary,
  }));
  return { score: round2(score), level: levelOf(score, cfg), at, inputs: live.length, criticality, contributions };
}

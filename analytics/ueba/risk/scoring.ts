/**
 * How much an anomaly weighs as a risk input (0–100), and the sentence that explains it in
 * Chinese and English: the feature, what was observed, the baseline it was judged against, and
 * what the user's peers do. The weights per kind and feature come from the configuration; peers
 * raise an uncommon anomaly and lower a common one; the classification of the data involved
 * raises the odds as Elastic's asset criticality does.
 */
import type { UebaConfig } from '../config';
import { ENTITY_SETS, type FeatureDef } from '../features/definitions';
import type { Anomaly } from '../engine/rows';
import type { PeerComparison } from '../peers/compare';
import { withCriticality } from './risk';

export interface ScoredAnomaly extends Anomaly {
  readonly score: number;
  readonly peers?: PeerComparison;
  readonly summary: { readonly zh: string; readonly en: string };
}

const PEER_FACTOR = { uncommon: 1.25, common: 0.5, usual: 1 } as const;
const FIRST_SEEN_BASE: Readonly<Record<string, number>> = { new_dataset: 30, new_owner_department: 50, new_host: 30, new_source_subnet: 60 };
const WEEKDAYS_ZH = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const WEEKDAYS_EN = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const RARITY_LABELS: Readonly<Record<string, { zh: string; en: string }>> = {
  new_dataset: { zh: '首次访问数据集', en: 'first access to dataset' },
  new_owner_department: { zh: '首次访问该部门数据', en: 'first access to data of' },
  new_host: { zh: '首次登录主机', en: 'first login to host' },
  new_source_subnet: { zh: '首次从该网段活动', en: 'first activity from network' },
};

function label(a: Anomaly): { zh: string; en: string } {
  return featureDef(a)?.label ?? { zh: a.feature, en: a.feature };
}

const fmt = (x: number) => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toFixed(2));

function typical(a: Anomaly): number | undefined {
  if (!a.baseline) return undefined;
  const f = featureDef(a);
  return f?.model?.scale === 'log' ? Math.max(0, Math.round(Math.exp(a.baseline.mean) - 1)) : Math.round(a.baseline.mean * 100) / 100;
}

function peerText(p: PeerComparison | undefined): { zh: string; en: string } {
  if (!p) return { zh: '', en: '' };
  const vs = p.peerMean !== undefined ? { zh: `，同组通常约 ${fmt(p.peerMean)}`, en: `, peers typically ≈${fmt(p.peerMean)}` } : { zh: '', en: '' };
  const often =
    p.frequency && p.frequency.user >= 3 && p.frequency.user >= 4 * Math.max(1, p.frequency.peers)
      ? {
          zh: `，近期 ${p.frequency.user} 个活跃小时有此行为而同组平均 ${p.frequency.peers}`,
          en: `, in ${p.frequency.user} recent active hours against ${p.frequency.peers} for a peer`,
        }
      : { zh: '', en: '' };
  if (p.verdict === 'uncommon')
    return {
      zh: `；在同组中罕见（${p.peers} 名同组中 ${p.doing} 人有此行为${vs.zh}${often.zh}）`,
      en: `; uncommon among peers (${p.doing} of ${p.peers}${vs.en}${often.en})`,
    };
  if (p.verdict === 'common')
    return { zh: `；在同组中常见（${p.peers} 名同组中 ${p.doing} 人有此行为）`, en: `; common among peers (${p.doing} of ${p.peers})` };
  return { zh: `；同组 ${p.peers} 人中 ${p.doing} 人有此行为${vs.zh}`, en: `; ${p.doing} of ${p.peers} peers do this${vs.en}` };
}

export function summarize(a: Anomaly, cfg: UebaConfig, peers?: PeerComparison): { zh: string; en: string } {
  const pt = peerText(peers);
  const data =
    a.classification === '涉密' || a.classification === '敏感'
      ? { zh: `（涉及${a.classification}数据）`, en: ` (touching ${a.classification} data)` }
      : { zh: '', en: '' };
  switch (a.kind) {
    case 'numeric': {
      const l = label(a);
      const z = a.baseline!.z.toFixed(1);
      return {
        zh: `${l.zh} ${fmt(Number(a.observed))}，远高于其基线约 ${fmt(typical(a)!)}（z=${z}，${a.baseline!.n} 个活跃小时）${data.zh}${pt.zh}`,
        en: `${l.en} ${fmt(Number(a.observed))}, far above its baseline of ≈${fmt(typical(a)!)} (z=${z} over ${a.baseline!.n} active hours)${data.en}${pt.en}`,
      };
    }
    case 'rare_hour': {
      const how = Number(a.observed);
      const day = Math.floor(how / 24);
      const hh = String(how % 24).padStart(2, '0');
      return {
        zh: `在${WEEKDAYS_ZH[day]} ${hh}:00 活动，而过去在该时段前后从未活动${data.zh}${pt.zh}`,
        en: `active on ${WEEKDAYS_EN[day]} at ${hh}:00, an hour of the week it has never been active around${data.en}${pt.en}`,
      };
    }
    case 'dormant': {
      const days = Math.round(Number(a.observed) / 24);
      return {
        zh: `沉寂 ${days} 天后再次活动（阈值 ${cfg.dormancy.days} 天）`,
        en: `active again after ${days} days without activity (threshold ${cfg.dormancy.days} days)`,
      };
    }
    case 'first_seen': {
      const l = RARITY_LABELS[a.feature] ?? { zh: a.feature, en: a.feature };
      return { zh: `${l.zh} ${a.value}${data.zh}${pt.zh}`, en: `${l.en} ${a.value}${data.en}${pt.en}` };
    }
    case 'frequency': {
      const l = label(a);
      const f = peers?.frequency;
      return {
        zh: `近 ${cfg.peers.lookbackDays} 天内有${l.zh}的活跃小时数 ${f?.user}，同组平均 ${f?.peers}（${peers?.peers} 名同组）`,
        en: `${l.en} in ${f?.user} active hours of the last ${cfg.peers.lookbackDays} days, against ${f?.peers} for a peer (${peers?.peers} peers)`,
      };
    }
  }
}

/**
 * A feature the user's baseline says is almost always zero (exports, grants) yields huge z-scores
 * for any value at all; its z says "rare", not "how much". Then how much comes from the peers: the
 * size against what they do when they do it.
 */
function numericBase(a: Anomaly, cfg: UebaConfig, peers: PeerComparison | undefined): number {
  const def = featureDef(a);
  const sparse = def?.model?.scale === 'log' && a.baseline!.mean < Math.LN2;
  if (!sparse) return 30 + 6 * (a.baseline!.z - (def?.model?.zThreshold ?? cfg.baseline.zThreshold));
  return 35 + 8 * Math.max(0, (peers?.peerZ ?? 0) - 2);
}

export function featureDef(a: Pick<Anomaly, 'entityType' | 'feature'>): FeatureDef | undefined {
  return ENTITY_SETS.find((s) => s.entity === a.entityType)?.features.find((f) => f.name === a.feature);
}

/**
 * `hoursAway`: for an hour-of-week anomaly, how many hours it lies from the nearest hour of day the
 * user is usually active at (from their profile): an evening after a late day weighs less than 3 a.m.
 */
export function scoreAnomaly(a: Anomaly, cfg: UebaConfig, peers?: PeerComparison, hoursAway?: number): ScoredAnomaly {
  const w = cfg.risk.weights;
  let base: number;
  switch (a.kind) {
    case 'numeric':
      base = Math.min(100, numericBase(a, cfg, peers)) * w.numeric;
      break;
    case 'rare_hour':
      // A person's hours are theirs; a server is used by several people at their own hours.
      base = (a.entityType !== 'user' ? 30 : hoursAway === undefined ? 45 : 30 + 10 * Math.min(hoursAway, 6)) * w.rare_hour;
      break;
    case 'dormant':
      base = Math.min(100, 80 + (Number(a.observed) / 24 - cfg.dormancy.days)) * w.dormant;
      break;
    case 'first_seen':
      base = (FIRST_SEEN_BASE[a.feature] ?? 30) * w.first_seen;
      break;
    case 'frequency': {
      const f = peers?.frequency;
      const ratio = f ? f.user / Math.max(1, f.peers) : 1;
      base = (30 + 10 * Math.log2(Math.max(1, ratio))) * w.frequency;
      break;
    }
  }
  base *= cfg.risk.features[a.feature] ?? featureDef(a)?.weight ?? 1;
  base *= cfg.risk.entities[a.entityType];
  if (a.kind !== 'frequency') base *= PEER_FACTOR[peers?.verdict ?? 'usual'];
  // A dataset's own risk takes its classification as the entity's criticality, not per input.
  const cls = a.entityType === 'dataset' ? undefined : (a.classification as keyof UebaConfig['risk']['classification'] | undefined);
  const score = withCriticality(Math.min(100, Math.max(0, base)), cls ? cfg.risk.classification[cls] : 1);
  return { ...a, score: Math.round(score * 100) / 100, ...(peers ? { peers } : {}), summary: summarize(a, cfg, peers) };
}

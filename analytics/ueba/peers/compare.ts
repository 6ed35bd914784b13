/**
 * "Uncommon among peers": an anomaly measured against what the user's top peers do. A first
 * contact with a dataset none of them uses, an export volume far beyond what they export, work at
 * an hour none of them works, is uncommon; the same among peers who do it routinely is common.
 */
import type { UebaConfig } from '../config';
import { scaled } from '../engine/baseline';
import type { Anomaly } from '../engine/rows';
import type { PeerModel } from './groups';
import type { ProfileStore } from './profiles';

export type PeerVerdict = 'uncommon' | 'common' | 'usual';

export interface PeerComparison {
  readonly peers: number;
  /** For volumes: how many active hours of the look-back had it, for the user and on average for a peer. */
  readonly frequency?: { readonly user: number; readonly peers: number };
  /** Peers who did it at all in the look-back (touched the value, had the feature, worked the hour). */
  readonly doing: number;
  /** For volumes: the peers' typical value when they do it, and how far the user is above it. */
  readonly peerMean?: number;
  readonly peerZ?: number;
  readonly verdict: PeerVerdict;
  /** The peers compared with (first few), for the explanation. */
  readonly sample: readonly string[];
}

const COMMON_SHARE = 0.3;

export function comparePeers(
  a: Anomaly,
  model: PeerModel | undefined,
  store: ProfileStore,
  cfg: UebaConfig,
  datasetDepartment: (dataset: string) => string | undefined,
): PeerComparison | undefined {
  if (a.entityType !== 'user' || !model || a.kind === 'dormant') return undefined;
  const assigned = model.users.get(a.entity);
  if (!assigned || assigned.peers.length === 0) return undefined;
  const peers = assigned.peers.map((p) => store.users.get(p.user)).filter((p) => p !== undefined);
  const sample = assigned.peers.slice(0, 5).map((p) => p.user);
  const n = peers.length;
  if (n === 0) return undefined;
  const verdictOf = (doing: number, peerZ?: number): PeerVerdict => {
    if (doing === 0 || (peerZ !== undefined && peerZ >= cfg.baseline.zThreshold)) return 'uncommon';
    // Peers who do it at this size make it common even if few do it at all (the few who export, export this much).
    if (peerZ !== undefined ? doing >= 2 && peerZ < 2 : doing / n >= COMMON_SHARE) return 'common';
    return 'usual';
  };
  if (a.kind === 'first_seen') {
    const value = String(a.value);
    let doing = 0;
    if (a.feature === 'new_dataset') doing = peers.filter((p) => (p.datasets.get(value) ?? 0) >= 0.5).length;
    else if (a.feature === 'new_owner_department') doing = peers.filter((p) => [...p.datasets.keys()].some((d) => datasetDepartment(d) === value)).length;
    else return undefined; // hosts and networks are personal: a peer's workstation says nothing
    return { peers: n, doing, verdict: verdictOf(doing), sample };
  }
  if (a.kind === 'rare_hour') {
    const hod = a.observed === undefined ? -1 : Number(a.observed) % 24;
    const doing = peers.filter((p) => p.hours[hod]! >= 0.5).length;
    return { peers: n, doing, verdict: verdictOf(doing), sample };
  }
  const i = store.featureIndex(a.feature);
  if (i < 0) return undefined;
  if (a.kind === 'frequency') {
    let peerNz = 0;
    let doing = 0;
    for (const p of peers) {
      peerNz += p.nz[i]!;
      if (p.nz[i]! >= 0.5) doing++;
    }
    const frequency = { user: Math.round((store.users.get(a.entity)?.nz[i] ?? 0) * 10) / 10, peers: Math.round((peerNz / n) * 10) / 10 };
    return { peers: n, doing, frequency, verdict: 'uncommon', sample };
  }
  const f = store.features[i]!;
  let doing = 0;
  let cnt = 0;
  let sum = 0;
  let sumsq = 0;
  for (const p of peers) {
    if (p.nz[i]! >= 0.5) doing++;
    cnt += p.nz[i]!;
    sum += p.nzSum[i]!;
    sumsq += p.nzSumSq[i]!;
  }
  const v = scaled(f.model!.scale, Number(a.observed));
  const own = store.users.get(a.entity);
  const frequency = { user: Math.round((own?.nz[i] ?? 0) * 10) / 10, peers: Math.round((cnt / n) * 10) / 10 };
  // Doing it far more often than peers (a little every day, where they do it now and then) is uncommon whatever the size.
  const often = frequency.user >= 3 && frequency.user >= 4 * Math.max(1, frequency.peers);
  if (cnt < 1) return { peers: n, doing, frequency, verdict: often ? 'uncommon' : verdictOf(doing), sample };
  const mean = sum / cnt;
  const std = Math.max(Math.sqrt(Math.max(sumsq / cnt - mean * mean, 0)), f.model!.minStd);
  const peerZ = Math.round(((v - mean) / std) * 100) / 100;
  const peerMean = f.model!.scale === 'log' ? Math.round(Math.exp(mean) - 1) : Math.round(mean * 100) / 100;
  return { peers: n, doing, frequency, peerMean, peerZ, verdict: often ? 'uncommon' : verdictOf(doing, peerZ), sample };
}

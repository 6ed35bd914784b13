/**
 * Peer groups, recomputed daily from behaviour:
 *  - static: department × role from the identity directory (department alone when that is too small);
 *  - dynamic: each user's behaviour vector (which datasets, TF-IDF weighted; when in the day; how
 *    much of each feature) reduced with PCA (ml-pca) and clustered with k-means (ml-kmeans,
 *    k-means++ with a fixed seed, so a recomputation over the same profiles gives the same groups);
 *    clusters smaller than the minimum group size are folded into their nearest large cluster;
 *  - top peers, after Microsoft Sentinel: the users whose TF-IDF weighted "memberships" (datasets
 *    used, department, role) are most similar, among the user's cluster and static group, each
 *    with the memberships that make them peers.
 */
import { kmeans } from 'ml-kmeans';
import { Matrix } from 'ml-matrix';
import { PCA } from 'ml-pca';
import type { UebaConfig } from '../config';
import type { ProfileStore } from './profiles';

export interface Peer {
  readonly user: string;
  /** Cosine similarity of the TF-IDF membership vectors, 0–1. */
  readonly similarity: number;
  /** The memberships they share that weigh most: `dataset:ga.hukou`, `department:公安`, `role:analyst`. */
  readonly shared: readonly string[];
}

export interface PeerAssignment {
  readonly cluster: number;
  readonly staticGroup: string;
  readonly peers: readonly Peer[];
}

export interface PeerModel {
  readonly computedAt: number;
  readonly users: ReadonlyMap<string, PeerAssignment>;
  readonly clusters: number;
  readonly clusterSizes: readonly number[];
  readonly staticGroups: ReadonlyMap<string, readonly string[]>;
  /** Variance the kept components explain, 0–1. */
  readonly explained: number;
}

type Sparse = Map<string, number>;

function memberships(store: ProfileStore, users: readonly string[]): Sparse[] {
  const tf = users.map((u) => {
    const p = store.users.get(u)!;
    const m: Sparse = new Map();
    for (const [d, c] of p.datasets) if (c >= 0.5) m.set(`dataset:${d}`, Math.log(1 + c));
    if (p.department) m.set(`department:${p.department}`, 1);
    if (p.role) m.set(`role:${p.role}`, 1);
    return m;
  });
  const df = new Map<string, number>();
  for (const m of tf) for (const k of m.keys()) df.set(k, (df.get(k) ?? 0) + 1);
  const n = users.length;
  return tf.map((m) => {
    const out: Sparse = new Map();
    let norm = 0;
    for (const [k, w] of m) {
      const x = w * Math.log((1 + n) / (1 + df.get(k)!));
      if (x > 0) {
        out.set(k, x);
        norm += x * x;
      }
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [k, x] of out) out.set(k, x / norm);
    return out;
  });
}

/** Cosine similarity of two unit-length sparse vectors. */
function similarity(a: Sparse, b: Sparse): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sim = 0;
  for (const [k, x] of small) {
    const y = large.get(k);
    if (y !== undefined) sim += x * y;
  }
  return sim;
}

/** The memberships that weigh most in two users' similarity: why they are peers. */
function sharedMemberships(a: Sparse, b: Sparse): string[] {
  const parts: [string, number][] = [];
  for (const [k, x] of a) {
    const y = b.get(k);
    if (y !== undefined) parts.push([k, x * y]);
  }
  parts.sort((p, q) => q[1] - p[1] || (p[0] < q[0] ? -1 : 1));
  return parts.slice(0, 3).map((p) => p[0]);
}

/** Dense behaviour vectors: membership TF-IDF over the common vocabulary, hours of day, feature habits. */
function behaviour(store: ProfileStore, users: readonly string[], mem: readonly Sparse[]): number[][] {
  const vocab = [...new Set(mem.flatMap((m) => [...m.keys()]))].sort();
  const index = new Map(vocab.map((k, i) => [k, i]));
  const width = store.features.length;
  const rows = users.map((u, r) => {
    const p = store.users.get(u)!;
    const v = new Array<number>(vocab.length + 24 + 2 * width).fill(0);
    for (const [k, x] of mem[r]!) v[index.get(k)!] = x;
    const hours = p.hours.reduce((a, b) => a + b, 0) || 1;
    for (let h = 0; h < 24; h++) v[vocab.length + h] = p.hours[h]! / hours;
    for (let i = 0; i < width; i++) {
      v[vocab.length + 24 + i] = p.rows > 0 ? p.nz[i]! / p.rows : 0; // how often
      v[vocab.length + 24 + width + i] = p.nz[i]! > 0 ? p.nzSum[i]! / p.nz[i]! : 0; // how much when it happens
    }
    return v;
  });
  // Habits are in different units: each column scaled to unit spread so none dominates the distance.
  const cols = rows[0]?.length ?? 0;
  for (let c = vocab.length; c < cols; c++) {
    let mean = 0;
    for (const r of rows) mean += r[c]!;
    mean /= rows.length;
    let sd = 0;
    for (const r of rows) sd += (r[c]! - mean) ** 2;
    sd = Math.sqrt(sd / rows.length) || 1;
    for (const r of rows) r[c] = (r[c]! - mean) / sd / Math.sqrt(cols - vocab.length);
  }
  return rows;
}

/**
 * Centred data and its covariance matrix, accumulated in flat typed arrays: ml-pca computes the
 * same with a generic matrix product (element getters), which took most of a 10,000-user
 * recomputation; the eigen-decomposition stays ml-pca's.
 */
function covarianceOf(data: readonly number[][]): { centered: Float64Array[]; covariance: Matrix } {
  const n = data.length;
  const d = data[0]!.length;
  const mean = new Float64Array(d);
  for (const r of data) for (let j = 0; j < d; j++) mean[j]! += r[j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  const centered = data.map((r) => Float64Array.from(r, (x, j) => x - mean[j]!));
  const acc = new Float64Array(d * d);
  for (const r of centered)
    for (let i = 0; i < d; i++) {
      const x = r[i]!;
      if (x === 0) continue;
      const row = i * d;
      for (let j = i; j < d; j++) acc[row + j]! += x * r[j]!;
    }
  const covariance = new Matrix(d, d);
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) {
      const c = acc[i * d + j]! / (n - 1);
      covariance.set(i, j, c);
      covariance.set(j, i, c);
    }
  return { centered, covariance };
}

/** The centred rows on the first k eigenvectors. */
function project(centered: readonly Float64Array[], vectors: Matrix, k: number): number[][] {
  const d = vectors.rows;
  const v = Array.from({ length: k }, (_, c) => Float64Array.from({ length: d }, (_, r) => vectors.get(r, c)));
  return centered.map((row) =>
    v.map((col) => {
      let s = 0;
      for (let r = 0; r < d; r++) s += row[r]! * col[r]!;
      return s;
    }),
  );
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i]! - b[i]!) ** 2;
  return d;
}

export function computePeers(store: ProfileStore, cfg: UebaConfig, at: number, seed = 1): PeerModel {
  const users = [...store.users.keys()].filter((u) => store.users.get(u)!.rows >= 1).sort();
  const n = users.length;
  const min = cfg.peers.minGroupSize;
  const staticGroups = new Map<string, string[]>();
  const byDept = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, k: string, u: string) => {
    const list = m.get(k);
    if (list) list.push(u);
    else m.set(k, [u]);
  };
  for (const u of users) {
    const p = store.users.get(u)!;
    add(staticGroups, `${p.department ?? '?'}/${p.role ?? '?'}`, u);
    add(byDept, p.department ?? '?', u);
  }
  const staticOf = (u: string): string => {
    const p = store.users.get(u)!;
    const key = `${p.department ?? '?'}/${p.role ?? '?'}`;
    return staticGroups.get(key)!.length >= min ? key : (p.department ?? '?');
  };
  const membersOfStatic = (g: string): readonly string[] => staticGroups.get(g) ?? byDept.get(g) ?? [];
  if (n === 0) return { computedAt: at, users: new Map(), clusters: 0, clusterSizes: [], staticGroups, explained: 0 };

  const mem = memberships(store, users);
  const data = behaviour(store, users, mem);
  let points: number[][];
  let explained = 1;
  const dims = data[0]!.length;
  if (n > 2 && dims > cfg.peers.components) {
    const { centered, covariance } = covarianceOf(data);
    const pca = new PCA(covariance, { isCovarianceMatrix: true });
    const k = Math.min(cfg.peers.components, dims);
    points = project(centered, pca.getEigenvectors(), k);
    explained = pca.getCumulativeVariance()[k - 1] ?? 1;
  } else points = data;

  const k = Math.max(1, Math.min(Math.floor(n / min), Math.round(n / cfg.peers.clusterSize)));
  const clustering =
    n > k
      ? kmeans(points, k, { initialization: 'kmeans++', seed, maxIterations: 50 })
      : { clusters: users.map((_, i) => i % k), centroids: points.slice(0, k) };
  const clusters = [...clustering.clusters];
  // Fold clusters below the minimum size into the nearest cluster that is large enough.
  const sizes = () => {
    const s = new Array<number>(k).fill(0);
    for (const c of clusters) s[c]!++;
    return s;
  };
  let size = sizes();
  const large = size.map((s, c) => (s >= min ? c : -1)).filter((c) => c >= 0);
  if (large.length > 0) {
    for (let i = 0; i < n; i++) {
      if (size[clusters[i]!]! >= min) continue;
      let best = large[0]!;
      for (const c of large) if (squaredDistance(points[i]!, clustering.centroids[c]!) < squaredDistance(points[i]!, clustering.centroids[best]!)) best = c;
      clusters[i] = best;
    }
    size = sizes();
  }

  const byCluster = new Map<number, number[]>();
  clusters.forEach((c, i) => {
    const list = byCluster.get(c);
    if (list) list.push(i);
    else byCluster.set(c, [i]);
  });
  const position = new Map(users.map((u, i) => [u, i]));
  const assignments = new Map<string, PeerAssignment>();
  for (let i = 0; i < n; i++) {
    const u = users[i]!;
    const group = staticOf(u);
    const candidates = new Set<number>([...byCluster.get(clusters[i]!)!, ...membersOfStatic(group).map((x) => position.get(x)!)]);
    candidates.delete(i);
    const scored: { j: number; sim: number }[] = [];
    for (const j of candidates) {
      const sim = similarity(mem[i]!, mem[j]!);
      if (sim > 0) scored.push({ j, sim: Math.round(sim * 1000) / 1000 });
    }
    scored.sort((a, b) => b.sim - a.sim || (users[a.j]! < users[b.j]! ? -1 : 1));
    const peers: Peer[] = scored
      .slice(0, cfg.peers.topPeers)
      .map((x) => ({ user: users[x.j]!, similarity: x.sim, shared: sharedMemberships(mem[i]!, mem[x.j]!) }));
    assignments.set(u, { cluster: clusters[i]!, staticGroup: group, peers });
  }
  return { computedAt: at, users: assignments, clusters: size.filter((s) => s > 0).length, clusterSizes: size.filter((s) => s > 0), staticGroups, explained };
}

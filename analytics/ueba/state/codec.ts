/**
 * The engine's and the scorer's state as JSON documents for the state database: typed arrays as
 * base64 of their bytes (exact doubles, a third of their decimal size), sets and maps as arrays.
 */
import { Baseline } from '../engine/baseline';
import { EntityState, OpenHour, RarityState } from '../engine/engine';
import type { EntityType } from '../features/definitions';
import type { PeerAssignment, PeerModel } from '../peers/groups';
import { UserProfile } from '../peers/profiles';
import type { RiskInput, RiskScore } from '../risk/risk';
import type { ScoredAnomaly } from '../risk/scoring';
import type { EntityRisk } from '../scorer';
import type { RiskLevel } from '../config';

const b64 = (a: ArrayBufferView): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function f64(s: string, length: number): Float64Array {
  const buf = Buffer.from(s, 'base64');
  const out = new Float64Array(length);
  new Uint8Array(out.buffer).set(buf.subarray(0, out.byteLength));
  return out;
}

function u8(s: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(Buffer.from(s, 'base64').subarray(0, length));
  return out;
}

function u16(s: string, length: number): Uint16Array {
  const out = new Uint16Array(length);
  new Uint8Array(out.buffer).set(Buffer.from(s, 'base64').subarray(0, out.byteLength));
  return out;
}

interface OpenHourDoc {
  h: number;
  v: string;
  s: (string[] | null)[];
  d?: string;
  r?: string;
  f: string[];
  ra?: [string, number][];
  e: string[];
  ds?: [string, number][];
}

export interface EntityStateDoc {
  type: EntityType;
  key: string;
  lastClosed: number | null;
  prevHour: number | null;
  department?: string | null;
  open: OpenHourDoc[];
  base: { w: number; n: number; head: number; count: number; ring: string; ringBin: string; sums: string; sumsq: string; bins: string };
}

export function encodeEntity(st: EntityState): EntityStateDoc {
  const b = st.baseline;
  return {
    type: st.type,
    key: st.key,
    lastClosed: st.lastClosed,
    prevHour: st.prevHour,
    department: st.department,
    open: st.open.map((o) => ({
      h: o.hour,
      v: b64(o.values),
      s: o.sets.map((x) => (x ? [...x] : null)),
      ...(o.department !== undefined ? { d: o.department } : {}),
      ...(o.role !== undefined ? { r: o.role } : {}),
      f: [...o.fired],
      ra: [...o.reportedAt],
      e: o.evidence,
      ...(o.datasets ? { ds: [...o.datasets] } : {}),
    })),
    base: {
      w: b.window,
      n: b.width,
      head: b.head,
      count: b.count,
      ring: b64(b.ring),
      ringBin: b64(b.ringBin),
      sums: b64(b.sums),
      sumsq: b64(b.sumsq),
      bins: b64(b.bins),
    },
  };
}

export function decodeEntity(d: EntityStateDoc, widths: { features: number }): EntityState {
  const b = new Baseline(d.base.w, d.base.n);
  b.ring.set(f64(d.base.ring, b.ring.length));
  b.ringBin.set(u8(d.base.ringBin, b.ringBin.length));
  b.sums.set(f64(d.base.sums, b.sums.length));
  b.sumsq.set(f64(d.base.sumsq, b.sumsq.length));
  b.bins.set(u16(d.base.bins, b.bins.length));
  b.head = d.base.head;
  b.count = d.base.count;
  const st = new EntityState(d.type, d.key, b);
  st.lastClosed = d.lastClosed;
  st.prevHour = d.prevHour;
  st.department = d.department ?? null;
  st.open = d.open.map((o) => {
    const h = new OpenHour(o.h, widths.features);
    h.values.set(f64(o.v, widths.features));
    o.s.forEach((x, i) => (h.sets[i] = x ? new Set(x) : undefined));
    if (o.d !== undefined) h.department = o.d;
    if (o.r !== undefined) h.role = o.r;
    for (const x of o.f) h.fired.add(x);
    for (const [k, t] of o.ra ?? []) h.reportedAt.set(k, t);
    h.evidence.push(...o.e);
    if (o.ds) h.datasets = new Map(o.ds);
    return h;
  });
  return st;
}

export interface RarityDoc {
  firstActive: number | null;
  seen: [string, [string, number][]][];
}

export function encodeRarity(r: RarityState): RarityDoc {
  return { firstActive: r.firstActive, seen: [...r.seen].map(([k, m]) => [k, [...m]]) };
}

export function decodeRarity(d: RarityDoc): RarityState {
  const r = new RarityState();
  r.firstActive = d.firstActive;
  for (const [k, m] of d.seen) r.seen.set(k, new Map(m));
  return r;
}

export interface ProfileDoc {
  department: string | null;
  role: string | null;
  at: number;
  rows: number;
  nz: string;
  nzSum: string;
  nzSumSq: string;
  hours: string;
  datasets: [string, number][];
}

export function encodeProfile(p: UserProfile): ProfileDoc {
  return {
    department: p.department,
    role: p.role,
    at: p.at,
    rows: p.rows,
    nz: b64(p.nz),
    nzSum: b64(p.nzSum),
    nzSumSq: b64(p.nzSumSq),
    hours: b64(p.hours),
    datasets: [...p.datasets],
  };
}

export function decodeProfile(d: ProfileDoc, width: number): UserProfile {
  const p = new UserProfile(width);
  p.department = d.department;
  p.role = d.role;
  p.at = d.at;
  p.rows = d.rows;
  p.nz.set(f64(d.nz, width));
  p.nzSum.set(f64(d.nzSum, width));
  p.nzSumSq.set(f64(d.nzSumSq, width));
  p.hours.set(f64(d.hours, 24));
  for (const [k, v] of d.datasets) p.datasets.set(k, v);
  return p;
}

export interface RiskDoc {
  type: EntityType;
  id: string;
  department: string | null;
  criticality: number;
  inputs: RiskInput[];
  current: RiskScore | null;
  alerted: RiskLevel | null;
  history: { at: number; score: number; level: string }[];
  anomalies: ScoredAnomaly[];
}

export function encodeRisk(r: EntityRisk): RiskDoc {
  return {
    type: r.type,
    id: r.id,
    department: r.department,
    criticality: r.criticality,
    inputs: [...r.inputs.values()],
    current: r.current,
    alerted: r.alerted,
    history: r.history,
    anomalies: r.anomalies,
  };
}

export function decodeRisk(d: RiskDoc): EntityRisk {
  return {
    type: d.type,
    id: d.id,
    department: d.department,
    criticality: d.criticality,
    inputs: new Map(d.inputs.map((x) => [x.id, x])),
    current: d.current,
    alerted: d.alerted,
    history: d.history,
    anomalies: d.anomalies,
  };
}

export interface PeerModelDoc {
  computedAt: number;
  clusters: number;
  clusterSizes: number[];
  explained: number;
  users: [string, PeerAssignment][];
  staticGroups: [string, string[]][];
}

export function encodePeers(m: PeerModel): PeerModelDoc {
  return {
    computedAt: m.computedAt,
    clusters: m.clusters,
    clusterSizes: [...m.clusterSizes],
    explained: m.explained,
    users: [...m.users],
    staticGroups: [...m.staticGroups].map(([k, v]) => [k, [...v]]),
  };
}

export function decodePeers(d: PeerModelDoc): PeerModel {
  return {
    computedAt: d.computedAt,
    clusters: d.clusters,
    clusterSizes: d.clusterSizes,
    explained: d.explained,
    users: new Map(d.users),
    staticGroups: new Map(d.staticGroups),
  };
}

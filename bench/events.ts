/** Synthetic ECS events of about 1 KB, shaped like what the gateway stores. */
import type { EcsEvent } from '../core/event';

const HOSTS = Array.from({ length: 200 }, (_, i) => `host-${String(i).padStart(3, '0')}`);
const USERS = Array.from({ length: 500 }, (_, i) => `user${i}`);
const DEPTS = ['城管', '公安', '交通', '卫健', '教育', '民政', '应急', '住建'];
const ACTIONS = ['ssh_login', 'http_request', 'hdfs_open', 'hdfs_delete', 'api_export', 'app_login'];

/** Deterministic pseudo-random numbers so every run stores the same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeEvent(i: number, start: number, spanMs: number, r: () => number): EcsEvent {
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const action = pick(ACTIONS);
  const ok = r() > 0.2;
  const host = pick(HOSTS);
  const user = pick(USERS);
  const ip = `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`;
  const msg = `${ok ? 'Accepted' : 'Failed'} ${action} for ${user} from ${ip} port ${1024 + Math.floor(r() * 60000)} request ${i.toString(36)} path /warehouse/${pick(DEPTS)}/dataset-${Math.floor(r() * 300)}/part-${Math.floor(r() * 10000)}`;
  return {
    '@timestamp': new Date(start + (Math.floor((i / 1) * (spanMs / 1_000_000)) % spanMs)).toISOString(),
    message: msg,
    event: {
      id: `b${i}`,
      kind: 'event',
      category: [action.startsWith('hdfs') ? 'file' : action === 'http_request' ? 'web' : 'authentication'],
      type: ['access'],
      action,
      outcome: ok ? 'success' : 'failure',
      dataset: `bench.${action}`,
      original: `<86>Nov 21 08:00:00 ${host} sshd[${1000 + (i % 30000)}]: ${msg}`,
    },
    host: { name: host, ip: [ip] },
    user: { name: user, roles: ['analyst'] },
    source: { ip, port: 1024 + (i % 60000) },
    organization: { name: pick(DEPTS) },
    process: { name: 'sshd', pid: 1000 + (i % 30000) },
    citysoc: { source: 'bench', data: { dataset: `dataset-${i % 300}`, classification: '内部', action: 'read', records: i % 5000, bytes: i % 100000 } },
  } as EcsEvent;
}

import { isIP } from 'node:net';

/** Parses an IPv4/IPv6 address into a bigint and its width, or null. */
export function ipToBigInt(ip: string): { value: bigint; bits: 32 | 128 } | null {
  const kind = isIP(ip);
  if (kind === 4) {
    const n = ip.split('.').reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n);
    return { value: n, bits: 32 };
  }
  if (kind === 6) {
    let s = ip;
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
    if (v4) {
      const n = ipToBigInt(v4[1]!)!.value;
      s = s.slice(0, -v4[1]!.length) + ((n >> 16n) & 0xffffn).toString(16) + ':' + (n & 0xffffn).toString(16);
    }
    const [head, tail] = s.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return { value: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n), bits: 128 };
  }
  return null;
}

export function parseCidr(cidr: string): { base: bigint; prefix: number; bits: 32 | 128 } | null {
  const [addr, len] = cidr.split('/');
  if (addr === undefined || len === undefined || !/^\d+$/.test(len)) return null;
  const ip = ipToBigInt(addr);
  if (!ip || Number(len) > ip.bits) return null;
  const prefix = Number(len);
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(ip.bits - prefix);
  return { base: ip.value & mask, prefix, bits: ip.bits };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4Number(ip: string): number | null {
  const m = IPV4.exec(ip);
  if (!m) return null;
  const o = [m[1], m[2], m[3], m[4]].map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!;
}

const v4Cidrs = new Map<string, { base: number; mask: number } | null>();

/** Hot path of CIDR filters over many rows: IPv4 in plain integers, parsed blocks cached. */
export function cidrContains(cidr: string, ip: string): boolean {
  let v4 = v4Cidrs.get(cidr);
  if (v4 === undefined) {
    const c = parseCidr(cidr);
    v4 = c && c.bits === 32 ? { base: Number(c.base), mask: c.prefix === 0 ? 0 : (0xffffffff << (32 - c.prefix)) >>> 0 } : null;
    if (v4Cidrs.size < 10_000) v4Cidrs.set(cidr, v4);
  }
  if (v4) {
    const n = ipv4Number(ip);
    return n !== null && (n & v4.mask) >>> 0 === v4.base;
  }
  return cidrContainsSlow(cidr, ip);
}

/** The octet-aligned text prefix every address of an IPv4 block starts with ('10.1.' for 10.1.0.0/16), for index prefilters. */
export function ipv4CidrPrefix(cidr: string): string | null {
  const c = parseCidr(cidr);
  if (!c || c.bits !== 32 || c.prefix < 8) return null;
  const octets = Math.floor(c.prefix / 8);
  const n = Number(c.base);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].slice(0, octets).join('.') + (octets < 4 ? '.' : '');
}

function cidrContainsSlow(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = ipToBigInt(ip);
  if (!c || !a || a.bits !== c.bits) return false;
  const mask = c.prefix === 0 ? 0n : ((1n << BigInt(c.prefix)) - 1n) << BigInt(c.bits - c.prefix);
  return (a.value & mask) === c.base;
}

/** Canonical text form so that `::0001` and `::1` compare equal everywhere. */
export function canonicalIp(ip: string): string | null {
  if (IPV4.test(ip)) {
    const n = ipv4Number(ip);
    return n === null ? null : [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  const a = ipToBigInt(ip);
  if (!a || a.bits === 32) return null;
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((a.value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // RFC 5952: compress the longest run of zero groups.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

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

export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = ipToBigInt(ip);
  if (!c || !a || a.bits !== c.bits) return false;
  const mask = c.prefix === 0 ? 0n : ((1n << BigInt(c.prefix)) - 1n) << BigInt(c.bits - c.prefix);
  return (a.value & mask) === c.base;
}

/** Canonical text form so that `::0001` and `::1` compare equal everywhere. */
export function canonicalIp(ip: string): string | null {
  const a = ipToBigInt(ip);
  if (!a) return null;
  if (a.bits === 32) return ip.split('.').map(Number).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((a.value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // RFC 5952: compress the longest run of zero groups.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
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

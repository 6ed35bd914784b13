/**
 * The network zone of a caller, for zone= conditions, from its source address. Deployments
 * configure their own blocks; the default treats private and loopback addresses as 政务外网 and
 * everything else as 互联网, the zone the policies trust least.
 */
import { canonicalIp, cidrContains } from '../core/query/ip';

export type ZoneMap = readonly { readonly cidr: string; readonly zone: string }[];

export const DEFAULT_ZONES: ZoneMap = [
  { cidr: '127.0.0.0/8', zone: '政务外网' },
  { cidr: '::1/128', zone: '政务外网' },
  { cidr: '10.0.0.0/8', zone: '政务外网' },
  { cidr: '172.16.0.0/12', zone: '政务外网' },
  { cidr: '192.168.0.0/16', zone: '政务外网' },
];

/** A caller's address in one canonical form (IPv4-mapped IPv6 as IPv4), or undefined when it is not an address. */
export function callerIp(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  return canonicalIp(ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')) ?? undefined;
}

export function zoneOf(ip: string | undefined, zones: ZoneMap = DEFAULT_ZONES): string {
  const clean = callerIp(ip);
  if (!clean) return '互联网';
  return zones.find((z) => cidrContains(z.cidr, clean))?.zone ?? '互联网';
}

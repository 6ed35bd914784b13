/** Building blocks every source uses to shape its ECS document and its outcome. */
import { isIP } from 'node:net';
import type { Doc } from '../../core/doc';
import type { ParseOutcome } from './source';

/** Drops undefined, null, NaN and empty objects/arrays so stores never see placeholder fields. */
export function compact(doc: Doc): Doc {
  // for-in without intermediate arrays: this runs on every event, so it is on the hot path.
  const out: Doc = {};
  for (const k in doc) {
    const v = doc[k];
    if (v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v))) continue;
    if (typeof v !== 'object') out[k] = v;
    else if (Array.isArray(v)) {
      if (v.length > 0) out[k] = v;
    } else {
      const inner = compact(v as Doc);
      for (const _ in inner) {
        out[k] = inner;
        break;
      }
    }
  }
  return out;
}

export const ok = (event: Doc): ParseOutcome => ({ ok: true, event: compact(event) });
export const fail = (error: string): ParseOutcome => ({ ok: false, error });

/** Lower-cased so rules can match one spelling ("INFO", "Info" and "info" are the same level). */
export function level(raw: string | undefined): string | undefined {
  return raw === undefined ? undefined : raw.trim().toLowerCase();
}

/** Integer or undefined; sources write "-" or "" for absent numbers. */
export function int(raw: string | number | undefined | null): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : undefined;
  if (raw === undefined || raw === null || !/^-?\d+$/.test(raw.trim())) return undefined;
  return Number.parseInt(raw, 10);
}

/** Only real addresses go to *.ip, which stores type as `ip`; names go to *.domain instead. */
export function isIp(s: string | undefined): s is string {
  return s !== undefined && isIP(s) !== 0;
}

/** `source` fields from an address that may be an IP or a host name (sshd's rhost, auditd's addr). */
export function endpoint(addr: string | undefined, port?: number): Doc | undefined {
  if (addr === undefined || addr === '' || addr === '?' || addr === '-') return undefined;
  return isIp(addr) ? { ip: addr, port } : { domain: addr, port };
}

/** The text of a line input; trailing blanks and the CR of CRLF files are layout, not content. */
export function lineOf(input: { kind: 'line'; line: string } | { kind: 'record' }): string | undefined {
  return input.kind === 'line' ? input.line.trimEnd() : undefined;
}

/** ECS event.type for service logs: their only categorization is whether something failed. */
export function typeForLevel(lvl: string | undefined): string[] {
  return lvl !== undefined && /^(error|err|fatal|crit|critical|alert|emerg|severe)$/.test(lvl) ? ['error'] : ['info'];
}

/**
 * One syslog message (RFC 5424 or RFC 3164) → a pipeline input. RFC 3164 lines go to the
 * sources as they are. RFC 5424 is rewritten into the BSD form the sources parse, and its
 * exact timestamp, structured data, msgid and priority are kept beside the parsed fields.
 */
import type { Doc } from '../../core/doc';
import type { InputHint, PipelineInput } from '../pipeline/types';

const RFC5424 = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?[^\\]\](?=\s|$)(?:\[.*?[^\\]\](?=\s|\[|$))*)(?: (.*))?$/s;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const nil = (s: string | undefined): string | undefined => (s === undefined || s === '-' ? undefined : s);

/** `[id k="v" k2="v\"2"][id2 ...]` → { id: { k: 'v', k2: 'v"2' }, id2: {} }. */
export function parseStructuredData(sd: string): Doc | undefined {
  if (sd === '-') return undefined;
  const out: Doc = {};
  for (const el of sd.matchAll(/\[(\S+?)((?:\s+[^\s=\]]+="(?:[^"\\]|\\.)*")*)\s*\]/g)) {
    const params: Doc = {};
    for (const p of el[2]!.matchAll(/([^\s=\]]+)="((?:[^"\\]|\\.)*)"/g)) params[p[1]!] = p[2]!.replace(/\\(["\\\]])/g, '$1');
    out[el[1]!] = params;
  }
  return out;
}

export function syslogInput(frame: string, peer: string | undefined, collector: string, receivedAt: Date, source?: string): PipelineInput {
  const base: InputHint = { collector, receivedAt, source, extra: peer ? { log: { source: { address: peer } } } : undefined };
  const m = RFC5424.exec(frame);
  if (!m) {
    // RFC 3164: sources read the <PRI> and BSD header themselves.
    return { raw: { kind: 'line', line: frame }, hint: base };
  }
  const pri = Number(m[1]);
  const when = Date.parse(m[3]!);
  const at = Number.isNaN(when) ? receivedAt : new Date(when);
  const host = nil(m[4]);
  const app = nil(m[5]);
  const procid = nil(m[6]);
  const msg = (m[9] ?? '').replace(/^\uFEFF/, '');
  const pad = (n: number) => String(n).padStart(2, '0');
  // The rewritten header is only for the sources' framing; exactTimestamp carries the real time.
  const clock = `${MONTHS[at.getUTCMonth()]} ${String(at.getUTCDate()).padStart(2, ' ')} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`;
  const line = `<${pri}>${clock} ${host ?? '-'} ${app ?? '-'}${procid && /^\d+$/.test(procid) ? `[${procid}]` : ''}: ${msg}`;
  const syslog: Doc = {
    version: m[2],
    facility: { code: pri >> 3 },
    severity: { code: pri & 7 },
    priority: pri,
    msgid: nil(m[7]),
    structured_data: parseStructuredData(m[8]!),
    hostname: host,
    appname: app,
    procid,
  };
  return {
    raw: { kind: 'line', line },
    hint: {
      ...base,
      original: frame,
      exactTimestamp: Number.isNaN(when) ? undefined : m[3],
      extra: { log: { syslog, ...(peer ? { source: { address: peer } } : {}) } },
    },
  };
}

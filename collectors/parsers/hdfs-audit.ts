/**
 * HDFS NameNode audit log (hdfs-audit.log): who touched which path. Each command becomes a
 * citysoc.data action so data-access rules treat HDFS, Hive and the sharing API alike.
 */
import type { DataAction } from '../../core/event';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, lineOf, ok } from './event-doc';
import { isoFromYmd } from './timestamps';

const PREFIX = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[,.]\d{3}) +([A-Z]+) +[\w.$]+: (.*)$/s;
const UGI = /^(\S+?)(?:@(\S+))? \(auth:(\w+)\)(?: via (\S+?)(?:@\S+)? \(auth:\w+\))?$/;

/** [data action, ECS event.type] per HDFS command; unknown commands keep only event.action. */
const COMMANDS: Readonly<Record<string, readonly [DataAction, string]>> = {
  open: ['read', 'access'],
  create: ['create', 'creation'],
  mkdirs: ['create', 'creation'],
  append: ['write', 'change'],
  concat: ['write', 'change'],
  truncate: ['write', 'change'],
  delete: ['delete', 'deletion'],
  rename: ['alter', 'change'],
  listStatus: ['list', 'access'],
  getfileinfo: ['list', 'access'],
  contentSummary: ['list', 'access'],
  listSnapshottableDirectory: ['list', 'access'],
  getAclStatus: ['list', 'access'],
  setPermission: ['grant', 'change'],
  setOwner: ['grant', 'change'],
  setAcl: ['grant', 'change'],
  modifyAclEntries: ['grant', 'change'],
  removeAcl: ['grant', 'change'],
  removeAclEntries: ['grant', 'change'],
  setReplication: ['alter', 'change'],
  setTimes: ['alter', 'change'],
  setStoragePolicy: ['alter', 'change'],
};

/** Fields are tab-separated in real logs and space-separated in hand-written ones; values have no spaces except ugi. */
function keyValues(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const re = /(\w+)=(.*?)(?=\s+\w+=|$)/gs;
  for (const m of text.matchAll(re)) out[m[1]!] = m[2]!.trim();
  return out.allowed !== undefined && out.ugi !== undefined && out.cmd !== undefined ? out : undefined;
}

const nullish = (v: string | undefined): string | undefined => (v === undefined || v === 'null' ? undefined : v);

export const hdfsAudit: LogSource = {
  name: 'hdfs-audit',
  description: 'HDFS NameNode audit log (allowed= ugi= ip= cmd= src= dst= perm= proto=)',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /allowed=(?:true|false)\s+ugi=.*\scmd=/.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('hdfs-audit expects a text line, got a structured record');
    const pre = PREFIX.exec(line);
    const kv = keyValues(pre ? pre[3]! : line);
    if (!kv) return fail('not an HDFS audit line: allowed=, ugi= and cmd= are required');
    const ts = pre ? isoFromYmd(pre[1]!, ctx) : undefined;
    if (pre && !ts) return fail(`invalid date/time "${pre[1]}"`);
    const ugi = UGI.exec(kv.ugi!);
    const allowed = kv.allowed === 'true';
    const [action, type] = COMMANDS[kv.cmd!] ?? [undefined, 'info'];
    const src = nullish(kv.src);
    return ok({
      // Lines shipped without the log4j prefix carry no time of their own: the receive time stands in.
      '@timestamp': ts ?? ctx.receivedAt.toISOString(),
      message: pre ? pre[3] : line,
      event: {
        kind: 'event',
        dataset: 'hdfs.audit',
        module: 'hdfs',
        action: kv.cmd,
        category: ['file'],
        type: allowed ? [type, 'allowed'] : [type, 'denied'],
        outcome: allowed ? 'success' : 'failure',
      },
      log: { level: pre ? pre[2]!.toLowerCase() : undefined },
      user: { name: ugi?.[1] ?? kv.ugi, domain: ugi?.[2] },
      source: endpoint(kv.ip?.replace(/^\//, '')),
      file: { path: src, target_path: nullish(kv.dst) },
      network: { protocol: kv.proto },
      hdfs: { audit: { auth: ugi?.[3], proxy_user: ugi?.[4], perm: nullish(kv.perm), caller_context: kv.callerContext } },
      citysoc: { data: { platform: 'hdfs', resource: src, action } },
    });
  },
};

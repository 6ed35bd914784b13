/**
 * HDFS NameNode audit log lines (hdfs-audit.log). The message is what `FSNamesystem` logs for
 * each namespace operation — `allowed=… ugi=… ip=/… cmd=… src=… dst=… perm=… proto=…`, fields
 * separated by tabs (Hadoop `FSNamesystem.DefaultAuditLogger.logAuditEvent`) — behind the
 * RFAAUDIT log4j layout of Hadoop's stock log4j.properties, `%d{ISO8601} %p %c{2}: %m%n`, in the
 * NameNode's local time. A Kerberos principal shows as `user@REALM (auth:KERBEROS)`.
 */
import type { HdfsAccess } from '../activity';
import { local, pad } from '../activity';

export function hdfsLine(a: HdfsAccess): string {
  const p = local(a.t);
  const ts = `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)},${pad(p.ms, 3)}`;
  const fields = [
    `allowed=${a.allowed}`,
    `ugi=${a.user}@CITYBRAIN.GOV.CN (auth:KERBEROS)`,
    `ip=/${a.ip}`,
    `cmd=${a.cmd}`,
    `src=${a.src}`,
    'dst=null',
    `perm=${a.perm ?? 'null'}`,
    'proto=rpc',
  ];
  return `${ts} INFO FSNamesystem.audit: ${fields.join('\t')}`;
}

/**
 * Apache Ranger audit records as the Hive plugin writes them (one JSON object per line, the
 * log4j/HDFS audit destinations). Field names and meanings follow the Ranger audit schema
 * (Apache Ranger wiki, "Ranger Audit Schema"; `AuthzAuditEvent` in ranger-plugins-audit):
 * repoType 3 is Hive, `resource` is `db/table/columns`, `result` 1 allowed / 0 denied, `policy`
 * -1 when no policy matched, `evtTime` "yyyy-MM-dd HH:mm:ss.SSS" in the plugin host's local time.
 */
import type { HiveAccess } from '../activity';
import { local, pad } from '../activity';
import { PLATFORM_HOSTS } from '../city';

export function evtTime(t: number): string {
  const p = local(t);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(p.ms, 3)}`;
}

export function rangerLine(a: HiveAccess): string {
  const [db, table] = a.dataset.id.split('.') as [string, string];
  return JSON.stringify({
    repoType: 3,
    repo: 'citybrain_hive',
    reqUser: a.user,
    evtTime: evtTime(a.t),
    access: a.access,
    resource: `${db}/${table}/${a.columns.join(',')}`,
    resType: '@column',
    action: a.access.toLowerCase(),
    result: a.allowed ? 1 : 0,
    agent: 'hiveServer2',
    policy: a.allowed ? 100 + (a.dataset.name.length % 40) : -1,
    enforcer: 'ranger-acl',
    sess: a.session,
    cliType: 'HIVESERVER2',
    cliIP: a.ip,
    reqData: a.query,
    agentHost: PLATFORM_HOSTS.hive,
    logType: 'RangerAudit',
    id: a.id,
    seq_num: 0,
    event_count: 1,
    event_dur_ms: 0,
    tags: [],
    cluster_name: 'citybrain',
    policy_version: 7,
  });
}

/**
 * Apache Ranger audit records (JSON, as written to HDFS/Solr/log4j by the Hive, HDFS, HBase,
 * Kafka plugins): the authorization decision for one access to one resource.
 */
import type { DataAction } from '../../core/event';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, ok } from './event-doc';
import { jsonRecord, peekRecord, str } from './json-input';
import { isoFromAny } from './timestamps';

const ACCESS: Readonly<Record<string, DataAction>> = {
  select: 'read',
  read: 'read',
  consume: 'read',
  execute: 'read',
  update: 'write',
  write: 'write',
  insert: 'write',
  publish: 'write',
  create: 'create',
  drop: 'delete',
  delete: 'delete',
  alter: 'alter',
  index: 'alter',
  lock: 'alter',
  grant: 'grant',
  revoke: 'grant',
  describe: 'list',
  show: 'list',
  list: 'list',
  query: 'query',
};

const PLATFORMS = ['hive', 'hdfs', 'hbase', 'kafka', 'yarn', 'knox', 'solr', 'trino', 'presto', 'impala', 'kudu', 'storm', 'atlas'];

export const rangerAudit: LogSource = {
  name: 'ranger-audit',
  description: 'Apache Ranger plugin audit (Hive, HDFS, HBase, Kafka, ...) in JSON',
  detect(input: RawInput): boolean {
    const r = peekRecord(input);
    return r !== undefined && 'reqUser' in r && 'access' in r && ('repo' in r || 'repoType' in r);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const j = jsonRecord(input);
    if (!j.ok) return fail(j.error);
    const r = j.record;
    const user = str(r.reqUser);
    const access = str(r.access);
    if (!user || !access) return fail('not a Ranger audit record: reqUser and access are required');
    const ts = isoFromAny(r.evtTime, ctx);
    if (!ts) return fail(`missing or invalid evtTime ${JSON.stringify(r.evtTime)}`);
    const allowed = Number(r.result) === 1;
    const agent = `${str(r.repo) ?? ''} ${str(r.agent) ?? ''}`.toLowerCase();
    const platform = PLATFORMS.find((p) => agent.includes(p)) ?? str(r.agent);
    const resource = str(r.resource);
    // Hive resources are "db/table[/column]": the table is the dataset classifications attach to.
    const segments = resource?.split('/') ?? [];
    const dataset = platform === 'hive' && segments.length >= 2 ? `${segments[0]}.${segments[1]}` : resource;
    return ok({
      '@timestamp': ts,
      message: str(r.reqData) ?? `${user} ${access} ${resource ?? ''}`.trim(),
      event: {
        kind: 'event',
        dataset: 'ranger.audit',
        module: 'ranger',
        action: str(r.action) ?? access.toLowerCase(),
        id: str(r.id),
        category: platform === 'hdfs' ? ['file'] : ['database'],
        type: ['access', allowed ? 'allowed' : 'denied'],
        outcome: allowed ? 'success' : 'failure',
      },
      user: { name: user },
      source: endpoint(str(r.cliIP)),
      host: { name: str(r.agentHost) },
      rule: { id: r.policy === -1 ? undefined : str(r.policy), ruleset: str(r.enforcer) },
      ranger: {
        repo: str(r.repo),
        repo_type: r.repoType,
        res_type: str(r.resType),
        client_type: str(r.cliType),
        session: str(r.sess),
        cluster: str(r.cluster_name),
      },
      citysoc: { data: { platform, resource, dataset, action: ACCESS[access.toLowerCase()] } },
    });
  },
};

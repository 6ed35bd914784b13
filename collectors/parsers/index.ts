/**
 * The registry of log sources. Detection tries them in this order: structured and
 * distinctive formats first, the catch-all syslog and JSON sources last.
 */
import type { LogSource, RawInput } from './source';
import { apacheError } from './apache-error';
import { auditd } from './auditd';
import { dataApi } from './data-api';
import { ecsDocument } from './ecs';
import { genericJson } from './generic-json';
import { hadoop } from './hadoop';
import { hdfs } from './hdfs';
import { hdfsAudit } from './hdfs-audit';
import { httpAccess } from './http-access';
import { kafkaAuthorizer } from './kafka-authorizer';
import { kafkaServer } from './kafka-server';
import { linuxSyslog } from './linux-syslog';
import { mariadbAudit } from './mariadb-audit';
import { mysqlAudit } from './mysql-audit';
import { nginxError } from './nginx-error';
import { openssh } from './openssh';
import { openstack } from './openstack';
import { pgaudit } from './pgaudit';
import { rangerAudit } from './ranger-audit';
import { spark } from './spark';
import { windowsCbs } from './windows-cbs';
import { windowsEvent } from './windows-event';
import { zookeeper } from './zookeeper';

export type { LogSource, ParseContext, ParseOutcome, RawInput } from './source';

export const SOURCES: readonly LogSource[] = [
  windowsEvent,
  rangerAudit,
  mysqlAudit,
  mariadbAudit,
  dataApi,
  hdfsAudit,
  kafkaAuthorizer,
  pgaudit,
  auditd,
  openssh,
  openstack,
  hadoop,
  zookeeper,
  kafkaServer,
  spark,
  hdfs,
  windowsCbs,
  apacheError,
  nginxError,
  httpAccess,
  linuxSyslog,
  ecsDocument,
  genericJson,
];

const BY_NAME = new Map(SOURCES.map((s) => [s.name, s]));

export function sourceByName(name: string): LogSource | undefined {
  return BY_NAME.get(name);
}

/** The first source that recognises the input, or undefined (the pipeline keeps it raw). */
export function detectSource(input: RawInput): LogSource | undefined {
  return SOURCES.find((s) => {
    try {
      return s.detect(input);
    } catch {
      return false;
    }
  });
}

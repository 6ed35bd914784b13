// CitySOC's own sources: rules under rules/ use `product: citysoc` with the source as `service`
// and ECS field names as our parsers write them, so the pipeline only pins the dataset.
import type { PipelineItem, ProcessingPipeline } from '../pipeline';

/** logsource service → the event.dataset values collectors/parsers give that source. */
export const CITYSOC_SERVICES: Record<string, string[]> = {
  'hdfs-audit': ['hdfs.audit'],
  ranger: ['ranger.audit'],
  database: ['mysql.audit', 'postgresql.pgaudit'],
  'data-api': ['data_api.access'],
  sshd: ['openssh.auth'],
  // pam_unix and klogind authentication lines in syslog (sshd's own log is the sshd service's).
  'linux-auth': ['linux.syslog'],
  'linux-syslog': ['linux.syslog'],
  web: ['http.access'],
  spark: ['spark.log'],
  auditd: ['auditd.log'],
  'windows-security': ['windows.security'],
};

const items: PipelineItem[] = Object.entries(CITYSOC_SERVICES).map(([service, datasets]) => ({
  id: `dataset_${service}`,
  transformation: { type: 'add_condition', conditions: { 'event.dataset': datasets } },
  ruleConditions: [{ type: 'logsource', product: 'citysoc', service }],
}));

export const citysocPipeline: ProcessingPipeline = {
  name: 'citysoc',
  description:
    'CitySOC sources (product: citysoc, service: hdfs-audit|ranger|database|data-api|sshd|linux-auth|linux-syslog|web|spark|auditd|windows-security) to their event.dataset',
  items,
};

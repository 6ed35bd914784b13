// Sigma taxonomy → Elastic Common Schema, the shape our collectors normalise every event into.
import { WINDOWS_SERVICE_CHANNELS } from '../logsource';
import type { PipelineItem, ProcessingPipeline } from '../pipeline';

/** Field names shared by most categories (Sysmon-style names used by the Sigma taxonomy). */
const COMMON: Record<string, string> = {
  // process
  Image: 'process.executable',
  CommandLine: 'process.command_line',
  CurrentDirectory: 'process.working_directory',
  OriginalFileName: 'process.pe.original_file_name',
  Product: 'process.pe.product',
  Company: 'process.pe.company',
  Description: 'process.pe.description',
  FileVersion: 'process.pe.file_version',
  ProcessId: 'process.pid',
  ProcessGuid: 'process.entity_id',
  ParentImage: 'process.parent.executable',
  ParentCommandLine: 'process.parent.command_line',
  ParentProcessId: 'process.parent.pid',
  ParentProcessGuid: 'process.parent.entity_id',
  IntegrityLevel: 'winlog.event_data.IntegrityLevel',
  Hashes: 'winlog.event_data.Hashes',
  md5: 'process.hash.md5',
  sha1: 'process.hash.sha1',
  sha256: 'process.hash.sha256',
  Imphash: 'process.pe.imphash',
  User: 'user.name',
  LogonId: 'winlog.logon.id',
  Computer: 'host.name',
  ComputerName: 'host.name',
  // network
  DestinationIp: 'destination.ip',
  DestinationPort: 'destination.port',
  DestinationHostname: 'destination.domain',
  SourceIp: 'source.ip',
  SourcePort: 'source.port',
  SourceHostname: 'source.domain',
  Protocol: 'network.transport',
  // file
  TargetFilename: 'file.path',
  // registry
  TargetObject: 'registry.path',
  Details: 'registry.data.strings',
  // image load / driver load
  ImageLoaded: 'dll.path',
  Signature: 'dll.code_signature.subject_name',
  SignatureStatus: 'dll.code_signature.status',
  // dns (windows dns_query and generic dns category)
  QueryName: 'dns.question.name',
  QueryResults: 'dns.answers.data',
  QueryStatus: 'dns.response_code',
  query: 'dns.question.name',
  answer: 'dns.answers.data',
  record_type: 'dns.question.type',
  // windows event envelope
  EventID: 'event.code',
  Channel: 'winlog.channel',
  Provider_Name: 'winlog.provider_name',
};

/** W3C / proxy log names (webserver, proxy categories). */
const WEB: Record<string, string> = {
  'c-uri': 'url.original',
  'c-uri-query': 'url.query',
  'c-uri-stem': 'url.path',
  'c-uri-extension': 'url.extension',
  'cs-uri-query': 'url.query',
  'cs-uri-stem': 'url.path',
  'c-useragent': 'user_agent.original',
  'cs-user-agent': 'user_agent.original',
  'cs-method': 'http.request.method',
  'sc-status': 'http.response.status_code',
  'cs-host': 'url.domain',
  'cs-referrer': 'http.request.referrer',
  'cs-referer': 'http.request.referrer',
  'cs-version': 'http.version',
  'cs-bytes': 'http.request.bytes',
  'sc-bytes': 'http.response.bytes',
  'cs-username': 'user.name',
  'c-ip': 'source.ip',
  's-ip': 'destination.ip',
  'r-dns': 'destination.domain',
  'cs-cookie': 'http.request.cookie',
};

/** Linux auditd (Filebeat auditd module layout) and syslog-style sources. */
const LINUX: Record<string, string> = {
  type: 'auditd.log.record_type',
  exe: 'process.executable',
  comm: 'process.name',
  cwd: 'process.working_directory',
  key: 'auditd.log.key',
  a0: 'auditd.log.a0',
  a1: 'auditd.log.a1',
  a2: 'auditd.log.a2',
  a3: 'auditd.log.a3',
  name: 'file.path',
  nametype: 'auditd.log.nametype',
  uid: 'user.id',
  euid: 'user.effective.id',
  SYSCALL: 'auditd.log.syscall',
  syscall: 'auditd.log.syscall',
  pam_user: 'user.name',
  pam_rhost: 'source.address',
};

/** logsource category → the ECS event classification it corresponds to. */
const CATEGORY_CONDITIONS: [string, Record<string, unknown>][] = [
  ['process_creation', { 'event.category': 'process', 'event.type': 'start' }],
  ['process_termination', { 'event.category': 'process', 'event.type': 'end' }],
  ['network_connection', { 'event.category': 'network' }],
  ['firewall', { 'event.category': 'network' }],
  ['file_event', { 'event.category': 'file' }],
  ['file_change', { 'event.category': 'file', 'event.type': 'change' }],
  ['file_delete', { 'event.category': 'file', 'event.type': 'deletion' }],
  ['file_rename', { 'event.category': 'file' }],
  ['file_access', { 'event.category': 'file', 'event.type': 'access' }],
  ['image_load', { 'event.category': 'library' }],
  ['driver_load', { 'event.category': 'driver' }],
  ['registry_event', { 'event.category': 'registry' }],
  ['registry_set', { 'event.category': 'registry' }],
  ['registry_add', { 'event.category': 'registry' }],
  ['registry_delete', { 'event.category': 'registry' }],
  ['dns_query', { 'event.category': 'network', 'dns.type': 'query' }],
  ['dns', { 'event.category': 'network', 'dns.type': 'query' }],
  ['webserver', { 'event.category': 'web' }],
  ['proxy', { 'event.category': 'web' }],
  ['antivirus', { 'event.category': 'malware' }],
];

const items: PipelineItem[] = [
  { id: 'web_fields', transformation: { type: 'field_name_mapping', mapping: WEB }, ruleConditions: [{ type: 'logsource', category: 'webserver' }] },
  { id: 'proxy_fields', transformation: { type: 'field_name_mapping', mapping: WEB }, ruleConditions: [{ type: 'logsource', category: 'proxy' }] },
  {
    id: 'linux_auditd_fields',
    transformation: { type: 'field_name_mapping', mapping: LINUX },
    ruleConditions: [{ type: 'logsource', product: 'linux', service: 'auditd' }],
  },
  { id: 'common_fields', transformation: { type: 'field_name_mapping', mapping: COMMON } },
  // Windows fields without an ECS home keep their name under winlog.event_data (as Winlogbeat does).
  {
    id: 'windows_event_data',
    transformation: { type: 'field_name_prefix', prefix: 'winlog.event_data.' },
    ruleConditions: [{ type: 'logsource', product: 'windows' }],
    fieldNameConditions: { exclude: ['*.*'] },
  },
  ...CATEGORY_CONDITIONS.map(([category, conditions]): PipelineItem => ({
    id: `category_${category}`,
    transformation: { type: 'add_condition', conditions },
    ruleConditions: [{ type: 'logsource', category }],
  })),
  ...Object.entries(WINDOWS_SERVICE_CHANNELS).map(([service, channel]): PipelineItem => ({
    id: `service_${service}`,
    transformation: { type: 'add_condition', conditions: { 'winlog.channel': channel } },
    ruleConditions: [{ type: 'logsource', product: 'windows', service }],
  })),
  // Rules of every product only see events of that product: host.os.type for operating systems
  // (with the event's shape or dataset when a collector left it out), event.module for the rest.
  { id: 'logsource_product', transformation: { type: 'logsource_condition' } },
  {
    id: 'index_windows',
    transformation: { type: 'set_state', key: 'index', value: 'logs-windows-*' },
    ruleConditions: [{ type: 'logsource', product: 'windows' }],
  },
  { id: 'index_linux', transformation: { type: 'set_state', key: 'index', value: 'logs-linux-*' }, ruleConditions: [{ type: 'logsource', product: 'linux' }] },
];

export const ecsPipeline: ProcessingPipeline = {
  name: 'ecs',
  description:
    'Sigma taxonomy field names to Elastic Common Schema; event.category conditions per category, winlog.channel per Windows service, host.os.type / event.module per product',
  items,
};

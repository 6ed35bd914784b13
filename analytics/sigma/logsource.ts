// Logsource routing: which events a rule's `logsource` (product, and for Windows its service) is
// about. One definition serves two ends: `productCondition` is the condition a pipeline ANDs onto
// a rule (the `logsource_condition` transformation), so every backend (JS, SQLite, Elasticsearch,
// Flink) enforces it; `LogsourceRouter` (backends/router.ts) is the same test read straight off an event, which the
// RuleSet applies to every event whatever the pipelines, so a Windows rule never runs on a Linux
// event (nor a Zeek `not selection` rule on a Windows event). The router accepts every event the
// condition accepts (tested), so routing never changes what a pipeline's condition decides.
import { compileAccessor, scalarText, type SigmaEvent } from './backends/fieldpath';
import type { LogSource } from './model';
import { CITYSOC_SERVICES } from './pipelines/citysoc';

/** Datasets of Linux sources whose events may lack host.os.type (CitySOC's parsers and Filebeat's system/auditd modules). */
export const LINUX_DATASETS: readonly string[] = ['linux.syslog', 'openssh.auth', 'auditd.log', 'system.auth', 'system.syslog'];

const CITYSOC_DATASETS: readonly string[] = [...new Set(Object.values(CITYSOC_SERVICES).flat())];

/** Windows `service:` → event log channel. */
export const WINDOWS_SERVICE_CHANNELS: Readonly<Record<string, string>> = {
  security: 'Security',
  system: 'System',
  application: 'Application',
  sysmon: 'Microsoft-Windows-Sysmon/Operational',
  powershell: 'Microsoft-Windows-PowerShell/Operational',
  'powershell-classic': 'Windows PowerShell',
  taskscheduler: 'Microsoft-Windows-TaskScheduler/Operational',
  wmi: 'Microsoft-Windows-WMI-Activity/Operational',
  windefend: 'Microsoft-Windows-Windows Defender/Operational',
  'dns-server': 'DNS Server',
  'dns-client': 'Microsoft-Windows-DNS Client Events/Operational',
  'driver-framework': 'Microsoft-Windows-DriverFrameworks-UserMode/Operational',
  'bits-client': 'Microsoft-Windows-Bits-Client/Operational',
  'codeintegrity-operational': 'Microsoft-Windows-CodeIntegrity/Operational',
  'firewall-as': 'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall',
  ntlm: 'Microsoft-Windows-NTLM/Operational',
  'security-mitigations': 'Microsoft-Windows-Security-Mitigations/KernelMode',
  'smbclient-security': 'Microsoft-Windows-SmbClient/Security',
  'terminalservices-localsessionmanager': 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational',
  'printservice-admin': 'Microsoft-Windows-PrintService/Admin',
  'printservice-operational': 'Microsoft-Windows-PrintService/Operational',
  openssh: 'OpenSSH/Operational',
  ldap_debug: 'Microsoft-Windows-LDAP-Client/Debug',
  'appxdeployment-server': 'Microsoft-Windows-AppXDeploymentServer/Operational',
  capi2: 'Microsoft-Windows-CAPI2/Operational',
  'diagnosis-scripted': 'Microsoft-Windows-Diagnosis-Scripted/Operational',
  'msexchange-management': 'MSExchange Management',
  vhdmp: 'Microsoft-Windows-VHDMP-Operational',
};

type Condition = Record<string, unknown>[];

/**
 * The condition (a detection-shaped search identifier: a list of alternatives) an event of the
 * product meets; undefined for CitySOC's own sources, which the citysoc pipeline pins by dataset.
 * Windows and Linux events are known by host.os.type, or, when a collector did not set it, by
 * their shape (winlog.* / Event.System) or dataset; other products by ECS event.module.
 */
export function productCondition(product: string): Condition | undefined {
  switch (product.toLowerCase()) {
    case 'citysoc':
      return undefined;
    case 'windows':
      return [
        { 'host.os.type': 'windows' },
        { 'host.os.type': null, 'winlog.channel|exists': true },
        { 'host.os.type': null, 'Event.System.EventID|exists': true },
      ];
    case 'linux':
      return [{ 'host.os.type': 'linux' }, { 'host.os.type': null, 'event.dataset': [...LINUX_DATASETS] }];
    case 'macos':
      return [{ 'host.os.type': 'macos' }];
    default:
      return [{ 'event.module': product }];
  }
}

const access = {
  os: compileAccessor('host.os.type'),
  module: compileAccessor('event.module'),
  dataset: compileAccessor('event.dataset'),
  winlogChannel: compileAccessor('winlog.channel'),
  evtxChannel: compileAccessor('Event.System.Channel'),
  evtxEventId: compileAccessor('Event.System.EventID'),
};

const lowered = (values: unknown[]): string[] => values.flatMap((v) => (scalarText(v) === undefined ? [] : [(scalarText(v) as string).toLowerCase()]));

/** What routing reads off an event: the products it belongs to and its Windows channels (lowercase). */
export interface EventLogsource {
  products: Set<string>;
  channels: Set<string>;
}

/** The products and channels of an event, by the same tests as productCondition (Sigma equality: any value, case-insensitive). */
export function eventLogsource(event: SigmaEvent): EventLogsource {
  const products = new Set<string>(lowered(access.module(event)));
  const osValues = access.os(event);
  const os = lowered(osValues);
  const osNull = osValues.length === 0 || osValues.some((v) => v === null);
  for (const o of ['windows', 'linux', 'macos']) if (os.includes(o)) products.add(o);
  const datasets = lowered(access.dataset(event));
  if (osNull) {
    if (access.winlogChannel(event).length > 0 || access.evtxEventId(event).length > 0) products.add('windows');
    if (datasets.some((d) => LINUX_DATASETS.includes(d))) products.add('linux');
  }
  if (datasets.some((d) => CITYSOC_DATASETS.includes(d))) products.add('citysoc');
  const channels = new Set([...lowered(access.winlogChannel(event)), ...lowered(access.evtxChannel(event))]);
  return { products, channels };
}

/** What a rule needs of an event: its product (lowercase) and, for a known Windows service, the channel. */
interface RouteNeed {
  product?: string;
  channel?: string;
}

export function routeNeed(ls: LogSource): RouteNeed {
  const product = ls.product?.toLowerCase();
  const channel = product === 'windows' && ls.service !== undefined ? WINDOWS_SERVICE_CHANNELS[ls.service]?.toLowerCase() : undefined;
  return { ...(product !== undefined ? { product } : {}), ...(channel !== undefined ? { channel } : {}) };
}

export function routes(need: RouteNeed, ev: EventLogsource): boolean {
  return (need.product === undefined || ev.products.has(need.product)) && (need.channel === undefined || ev.channels.has(need.channel));
}

// Windows events kept as JSON in the EVTX shape `Event: {System: {...}, EventData: {...}}`.
// Logsource categories become Channel/EventID conditions; fields move under Event.EventData.
import { WINDOWS_SERVICE_CHANNELS } from '../logsource';
import type { PipelineItem, ProcessingPipeline } from '../pipeline';

const SYSMON = WINDOWS_SERVICE_CHANNELS.sysmon as string;

/** `<System>` header fields (spec: attribute names joined with `_`). */
const SYSTEM_FIELDS: Record<string, string> = {
  EventID: 'Event.System.EventID',
  Channel: 'Event.System.Channel',
  Provider_Name: 'Event.System.Provider.Name',
  Provider_Guid: 'Event.System.Provider.Guid',
  Computer: 'Event.System.Computer',
  Level: 'Event.System.Level',
  Task: 'Event.System.Task',
  Keywords: 'Event.System.Keywords',
  Execution_ProcessID: 'Event.System.Execution.ProcessID',
  Security_UserID: 'Event.System.Security.UserID',
};

/** Sysmon event ids by Sigma category. */
const SYSMON_CATEGORIES: [string, number[]][] = [
  ['network_connection', [3]],
  ['sysmon_status', [4, 16]],
  ['process_termination', [5]],
  ['driver_load', [6]],
  ['image_load', [7]],
  ['create_remote_thread', [8]],
  ['raw_access_thread', [9]],
  ['process_access', [10]],
  ['file_event', [11]],
  ['registry_add', [12]],
  ['registry_delete', [12]],
  ['registry_set', [13]],
  ['registry_rename', [14]],
  ['registry_event', [12, 13, 14]],
  ['create_stream_hash', [15]],
  ['pipe_created', [17, 18]],
  ['wmi_event', [19, 20, 21]],
  ['dns_query', [22]],
  ['file_delete', [23, 26]],
  ['clipboard_capture', [24]],
  ['process_tampering', [25]],
  ['file_block_executable', [27]],
  ['file_block_shredding', [28]],
  ['file_executable_detected', [29]],
  ['sysmon_error', [255]],
];

/** Other categories living in their own channel. */
const CHANNEL_CATEGORIES: [string, string, number[]][] = [
  ['ps_module', 'Microsoft-Windows-PowerShell/Operational', [4103]],
  ['ps_script', 'Microsoft-Windows-PowerShell/Operational', [4104]],
  ['ps_classic_start', 'Windows PowerShell', [400]],
  ['ps_classic_provider_start', 'Windows PowerShell', [600]],
  ['ps_classic_script', 'Windows PowerShell', [800]],
];

const windowsOnly = { type: 'logsource' as const, product: 'windows' };

const items: PipelineItem[] = [
  { id: 'system_fields', transformation: { type: 'field_name_mapping', mapping: SYSTEM_FIELDS }, ruleConditions: [windowsOnly] },
  {
    id: 'event_data_fields',
    transformation: { type: 'field_name_prefix', prefix: 'Event.EventData.' },
    ruleConditions: [windowsOnly],
    fieldNameConditions: { exclude: ['Event.System.*'] },
  },
  // Process creation comes from Sysmon 1 or from Security 4688 (the latter with its own field names;
  // collectors are expected to rename NewProcessName→Image etc. before matching).
  {
    id: 'category_process_creation',
    transformation: {
      type: 'add_condition',
      conditions: [
        { 'Event.System.Channel': SYSMON, 'Event.System.EventID': 1 },
        { 'Event.System.Channel': 'Security', 'Event.System.EventID': 4688 },
      ],
    },
    ruleConditions: [{ type: 'logsource', product: 'windows', category: 'process_creation' }],
  },
  ...SYSMON_CATEGORIES.map(([category, ids]): PipelineItem => ({
    id: `category_${category}`,
    transformation: { type: 'add_condition', conditions: { 'Event.System.Channel': SYSMON, 'Event.System.EventID': ids } },
    ruleConditions: [{ type: 'logsource', product: 'windows', category }],
  })),
  ...CHANNEL_CATEGORIES.map(([category, channel, ids]): PipelineItem => ({
    id: `category_${category}`,
    transformation: { type: 'add_condition', conditions: { 'Event.System.Channel': channel, 'Event.System.EventID': ids } },
    ruleConditions: [{ type: 'logsource', product: 'windows', category }],
  })),
  ...Object.entries(WINDOWS_SERVICE_CHANNELS).map(([service, channel]): PipelineItem => ({
    id: `service_${service}`,
    transformation: { type: 'add_condition', conditions: { 'Event.System.Channel': channel } },
    ruleConditions: [{ type: 'logsource', product: 'windows', service }],
  })),
  // Rules of every product only see events of that product (a Windows rule Windows events, a Zeek rule none of these).
  { id: 'logsource_product', transformation: { type: 'logsource_condition' } },
];

export const windowsPipeline: ProcessingPipeline = {
  name: 'windows',
  description: 'Windows event log JSON (Event.System / Event.EventData), logsource to Channel and EventID',
  items,
};

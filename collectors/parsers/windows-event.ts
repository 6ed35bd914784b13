/**
 * Windows event log records as JSON (winlogbeat/NXLog/Event Log XML converted to
 * {Event: {System, EventData}}). EventData is kept whole under winlog.event_data; the Security
 * and Sysmon ids that detections rely on are mapped to ECS categories and process/user fields.
 */
import type { Doc } from '../../core/doc';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, int, ok } from './event-doc';
import { isObject, jsonRecord, peekRecord, str } from './json-input';
import { isoFromAny } from './timestamps';

type Mapping = { action: string; category: string[]; type: string[]; outcome?: string };
const m = (action: string, category: string[], type: string[], outcome?: string): Mapping => ({ action, category, type, outcome });

const SECURITY: Readonly<Record<string, Mapping>> = {
  '4624': m('logged-in', ['authentication'], ['start'], 'success'),
  '4625': m('logon-failed', ['authentication'], ['start'], 'failure'),
  '4634': m('logged-out', ['authentication'], ['end'], 'success'),
  '4647': m('logged-out', ['authentication'], ['end'], 'success'),
  '4648': m('logged-in-explicit', ['authentication'], ['start'], 'success'),
  '4672': m('logged-in-special', ['iam'], ['admin'], 'success'),
  '4688': m('created-process', ['process'], ['start'], 'success'),
  '4689': m('exited-process', ['process'], ['end'], 'success'),
  '4720': m('added-user-account', ['iam'], ['user', 'creation'], 'success'),
  '4722': m('enabled-user-account', ['iam'], ['user', 'change'], 'success'),
  '4724': m('reset-password', ['iam'], ['user', 'change'], 'success'),
  '4725': m('disabled-user-account', ['iam'], ['user', 'change'], 'success'),
  '4726': m('deleted-user-account', ['iam'], ['user', 'deletion'], 'success'),
  '4728': m('added-member-to-group', ['iam'], ['group', 'change'], 'success'),
  '4732': m('added-member-to-group', ['iam'], ['group', 'change'], 'success'),
  '4756': m('added-member-to-group', ['iam'], ['group', 'change'], 'success'),
  '4729': m('removed-member-from-group', ['iam'], ['group', 'change'], 'success'),
  '4733': m('removed-member-from-group', ['iam'], ['group', 'change'], 'success'),
  '4757': m('removed-member-from-group', ['iam'], ['group', 'change'], 'success'),
  '4740': m('locked-out-user-account', ['iam'], ['user', 'change'], 'success'),
  '4663': m('accessed-object', ['file'], ['access'], 'success'),
  '5140': m('accessed-network-share', ['network', 'file'], ['access'], 'success'),
  '5145': m('checked-network-share-access', ['network', 'file'], ['access']),
  '4768': m('kerberos-authentication-ticket-requested', ['authentication'], ['start']),
  '4769': m('kerberos-service-ticket-requested', ['authentication'], ['start']),
  '4771': m('kerberos-preauth-failed', ['authentication'], ['start'], 'failure'),
  '4776': m('credential-validated', ['authentication'], ['start']),
  '1102': m('audit-log-cleared', ['iam'], ['admin', 'change'], 'success'),
  '7045': m('service-installed', ['configuration'], ['creation'], 'success'),
};

const SYSMON: Readonly<Record<string, Mapping>> = {
  '1': m('process-created', ['process'], ['start']),
  '3': m('network-connection', ['network'], ['connection', 'start']),
  '5': m('process-terminated', ['process'], ['end']),
  '7': m('image-loaded', ['process'], ['change']),
  '8': m('create-remote-thread', ['process'], ['change']),
  '10': m('process-access', ['process'], ['access']),
  '11': m('file-created', ['file'], ['creation']),
  '12': m('registry-object-added-or-deleted', ['registry'], ['change']),
  '13': m('registry-value-set', ['registry'], ['change']),
  '22': m('dns-query', ['network'], ['protocol', 'info']),
  '23': m('file-deleted', ['file'], ['deletion']),
  '26': m('file-delete-detected', ['file'], ['deletion']),
};

const LEVELS: Readonly<Record<string, string>> = { '0': 'information', '1': 'critical', '2': 'error', '3': 'warning', '4': 'information', '5': 'verbose' };

/** XML-to-JSON converters write either plain values or {"#text": v, attr...}, and attributes as "@Name" or "Name". */
function text(v: unknown): string | undefined {
  if (isObject(v)) return str(v['#text']) ?? str(v['@SystemTime']) ?? str(v.SystemTime) ?? str(v['@Name']) ?? str(v.Name);
  return str(v);
}

/** EventData as {Name: value}, whether it arrived flat or as [{Name, #text}] from XML. */
function eventData(raw: unknown): Record<string, string> {
  const items = isObject(raw) && Array.isArray(raw.Data) ? raw.Data : Array.isArray(raw) ? raw : undefined;
  if (items) {
    const out: Record<string, string> = {};
    for (const d of items) if (isObject(d)) out[str(d['@Name']) ?? str(d.Name) ?? ''] = text(d['#text'] ?? d.Value) ?? '';
    return out;
  }
  if (!isObject(raw)) return {};
  return Object.fromEntries(Object.entries(raw).flatMap(([k, v]) => (text(v) === undefined ? [] : [[k, text(v)!]])));
}

const useful = (v: string | undefined): string | undefined => (v === undefined || v === '-' || v === '' || v === 'NULL SID' ? undefined : v);
const basename = (p: string | undefined): string | undefined => p?.split('\\').pop();
/** Windows writes process ids in hex in Security events ("0x1a2c") and decimal in Sysmon. */
const pid = (v: string | undefined): number | undefined => (v?.startsWith('0x') ? Number.parseInt(v, 16) : int(v));
function domainUser(v: string | undefined): Doc | undefined {
  if (!useful(v)) return undefined;
  const i = v!.indexOf('\\');
  return i < 0 ? { name: v } : { domain: v!.slice(0, i), name: v!.slice(i + 1) };
}

function ecsFields(channel: string, code: string, d: Record<string, string>): Doc {
  if (/sysmon/i.test(channel)) {
    return {
      process: {
        pid: int(d.ProcessId),
        executable: d.Image,
        name: basename(d.Image),
        command_line: d.CommandLine,
        entity_id: d.ProcessGuid,
        working_directory: d.CurrentDirectory,
        parent: { pid: int(d.ParentProcessId), executable: d.ParentImage, name: basename(d.ParentImage), command_line: d.ParentCommandLine },
      },
      user: domainUser(d.User),
      source: code === '3' ? endpoint(d.SourceIp, int(d.SourcePort)) : undefined,
      destination: code === '3' ? { ...endpoint(d.DestinationIp, int(d.DestinationPort)), domain: useful(d.DestinationHostname) } : undefined,
      network: code === '3' ? { transport: d.Protocol?.toLowerCase() } : undefined,
      file: d.TargetFilename ? { path: d.TargetFilename, name: basename(d.TargetFilename) } : undefined,
      dns: code === '22' ? { question: { name: d.QueryName } } : undefined,
    };
  }
  const newProcess = d.NewProcessName ?? (code === '4689' ? d.ProcessName : undefined);
  return {
    user: {
      name: useful(d.TargetUserName) ?? useful(d.SubjectUserName),
      domain: useful(d.TargetDomainName) ?? useful(d.SubjectDomainName),
      id: useful(d.TargetUserSid) ?? useful(d.SubjectUserSid),
    },
    source:
      endpoint(useful(d.IpAddress)?.replace(/^::ffff:/, ''), int(d.IpPort) || undefined) ??
      (useful(d.WorkstationName) ? { domain: d.WorkstationName } : undefined),
    process: {
      pid: pid(d.NewProcessId ?? d.ProcessId),
      executable: newProcess ?? useful(d.ProcessName),
      name: basename(newProcess ?? useful(d.ProcessName)),
      command_line: d.CommandLine,
      parent: { pid: pid(d.ProcessId && d.NewProcessId ? d.ProcessId : undefined), executable: d.ParentProcessName, name: basename(d.ParentProcessName) },
    },
    file: d.ObjectName && code === '4663' ? { path: d.ObjectName } : undefined,
    winlog: { logon: { type: d.LogonType, id: d.TargetLogonId }, status: d.Status },
  };
}

function eventOf(r: Doc): Doc | undefined {
  const ev = isObject(r.Event) ? r.Event : r;
  return isObject(ev.System) ? ev : undefined;
}

export const windowsEvent: LogSource = {
  name: 'windows-event',
  description: 'Windows event log record as JSON ({Event: {System, EventData}}), Security and Sysmon mapped to ECS',
  detect(input: RawInput): boolean {
    const r = peekRecord(input);
    return r !== undefined && eventOf(r) !== undefined;
  },
  parse(input: RawInput, ctx: ParseContext) {
    const j = jsonRecord(input);
    if (!j.ok) return fail(j.error);
    const ev = eventOf(j.record);
    if (!ev) return fail('not a Windows event: expected {"Event": {"System": {...}, "EventData": {...}}}');
    const sys = ev.System as Doc;
    const code = text(sys.EventID);
    if (code === undefined) return fail('Windows event without System.EventID');
    const ts = isoFromAny(text(sys.TimeCreated), ctx);
    if (!ts) return fail(`missing or invalid System.TimeCreated ${JSON.stringify(sys.TimeCreated)}`);
    const channel = text(sys.Channel) ?? '';
    const provider = text(sys.Provider);
    const d = eventData(ev.EventData ?? ev.UserData);
    const known = (/sysmon/i.test(channel) ? SYSMON : SECURITY)[code];
    const keywords = text(sys.Keywords) ?? '';
    // Audit keywords settle the outcome of ids whose result is in the record (4768, 4776, 5145).
    const outcome =
      known?.outcome ??
      (/Audit Failure/i.test(keywords)
        ? 'failure'
        : /Audit Success/i.test(keywords)
          ? 'success'
          : d.Status === '0x0'
            ? 'success'
            : d.Status
              ? 'failure'
              : undefined);
    const ecs = ecsFields(channel, code, d);
    return ok({
      ...ecs,
      '@timestamp': ts,
      message: str(ev.RenderingInfo && isObject(ev.RenderingInfo) ? ev.RenderingInfo.Message : undefined) ?? str(j.record.message),
      event: {
        kind: 'event',
        dataset: `windows.${channel.toLowerCase().replace(/[^a-z0-9]+/g, '_') || 'unknown'}`,
        module: 'windows',
        code,
        provider,
        action: known?.action,
        category: known?.category,
        type: known?.type,
        outcome,
      },
      log: { level: LEVELS[text(sys.Level) ?? ''] ?? text(sys.Level)?.toLowerCase() },
      host: { name: text(sys.Computer), os: { type: 'windows' } },
      winlog: {
        ...(ecs.winlog as Doc | undefined),
        channel,
        provider_name: provider,
        event_id: code,
        record_id: text(sys.EventRecordID),
        computer_name: text(sys.Computer),
        process: { pid: int(text(isObject(sys.Execution) ? (sys.Execution.ProcessID ?? sys.Execution['@ProcessID']) : undefined)) },
        event_data: d,
      },
    });
  },
};

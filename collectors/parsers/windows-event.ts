/**
 * Windows event log records, in every shape CitySOC is fed, read into one internal shape
 * (`normalizeWindowsEvent`): `{"@timestamp", Event: {System, EventData, RenderingInfo?}}`, the
 * EVTX XML layout that the `windows` Sigma pipeline maps, with the event's own time as
 * @timestamp. Shapes read:
 * - EVTX rendered to JSON: evtx_dump (`#attributes` for XML attributes), xml2js/xmltodict style
 *   (`@Name`, `#text`), `[{Name, #text}]` Data lists, or plain values;
 * - the event XML itself (`<Event xmlns=...>`), as a line or as Fluent Bit's winevtlog record with
 *   `Render_Event_As_XML` (`{System: "<Event ...>", Message}`);
 * - Winlogbeat / Elastic Agent ECS (`winlog.channel`, `winlog.event_id`, `winlog.event_data`, `winlog.user_data`);
 * - NXLog im_msvistalog JSON (`SourceName`, `EventTime`, `Hostname`, EventData flattened on top);
 * - Fluent Bit winevtlog without XML (`ProviderName`, `TimeCreated`, unnamed `StringInserts`);
 * - flat records in Sigma's field names (`EventID`, `Channel`, `Provider_Name`, EventData on top).
 * `UserData` children join EventData (rules name them like EventData fields), EventData names lose
 * their spaces ("Threat Name" → "ThreatName", as rules spell them), unnamed Data items are kept as
 * `Data` and `param1..N` (both spellings occur in rules), and every EventData value is text, as it
 * is in the XML. The ECS mapping below reads the internal shape, so every shape maps alike.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Doc } from '../../core/doc';
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, int, ok } from './event-doc';
import { isObject, jsonRecord, str } from './json-input';
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
const LEVEL_NUMBERS: Readonly<Record<string, number>> = { critical: 1, error: 2, warning: 3, information: 4, info: 4, verbose: 5 };

export type EventDataValue = string | string[];

/** The internal shape every Windows record is read into. */
export interface WindowsEventRecord {
  '@timestamp': string;
  Event: {
    System: Doc;
    EventData: Record<string, EventDataValue>;
    RenderingInfo?: { Message: string };
  };
}

export type NormalizeOutcome = { ok: true; record: WindowsEventRecord } | { ok: false; error: string };

/** An XML attribute as the converters write it: `#attributes.Name` (evtx_dump), `@Name`, `@_Name`, `$.Name` (xml2js) or a plain key. */
function attr(node: unknown, name: string): unknown {
  if (!isObject(node)) return undefined;
  const a = node['#attributes'];
  if (isObject(a) && a[name] !== undefined) return a[name];
  const dollar = node.$;
  if (isObject(dollar) && dollar[name] !== undefined) return dollar[name];
  return node[`@${name}`] ?? node[`@_${name}`] ?? node[name];
}

/** The text content of an element: a scalar, or `#text` / `_` / `Value` of an element with attributes. */
function content(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean' || typeof node === 'bigint') return String(node);
  if (isObject(node)) return content(node['#text'] ?? node._ ?? node.Value);
  return undefined;
}

/** Text values of a scalar or a list (evtx_dump writes repeated elements as arrays); nulls dropped. */
function texts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(texts);
  if (isObject(node) && Array.isArray(node['#text'])) return texts(node['#text']);
  const t = content(node);
  return t === undefined ? [] : [t];
}

const EVENT_DATA_VALUE = (v: unknown): EventDataValue | undefined => {
  // Scalars (nearly every value of flat records) without the list texts() builds.
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  const all = texts(v);
  return all.length === 0 ? undefined : Array.isArray(v) ? all : (all[0] as string);
};

/** EventData names as rules spell them: no spaces. Names of letters, digits and `_` (nearly all) are returned as they are, unscanned by the regex. */
function fieldName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) return name.replace(/\s+/g, '');
  }
  return name;
}

/** Unnamed items kept both as `Data` (a list) and as `param1..N`. */
function addUnnamed(out: Record<string, EventDataValue>, values: string[]): void {
  if (values.length === 0) return;
  const prior = out.Data;
  out.Data = [...(prior === undefined ? [] : Array.isArray(prior) ? prior : [prior]), ...values];
  values.forEach((v, i) => {
    const key = `param${i + 1}`;
    if (out[key] === undefined) out[key] = v;
  });
}

const XML_META = new Set(['#attributes', '$', 'xmlns', '@xmlns', '@_xmlns', 'xml_name']);

/**
 * EventData (or one UserData child) as {Name: text}: `Data` items with a Name attribute become
 * fields, unnamed ones `Data`/`paramN`, other children (UserData, flat converters) fields as named.
 */
function readData(node: unknown, out: Record<string, EventDataValue>): void {
  if (node === null || node === undefined) return;
  if (typeof node === 'string' || typeof node === 'number') {
    addUnnamed(out, [String(node)]);
    return;
  }
  if (Array.isArray(node)) {
    const unnamed: string[] = [];
    for (const item of node) {
      const name = attr(item, 'Name');
      if (typeof name === 'string' && name !== '') {
        const v = EVENT_DATA_VALUE(isObject(item) ? (item['#text'] ?? item._ ?? item.Value ?? item['#value'] ?? '') : item);
        out[fieldName(name)] = v ?? '';
      } else unnamed.push(...texts(item));
    }
    addUnnamed(out, unnamed);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (XML_META.has(key) || key.startsWith('@')) continue;
    if (key === 'Data') {
      readData(
        Array.isArray(value) ? value : isObject(value) && attr(value, 'Name') === undefined && Array.isArray(value['#text']) ? value['#text'] : [value],
        out,
      );
      continue;
    }
    if (key === 'Binary') {
      const b = content(value);
      if (b !== undefined) out.Binary = b;
      continue;
    }
    const v = EVENT_DATA_VALUE(value);
    if (v !== undefined) out[fieldName(key)] = v;
    else if (isObject(value)) readData(value, out); // nested UserData elements (e.g. EventXML/…)
  }
}

/** UserData holds one element (LogFileCleared, EventXML, …) whose children are the fields. */
function readUserData(node: unknown, out: Record<string, EventDataValue>): void {
  if (!isObject(node)) return;
  const fields: Record<string, EventDataValue> = {};
  for (const [key, child] of Object.entries(node)) if (!XML_META.has(key) && !key.startsWith('@')) readData(child, fields);
  for (const [k, v] of Object.entries(fields)) if (out[k] === undefined) out[k] = v;
}

/** Whether a System value is kept: absent, null and empty values are left out. */
const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/** Sets `key` when the value is present. */
function put(out: Doc, key: string, v: unknown): void {
  if (present(v)) out[key] = v;
}

/** Sets `key` to an element of one or two attributes, those present; the element is left out when none is. */
function putElement(out: Doc, key: string, a: string, av: unknown, b?: string, bv?: unknown): void {
  const ap = present(av);
  const bp = b !== undefined && present(bv);
  if (!ap && !bp) return;
  const element: Doc = {};
  if (ap) element[a] = av;
  if (bp) element[b] = bv;
  out[key] = element;
}

const CANONICAL_UTC = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The event's time as ISO 8601. A time already in the canonical UTC form that isoFromAny writes
 * (as converters and flat records mostly give it) is its own answer when it is a real instant;
 * years before 1000 take the general path, whose calendar differs there.
 */
function eventIso(time: string, ctx: ParseContext): string | undefined {
  if (time.length === 24 && CANONICAL_UTC.test(time)) {
    const t = Date.parse(time);
    if (Number.isFinite(t) && new Date(t).toISOString() === time) return time;
  }
  return isoFromAny(time.replace(/ ([+-]\d{2}:?\d{2})$/, '$1'), ctx);
}

/** Event ids and other counters as numbers when they are plain integers, as in the XML schema. */
const num = (v: unknown): number | string | undefined => {
  const t = content(v);
  return t !== undefined && /^\d{1,15}$/.test(t) ? Number(t) : t;
};

interface SystemParts {
  provider?: unknown;
  providerGuid?: unknown;
  eventId: unknown;
  qualifiers?: unknown;
  version?: unknown;
  level?: unknown;
  task?: unknown;
  opcode?: unknown;
  keywords?: unknown;
  time: unknown;
  recordId?: unknown;
  activityId?: unknown;
  processId?: unknown;
  threadId?: unknown;
  channel?: unknown;
  computer?: unknown;
  userId?: unknown;
}

function assemble(p: SystemParts, data: Record<string, EventDataValue>, message: unknown, ctx: ParseContext): NormalizeOutcome {
  const eventId = num(p.eventId);
  if (eventId === undefined) return { ok: false, error: 'Windows event without EventID' };
  const time = content(p.time);
  const ts = time === undefined ? undefined : eventIso(time, ctx);
  if (!ts) return { ok: false, error: `missing or invalid System.TimeCreated ${JSON.stringify(p.time)}` };
  // Built in place, in the XML's order, leaving out what is absent or empty.
  const System: Doc = {};
  putElement(System, 'Provider', 'Name', content(p.provider), 'Guid', content(p.providerGuid));
  put(System, 'EventID', eventId);
  if (p.qualifiers !== undefined) put(System, 'Qualifiers', num(p.qualifiers));
  if (p.version !== undefined) put(System, 'Version', num(p.version));
  if (p.level !== undefined) put(System, 'Level', num(p.level));
  if (p.task !== undefined) put(System, 'Task', num(p.task));
  if (p.opcode !== undefined) put(System, 'Opcode', num(p.opcode));
  if (p.keywords !== undefined) put(System, 'Keywords', Array.isArray(p.keywords) ? texts(p.keywords) : content(p.keywords));
  putElement(System, 'TimeCreated', 'SystemTime', time);
  if (p.recordId !== undefined) put(System, 'EventRecordID', num(p.recordId));
  if (p.activityId !== undefined) putElement(System, 'Correlation', 'ActivityID', content(p.activityId));
  if (p.processId !== undefined || p.threadId !== undefined) putElement(System, 'Execution', 'ProcessID', num(p.processId), 'ThreadID', num(p.threadId));
  put(System, 'Channel', content(p.channel));
  put(System, 'Computer', content(p.computer));
  if (p.userId !== undefined) putElement(System, 'Security', 'UserID', content(p.userId));
  const text = content(message);
  return { ok: true, record: { '@timestamp': ts, Event: { System, EventData: data, ...(text ? { RenderingInfo: { Message: text } } : {}) } } };
}

/** `{Event: {System, EventData|UserData}}` or `{System: {...}, EventData}` as XML-to-JSON converters write it. */
function fromXmlJson(ev: Doc, message: unknown, ctx: ParseContext): NormalizeOutcome {
  const sys = ev.System as Doc;
  const data: Record<string, EventDataValue> = {};
  readData(ev.EventData, data);
  readUserData(ev.UserData, data);
  const eventId = sys.EventID;
  const rendering = isObject(ev.RenderingInfo) ? ev.RenderingInfo.Message : undefined;
  return assemble(
    {
      provider: attr(sys.Provider, 'Name'),
      providerGuid: attr(sys.Provider, 'Guid'),
      eventId: isObject(eventId) ? (eventId['#text'] ?? eventId.Value ?? eventId._) : eventId,
      qualifiers: isObject(eventId) ? attr(eventId, 'Qualifiers') : undefined,
      version: sys.Version,
      level: sys.Level,
      task: sys.Task,
      opcode: sys.Opcode,
      keywords: sys.Keywords,
      time: isObject(sys.TimeCreated) ? attr(sys.TimeCreated, 'SystemTime') : sys.TimeCreated,
      recordId: sys.EventRecordID,
      activityId: attr(sys.Correlation, 'ActivityID'),
      processId: attr(sys.Execution, 'ProcessID'),
      threadId: attr(sys.Execution, 'ThreadID'),
      channel: sys.Channel,
      computer: sys.Computer,
      userId: attr(sys.Security, 'UserID'),
    },
    data,
    rendering ?? message,
    ctx,
  );
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false, trimValues: true });

function fromXmlText(text: string, message: unknown, ctx: ParseContext): NormalizeOutcome {
  let doc: unknown;
  try {
    doc = xml.parse(text);
  } catch (e) {
    return { ok: false, error: `invalid event XML: ${(e as Error).message}` };
  }
  const ev = isObject(doc) ? doc.Event : undefined;
  if (!isObject(ev) || !isObject(ev.System)) return { ok: false, error: 'event XML without <Event><System>' };
  return fromXmlJson(ev, message, ctx);
}

/** Winlogbeat / Elastic Agent: `winlog.*` beside ECS fields. */
function fromWinlogbeat(r: Doc, ctx: ParseContext): NormalizeOutcome {
  const w = r.winlog as Doc;
  const data: Record<string, EventDataValue> = {};
  readData(w.event_data, data);
  readUserData(isObject(w.user_data) ? { UserData: w.user_data } : undefined, data);
  // Winlogbeat names unnamed <Data> param1..N; the XML shapes also keep them as the Data list.
  if (data.Data === undefined && data.param1 !== undefined) {
    const params: string[] = [];
    for (let i = 1; typeof data[`param${i}`] === 'string'; i++) params.push(data[`param${i}`] as string);
    data.Data = params;
  }
  const ev = isObject(r.event) ? r.event : {};
  const level = typeof (r.log as Doc | undefined)?.level === 'string' ? LEVEL_NUMBERS[String((r.log as Doc).level).toLowerCase()] : undefined;
  const proc = isObject(w.process) ? w.process : {};
  return assemble(
    {
      provider: w.provider_name ?? ev.provider,
      providerGuid: w.provider_guid,
      eventId: w.event_id ?? ev.code,
      version: w.version,
      level,
      task: w.task,
      opcode: w.opcode,
      keywords: w.keywords,
      time: r['@timestamp'],
      recordId: w.record_id,
      activityId: w.activity_id,
      processId: proc.pid,
      threadId: isObject(proc.thread) ? proc.thread.id : undefined,
      channel: w.channel,
      computer: w.computer_name ?? (isObject(r.host) ? r.host.name : undefined),
      userId: isObject(w.user) ? w.user.identifier : undefined,
    },
    data,
    r.message,
    ctx,
  );
}

/** Keys of flat records that describe the record, not EventData (NXLog, Fluent Bit, Sigma-style). */
const FLAT_SYSTEM: Readonly<Record<string, keyof SystemParts | null>> = {
  EventID: 'eventId',
  Channel: 'channel',
  Provider_Name: 'provider',
  ProviderName: 'provider',
  SourceName: 'provider',
  Provider_Guid: 'providerGuid',
  ProviderGuid: 'providerGuid',
  Qualifiers: 'qualifiers',
  Version: 'version',
  Level: 'level',
  Task: 'task',
  TaskValue: 'task',
  Opcode: 'opcode',
  OpcodeValue: 'opcode',
  Keywords: 'keywords',
  TimeCreated: 'time',
  SystemTime: 'time',
  EventTime: 'time',
  '@timestamp': 'time',
  EventRecordID: 'recordId',
  RecordNumber: 'recordId',
  ActivityID: 'activityId',
  ProcessID: 'processId',
  ExecutionProcessID: 'processId',
  Execution_ProcessID: 'processId',
  ThreadID: 'threadId',
  ExecutionThreadID: 'threadId',
  Computer: 'computer',
  Hostname: 'computer',
  UserID: 'userId',
  Security_UserID: 'userId',
  // NXLog's own fields and Fluent Bit's extras: not EventData.
  Message: null,
  StringInserts: null,
  RelatedActivityID: null,
};

/** NXLog im_msvistalog's own fields; only an NXLog record has them as such (elsewhere AccountName is EventData, as in 7045). */
const NXLOG_META = new Set([
  'EventType',
  'Severity',
  'SeverityValue',
  'Category',
  'EventReceivedTime',
  'SourceModuleName',
  'SourceModuleType',
  'AccountName',
  'AccountType',
  'Domain',
]);

function fromFlat(r: Doc, ctx: ParseContext): NormalizeOutcome {
  const parts: SystemParts = { eventId: undefined, time: undefined };
  const data: Record<string, EventDataValue> = {};
  const nxlog = r.SourceModuleType === 'im_msvistalog' || r.EventReceivedTime !== undefined;
  const keys = Object.keys(r);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = r[key];
    const part = Object.prototype.hasOwnProperty.call(FLAT_SYSTEM, key) ? FLAT_SYSTEM[key] : undefined;
    if (part === null || (nxlog && NXLOG_META.has(key))) continue;
    if (part !== undefined) {
      if (parts[part] === undefined) (parts as unknown as Record<string, unknown>)[part] = value;
      continue;
    }
    const v = EVENT_DATA_VALUE(value);
    if (v !== undefined) data[fieldName(key)] = v;
  }
  // NXLog's SeverityValue is its own scale, not the Windows level; Fluent Bit's Level is the Windows one.
  if (Array.isArray(r.StringInserts)) addUnnamed(data, texts(r.StringInserts));
  return assemble(parts, data, r.Message, ctx);
}

/** Which shape a record is in, without reading it whole. */
export function windowsShape(r: Doc): 'xml-json' | 'xml-text' | 'winlogbeat' | 'flat' | undefined {
  if (isObject(r.Event) && isObject(r.Event.System)) return 'xml-json';
  if (isObject(r.System) && (r.System.EventID !== undefined || r.System.Provider !== undefined)) return 'xml-json';
  if (typeof r.System === 'string' && r.System.trimStart().startsWith('<')) return 'xml-text';
  if (isObject(r.winlog) && (r.winlog.event_id !== undefined || r.winlog.channel !== undefined)) return 'winlogbeat';
  if (r.EventID !== undefined && (typeof r.Channel === 'string' || r.SourceName !== undefined || r.ProviderName !== undefined || r.Provider_Name !== undefined))
    return 'flat';
  return undefined;
}

/** Any Windows record (or event XML text) into the internal shape. */
export function normalizeWindowsEvent(input: Doc | string, ctx: ParseContext): NormalizeOutcome {
  if (typeof input === 'string') return fromXmlText(input, undefined, ctx);
  return normalizeWindowsShape(input, windowsShape(input), ctx);
}

/** A record whose shape windowsShape already told, into the internal shape (so a caller that asked does not ask again). */
export function normalizeWindowsShape(input: Doc, shape: ReturnType<typeof windowsShape>, ctx: ParseContext): NormalizeOutcome {
  switch (shape) {
    case 'xml-json':
      return fromXmlJson(isObject(input.Event) ? input.Event : input, input.message ?? input.Message, ctx);
    case 'xml-text':
      return fromXmlText(input.System as string, input.Message, ctx);
    case 'winlogbeat':
      return fromWinlogbeat(input, ctx);
    case 'flat':
      return fromFlat(input, ctx);
    default:
      return {
        ok: false,
        error: 'not a Windows event: expected {"Event": {"System", "EventData"}}, event XML, winlog.* (Winlogbeat), or a flat record with EventID and Channel',
      };
  }
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

/** One text per field for the ECS mapping (a repeated field reads as its first value). */
function firstValues(data: Record<string, EventDataValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first;
  }
  return out;
}

function readInput(input: RawInput, ctx: ParseContext): NormalizeOutcome & { record?: unknown; source?: Doc } {
  if (input.kind === 'line' && input.line.trimStart().startsWith('<')) return normalizeWindowsEvent(input.line.trim(), ctx);
  const j = jsonRecord(input);
  if (!j.ok) return j;
  const out = normalizeWindowsEvent(j.record, ctx);
  return out.ok ? { ...out, source: j.record } : out;
}

/** The ECS document of a normalized record. */
export function windowsEcs(w: WindowsEventRecord): Doc {
  const sys = w.Event.System;
  const code = String(sys.EventID);
  const channel = typeof sys.Channel === 'string' ? sys.Channel : '';
  const provider = isObject(sys.Provider) ? str(sys.Provider.Name) : undefined;
  const d = firstValues(w.Event.EventData);
  const known = (/sysmon/i.test(channel) ? SYSMON : SECURITY)[code];
  const keywords = Array.isArray(sys.Keywords) ? sys.Keywords.join(' ') : (str(sys.Keywords) ?? '');
  // Audit keywords settle the outcome of ids whose result is in the record (4768, 4776, 5145):
  // names (Winlogbeat) or the mask bits (EVTX: 0x10… audit failure, 0x20… audit success).
  const mask = /^0x[0-9a-f]+$/i.test(keywords) ? BigInt(keywords) : 0n;
  const failure = /Audit Failure/i.test(keywords) || (mask & 0x10000000000000n) !== 0n;
  const success = /Audit Success/i.test(keywords) || (mask & 0x20000000000000n) !== 0n;
  const outcome = known?.outcome ?? (failure ? 'failure' : success ? 'success' : d.Status === '0x0' ? 'success' : d.Status ? 'failure' : undefined);
  const ecs = ecsFields(channel, code, d);
  const execution = isObject(sys.Execution) ? sys.Execution : {};
  return {
    ...ecs,
    '@timestamp': w['@timestamp'],
    message: w.Event.RenderingInfo?.Message,
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
    log: { level: LEVELS[String(sys.Level ?? '')] ?? (typeof sys.Level === 'string' ? sys.Level.toLowerCase() : undefined) },
    host: { name: str(sys.Computer), os: { type: 'windows' } },
    winlog: {
      ...(ecs.winlog as Doc | undefined),
      channel,
      provider_name: provider,
      event_id: code,
      record_id: sys.EventRecordID === undefined ? undefined : String(sys.EventRecordID),
      computer_name: str(sys.Computer),
      process: { pid: int(execution.ProcessID === undefined ? undefined : String(execution.ProcessID)) },
      event_data: w.Event.EventData,
    },
  };
}

export const windowsEvent: LogSource = {
  name: 'windows-event',
  description:
    'Windows event log records (EVTX as JSON or XML, Winlogbeat winlog.*, NXLog, Fluent Bit winevtlog, flat), read into one shape; Security and Sysmon mapped to ECS',
  detect(input: RawInput): boolean {
    if (input.kind === 'line') {
      const t = input.line.trimStart();
      if (t.startsWith('<Event')) return true;
      if (!t.startsWith('{')) return false;
    }
    const j = jsonRecord(input);
    return j.ok && windowsShape(j.record) !== undefined;
  },
  parse(input: RawInput, ctx: ParseContext) {
    const n = readInput(input, ctx);
    if (!n.ok) return fail(n.error);
    const ecs = windowsEcs(n.record);
    // Winlogbeat records keep their other ECS fields (agent, ecs, tags…); ours describe the event.
    return ok(n.source && isObject(n.source.winlog) ? { ...n.source, ...ecs } : ecs);
  },
};

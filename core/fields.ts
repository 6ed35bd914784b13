/**
 * The field catalogue: the ECS fields CitySOC relies on and the `citysoc.*` fieldset, with the
 * type each store must give them. Query compilers, index templates and SQLite columns all read
 * this one list, so a field behaves the same in every engine.
 */
export type FieldType = 'keyword' | 'text' | 'date' | 'long' | 'double' | 'ip' | 'boolean';

export interface FieldSpec {
  readonly type: FieldType;
  /** ECS declares it as an array of keywords (event.category, event.type, ...). */
  readonly array?: boolean;
  /** Hot field: the embedded store keeps an indexed column for it. */
  readonly indexed?: boolean;
  /**
   * Personal data (个人信息): its values are tokenized into `citysoc.tokens` when stored and
   * replaced in free text (`citysoc.redacted.*`), so callers who see it masked can search it by
   * token and cannot find it by its clear value in message or event.original.
   */
  readonly personal?: boolean;
  /** Kept by CitySOC for its own indexing: never returned, never queried by callers. */
  readonly internal?: boolean;
}

export const FIELDS: Readonly<Record<string, FieldSpec>> = {
  '@timestamp': { type: 'date' },
  message: { type: 'text' },
  tags: { type: 'keyword', array: true },
  'ecs.version': { type: 'keyword' },

  'event.id': { type: 'keyword' },
  'event.kind': { type: 'keyword' },
  'event.category': { type: 'keyword', array: true },
  'event.type': { type: 'keyword', array: true },
  'event.action': { type: 'keyword', indexed: true },
  'event.outcome': { type: 'keyword', indexed: true },
  'event.dataset': { type: 'keyword', indexed: true },
  'event.module': { type: 'keyword' },
  'event.provider': { type: 'keyword' },
  'event.code': { type: 'keyword' },
  'event.severity': { type: 'long' },
  'event.risk_score': { type: 'double' },
  'event.created': { type: 'date' },
  'event.ingested': { type: 'date' },
  'event.duration': { type: 'long' },
  'event.original': { type: 'keyword' },
  'event.hash': { type: 'keyword' },

  'log.level': { type: 'keyword' },
  'log.logger': { type: 'keyword' },
  'log.file.path': { type: 'keyword' },
  'log.syslog.facility.name': { type: 'keyword' },
  'log.syslog.severity.name': { type: 'keyword' },

  'host.name': { type: 'keyword', indexed: true },
  'host.hostname': { type: 'keyword' },
  'host.ip': { type: 'ip', array: true },
  'host.os.type': { type: 'keyword' },

  'user.name': { type: 'keyword', indexed: true },
  'user.id': { type: 'keyword' },
  'user.domain': { type: 'keyword' },
  'user.roles': { type: 'keyword', array: true },
  'user.target.name': { type: 'keyword' },
  'user.effective.name': { type: 'keyword' },

  'source.ip': { type: 'ip', indexed: true },
  'source.port': { type: 'long' },
  'source.domain': { type: 'keyword' },
  'source.bytes': { type: 'long' },
  'destination.ip': { type: 'ip' },
  'destination.port': { type: 'long' },
  'destination.domain': { type: 'keyword' },
  'destination.bytes': { type: 'long' },
  'network.transport': { type: 'keyword' },
  'network.protocol': { type: 'keyword' },
  'network.zone': { type: 'keyword' },

  'process.name': { type: 'keyword' },
  'process.pid': { type: 'long' },
  'process.executable': { type: 'keyword' },
  'process.command_line': { type: 'keyword' },
  'process.args': { type: 'keyword', array: true },
  'process.parent.name': { type: 'keyword' },
  'process.parent.executable': { type: 'keyword' },
  'process.parent.command_line': { type: 'keyword' },
  'process.thread.name': { type: 'keyword' },

  'file.path': { type: 'keyword' },
  'file.name': { type: 'keyword' },
  'file.size': { type: 'long' },

  'url.original': { type: 'keyword' },
  'url.path': { type: 'keyword' },
  'url.query': { type: 'keyword' },
  'http.request.method': { type: 'keyword' },
  'http.response.status_code': { type: 'long' },
  'http.response.body.bytes': { type: 'long' },
  'http.version': { type: 'keyword' },
  'user_agent.original': { type: 'keyword' },

  'service.name': { type: 'keyword' },
  'service.type': { type: 'keyword' },
  'organization.id': { type: 'keyword' },
  'organization.name': { type: 'keyword', indexed: true },

  'rule.id': { type: 'keyword' },
  'rule.name': { type: 'keyword' },
  'error.message': { type: 'keyword' },
  'error.type': { type: 'keyword' },
  'related.ip': { type: 'ip', array: true },
  'related.user': { type: 'keyword', array: true },
  'related.hosts': { type: 'keyword', array: true },

  'citysoc.source': { type: 'keyword' },
  'citysoc.collector': { type: 'keyword' },
  'citysoc.dead_letter': { type: 'boolean' },
  'citysoc.data.resource': { type: 'keyword' },
  'citysoc.data.dataset': { type: 'keyword', indexed: true },
  'citysoc.data.classification': { type: 'keyword' },
  'citysoc.data.owner_department': { type: 'keyword' },
  'citysoc.data.action': { type: 'keyword' },
  'citysoc.data.records': { type: 'long' },
  'citysoc.data.bytes': { type: 'long' },
  'citysoc.data.platform': { type: 'keyword' },
  'citysoc.grant.id': { type: 'keyword' },
  /** A second event that claimed this event id with other content: stored under its own id, pointing here. */
  'citysoc.duplicate_of': { type: 'keyword' },
  /** The statement or query text that read or changed the data (SQL, API query). */
  'citysoc.data.query': { type: 'text' },
  /** The API route or service the data was taken through (Kong route, gateway location). */
  'citysoc.data.route': { type: 'keyword' },
  'citysoc.person.name': { type: 'keyword', personal: true },
  'citysoc.person.phone': { type: 'keyword', personal: true },
  'citysoc.person.id_number': { type: 'keyword', personal: true },
  'citysoc.person.email': { type: 'keyword', personal: true },
  'citysoc.person.address': { type: 'keyword', personal: true },
  'citysoc.tokens': { type: 'keyword', array: true, internal: true },
  'citysoc.redacted.message': { type: 'text', internal: true },
  'citysoc.redacted.original': { type: 'keyword', internal: true },
};

export const PERSONAL_FIELDS: readonly string[] = Object.entries(FIELDS)
  .filter(([, s]) => s.personal)
  .map(([f]) => f);

export const INTERNAL_FIELDS: readonly string[] = Object.entries(FIELDS)
  .filter(([, s]) => s.internal)
  .map(([f]) => f);

/**
 * The grammar of a field name, the same at every edge (query text, sort keys, aggregations, policy
 * lines): dot-separated segments of letters, digits, _ @ and -, none empty, at most 256 characters.
 * Names that pass are still never pasted into SQL or DSL: stores quote them through one function.
 */
const FIELD_NAME = /^@?[A-Za-z_][A-Za-z0-9_@-]*(\.[A-Za-z0-9_@-]+)*$/;

/** null when the name is well formed; otherwise why it is not. */
export function fieldNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 256) return 'is longer than 256 characters';
  if (!FIELD_NAME.test(name)) return 'is not a valid field name (dot-separated letters, digits, _ @ and -)';
  return null;
}

/** Unknown fields behave like keywords, as Elasticsearch's dynamic string mapping in our template. */
export function fieldSpec(name: string): FieldSpec {
  return FIELDS[name] ?? { type: 'keyword' };
}

export const TEXT_FIELD = 'message';

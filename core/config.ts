/**
 * Configuration: defaults < file (YAML or JSON) < environment (CITYSOC_*) < command-line flags.
 * Validated once at start; a bad value stops the process with the key, the value, where it
 * came from and what is expected.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { CitySocError } from './errors';
import { AUDIT_SUITES } from './audit-crypto';
import { parseCidr } from './query/ip';

const PORT_RULE = 'expected a whole number 0..65535 (0 picks a free port)';
const Port = z.coerce.number({ error: PORT_RULE }).int({ error: PORT_RULE }).min(0, { error: PORT_RULE }).max(65_535, { error: PORT_RULE });
const Bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

/** A zone the runtime's time-zone database knows, or a fixed offset. */
function knownZone(name: string): boolean {
  if (/^(Z|UTC|GMT|[+-]\d{2}:?\d{2})$/i.test(name)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const EngineConnection = z.strictObject({
  node: z
    .array(z.url())
    .min(1)
    .or(z.url().transform((u) => [u])),
  apiKey: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  caFile: z.string().min(1).optional(),
  tlsVerify: Bool.default(true),
});

const Fingerprint = z.string().regex(/^(sha256|sm3):[0-9a-fA-F]{64}$/, { error: 'expected sha256:<64 hex digits> or sm3:<64 hex digits>' });

/** A place signed checkpoints are published to (policy/audit/anchors). */
const AnchorSink = z.discriminatedUnion('type', [
  /** A file on another volume, ideally append-only (chattr +a) or a WORM mount. */
  z.strictObject({ type: z.literal('file'), path: z.string().min(1) }),
  /** A syslog receiver (RFC 5424); verification reads its copy with --anchor-file. */
  z.strictObject({
    type: z.literal('syslog'),
    host: z.string().min(1),
    port: Port,
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
  }),
  /** An HTTP receiver: checkpoints are POSTed as JSON; readUrl (GET, JSON lines) lets verification read them back. */
  z.strictObject({ type: z.literal('http'), url: z.url(), readUrl: z.url().optional() }),
  /** An RFC 3161 time-stamping authority: each checkpoint gets a token proving when it existed. */
  z.strictObject({
    type: z.literal('tsa'),
    url: z.url(),
    /** CA certificate(s) that issued the TSA's certificate, for verification. */
    caFile: z.string().min(1),
    /** The TSA's own certificate when its tokens do not carry it. */
    certFile: z.string().min(1).optional(),
  }),
]);

export const ConfigSchema = z.strictObject({
  profile: z.enum(['embedded', 'cluster']).default('embedded'),
  dataDir: z.string().min(1).default('.data'),
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: Port.default(8080),
      /** Where the console's built files are served from, if present. */
      consoleDir: z.string().optional(),
      /** Browser origins allowed to call the API from another site (CORS); none by default. */
      corsOrigins: z.array(z.url()).default([]),
      /** Limits on one GraphQL request (depth, aliases, tokens, cost), checked before it runs. */
      graphql: z
        .strictObject({
          maxDepth: z.coerce.number().int().min(3).max(64).default(12),
          maxAliases: z.coerce.number().int().min(1).max(1000).default(15),
          maxTokens: z.coerce.number().int().min(100).max(1_000_000).default(5000),
          maxCost: z.coerce.number().int().min(100).max(10_000_000).default(20_000),
        })
        .prefault({}),
      /** Calls per caller: bursts and steady rates (token buckets), refused with RATE_LIMITED. */
      limits: z
        .strictObject({
          /** Sign-in attempts per source address per minute. */
          loginPerMinute: z.coerce.number().int().min(1).max(100_000).default(30),
          /** Calls by callers who are not signed in, per source address per minute. */
          anonymousPerMinute: z.coerce.number().int().min(1).max(100_000).default(120),
          /** Calls per signed-in caller per second (bursts up to 10× that). */
          callsPerSecond: z.coerce.number().int().min(1).max(100_000).default(50),
          /** External PDP calls per token per second (bursts up to 10× that). */
          decisionsPerSecond: z.coerce.number().int().min(1).max(1_000_000).default(500),
        })
        .prefault({}),
    })
    .prefault({}),
  auth: z
    .strictObject({
      sessionTtlMinutes: z.coerce
        .number()
        .int()
        .min(5)
        .max(7 * 24 * 60)
        .default(480),
      maxFailedLogins: z.coerce.number().int().min(3).max(100).default(10),
      lockoutMinutes: z.coerce
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(15),
      /** Longest life of an API token in days; absent: tokens may be issued without expiry. */
      maxTokenDays: z.coerce.number().int().min(1).max(3650).optional(),
    })
    .prefault({}),
  retention: z
    .strictObject({
      eventsDays: z.coerce.number().int().min(1).max(3650).default(180),
      auditDays: z.coerce.number().int().min(180).max(3650).default(365),
      /** How often the retention job runs. */
      intervalMinutes: z.coerce
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(60),
    })
    .prefault({}),
  ingest: z
    .strictObject({
      maxRequestBytes: z.coerce
        .number()
        .int()
        .min(1024)
        .max(512 * 1024 * 1024)
        .default(10 * 1024 * 1024),
      spoolMaxBytes: z.coerce
        .number()
        .int()
        .min(1024 * 1024)
        .default(1024 * 1024 * 1024),
      /**
       * The local zone of log formats that carry none (BSD syslog, log4j): an IANA zone such as
       * "Asia/Shanghai" or an offset such as "+08:00"; default the host's zone.
       */
      timeZone: z.string().refine(knownZone, { error: 'expected an IANA time zone such as "Asia/Shanghai" or an offset such as "+08:00" or "Z"' }).optional(),
      /** Deepest nesting of objects and arrays in an ingested JSON record; deeper records are dead letters. */
      maxJsonDepth: z.coerce.number().int().min(8).max(1000).default(64),
      /**
       * Most records (lines, documents) one ingest request may carry; a request with more is refused
       * whole (413) before any is processed. Each record, even a one-byte invalid line, becomes a
       * stored event or dead letter: the byte limit alone would let one request of 10 MiB become
       * five million of them.
       */
      maxItemsPerRequest: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
      /**
       * Event ids the gateway remembers having published, to answer repeats and same-id conflicts
       * before the indexer has stored them (older ids are looked up in the event store).
       */
      recentIds: z.coerce.number().int().min(1000).max(10_000_000).default(200_000),
      /** Older spelling of timeZone, as a fixed offset; timeZone wins when both are set. */
      defaultOffset: z
        .string()
        .regex(/^(Z|[+-]\d{2}:\d{2})$/, { error: 'expected "Z" or an offset like "+08:00"' })
        .optional(),
      syslog: z
        .strictObject({
          host: z.string().min(1).default('127.0.0.1'),
          /** Absent: no listener. */
          tcpPort: Port.optional(),
          udpPort: Port.optional(),
          maxMessageBytes: z.coerce
            .number()
            .int()
            .min(480)
            .max(1024 * 1024)
            .default(64 * 1024),
          /** A TCP connection that sends nothing for this long is closed (0: never). */
          idleTimeoutSeconds: z.coerce.number().int().min(0).max(86_400).default(300),
          /** Open TCP connections at most; more are refused until one closes. */
          maxConnections: z.coerce.number().int().min(1).max(100_000).default(1000),
          /** SO_RCVBUF of the UDP socket (the kernel may cap it at net.core.rmem_max); default the kernel's. */
          udpReceiveBufferBytes: z.coerce
            .number()
            .int()
            .min(4096)
            .max(1024 * 1024 * 1024)
            .optional(),
          tls: z
            .strictObject({
              certFile: z.string().min(1),
              keyFile: z.string().min(1),
              caFile: z.string().min(1).optional(),
              requireClientCert: Bool.default(false),
            })
            .optional(),
        })
        .prefault({}),
      /** Reference data files (YAML or JSON), re-read when they change. */
      enrichment: z
        .strictObject({ assets: z.string().min(1).optional(), identities: z.string().min(1).optional(), datasets: z.string().min(1).optional() })
        .prefault({}),
    })
    .prefault({}),
  detection: z
    .strictObject({
      enabled: Bool.default(true),
      /** Rule folders (Sigma YAML); default: the rules shipped with CitySOC. */
      rules: z.array(z.string().min(1)).min(1).optional(),
      /**
       * The writable rules folder, loaded with the rules: rule exceptions (Sigma filters) made from
       * false positives are written here. Default: user-rules in the data directory.
       */
      userRules: z.string().min(1).optional(),
    })
    .prefault({}),
  policy: z
    .strictObject({
      /** Folder of policy CSV files; default: the policies shipped with CitySOC. */
      dir: z.string().min(1).optional(),
      /** Approvals an emergency grant needs; 2 is the two-person rule. */
      approversRequired: z.coerce.number().int().min(1).max(2).default(1),
      /**
       * Network zones of callers by source address (政务外网, 指挥网, ...), first match wins; an
       * address that matches none is 互联网. Default: private and loopback addresses are 政务外网.
       */
      zones: z
        .array(
          z.strictObject({
            cidr: z.string().refine((c) => parseCidr(c) !== null, { error: 'expected an IPv4 or IPv6 CIDR block such as 10.20.0.0/16' }),
            zone: z.string().min(1).max(64),
          }),
        )
        .min(1)
        .optional(),
      /** Older names of audit.checkpoint.everyRecords / everyMinutes, still honoured (see auditCadence). */
      checkpointEveryRecords: z.coerce.number().int().min(1).max(1_000_000).optional(),
      checkpointEveryMinutes: z.coerce.number().int().min(1).max(1440).optional(),
    })
    .prefault({}),
  audit: z
    .strictObject({
      /** The trail's algorithms: SHA-256 + Ed25519, or the national SM3 + SM2 (fixed when the trail is created). */
      crypto: z.enum(AUDIT_SUITES).default('international'),
      /**
       * The signing key's fingerprint (sha256:<hex> or sm3:<hex>) that verification trusts; several
       * when replicas sign with keys of their own. Never taken from the data being verified.
       */
      trustedKeyFingerprint: Fingerprint.or(z.array(Fingerprint).min(1)).optional(),
      /** The private key (PKCS#8 PEM) to sign with; default: audit-signing.key in the data directory, created at first start. */
      signingKeyFile: z.string().min(1).optional(),
      /** Signed checkpoints: every N records (in the same write) and when a record has been unsigned for M minutes. */
      checkpoint: z
        .strictObject({
          everyRecords: z.coerce.number().int().min(1).max(1_000_000).default(1000),
          everyMinutes: z.coerce.number().int().min(1).max(1440).default(10),
        })
        .prefault({}),
      /** This writer's chain name in a shared (cluster) trail; default: host name and process id. */
      node: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected 1-64 letters, digits, . _ -' })
        .optional(),
      /** Where signed checkpoints are published, out of the writer's reach. */
      anchors: z.array(AnchorSink).default([]),
    })
    .prefault({}),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
  cluster: z
    .strictObject({
      store: z.enum(['elasticsearch', 'opensearch']).default('elasticsearch'),
      /** Names indices `<prefix>-events-*`, Kafka topics `<prefix>.citysoc.*` when set. */
      indexPrefix: z
        .string()
        .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: 'expected lower-case letters, digits, - and _' })
        .default('citysoc'),
      topicPrefix: z
        .string()
        .regex(/^[A-Za-z0-9._-]*$/, { error: 'expected letters, digits, . _ -' })
        .default(''),
      replicas: z.coerce.number().int().min(0).max(10).default(1),
      elasticsearch: EngineConnection.optional(),
      opensearch: EngineConnection.optional(),
      kafka: z
        .strictObject({
          brokers: z
            .array(z.string().min(1))
            .min(1)
            .or(z.string().transform((s) => s.split(',').map((b) => b.trim()))),
          clientId: z.string().default('citysoc'),
          ssl: Bool.default(false),
          caFile: z.string().optional(),
          sasl: z.strictObject({ mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']), username: z.string(), password: z.string() }).optional(),
        })
        .optional(),
      flink: z.strictObject({ gatewayUrl: z.url(), restUrl: z.url().optional() }).optional(),
    })
    .prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Environment variables and the config key each one sets. */
export const ENV_KEYS: Readonly<Record<string, string>> = {
  CITYSOC_PROFILE: 'profile',
  CITYSOC_DATA_DIR: 'dataDir',
  CITYSOC_HOST: 'server.host',
  CITYSOC_PORT: 'server.port',
  CITYSOC_LOG_LEVEL: 'log.level',
  CITYSOC_RETENTION_DAYS: 'retention.eventsDays',
  CITYSOC_POLICY_DIR: 'policy.dir',
  CITYSOC_APPROVERS_REQUIRED: 'policy.approversRequired',
  CITYSOC_AUDIT_RETENTION_DAYS: 'retention.auditDays',
  CITYSOC_AUDIT_CRYPTO: 'audit.crypto',
  CITYSOC_AUDIT_TRUSTED_KEY: 'audit.trustedKeyFingerprint',
  CITYSOC_AUDIT_SIGNING_KEY_FILE: 'audit.signingKeyFile',
  CITYSOC_AUDIT_NODE: 'audit.node',
  CITYSOC_SYSLOG_TCP_PORT: 'ingest.syslog.tcpPort',
  CITYSOC_SYSLOG_UDP_PORT: 'ingest.syslog.udpPort',
  CITYSOC_TIME_ZONE: 'ingest.timeZone',
  CITYSOC_STORE: 'cluster.store',
  CITYSOC_INDEX_PREFIX: 'cluster.indexPrefix',
  CITYSOC_TOPIC_PREFIX: 'cluster.topicPrefix',
  CITYSOC_REPLICAS: 'cluster.replicas',
  CITYSOC_ES_URL: 'cluster.elasticsearch.node',
  CITYSOC_ES_API_KEY: 'cluster.elasticsearch.apiKey',
  CITYSOC_ES_USERNAME: 'cluster.elasticsearch.username',
  CITYSOC_ES_PASSWORD: 'cluster.elasticsearch.password',
  CITYSOC_ES_CA_FILE: 'cluster.elasticsearch.caFile',
  CITYSOC_ES_TLS_VERIFY: 'cluster.elasticsearch.tlsVerify',
  CITYSOC_OPENSEARCH_URL: 'cluster.opensearch.node',
  CITYSOC_OPENSEARCH_USERNAME: 'cluster.opensearch.username',
  CITYSOC_OPENSEARCH_PASSWORD: 'cluster.opensearch.password',
  CITYSOC_OPENSEARCH_CA_FILE: 'cluster.opensearch.caFile',
  CITYSOC_OPENSEARCH_TLS_VERIFY: 'cluster.opensearch.tlsVerify',
  CITYSOC_KAFKA_BROKERS: 'cluster.kafka.brokers',
  CITYSOC_FLINK_GATEWAY_URL: 'cluster.flink.gatewayUrl',
  CITYSOC_FLINK_REST_URL: 'cluster.flink.restUrl',
};

const SECRET_KEY = /password|apiKey|secret|token/i;

function setPath(obj: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function getPath(obj: unknown, parts: readonly PropertyKey[]): unknown {
  let cur = obj;
  for (const p of parts) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** A module's configuration section: its key at the top of the file and its schema (with defaults). */
export interface ConfigSection {
  readonly key: string;
  readonly schema: z.ZodType;
}

/** The whole schema: the platform's own keys and every module's section. */
export function configSchema(sections: readonly ConfigSection[] = []) {
  const extra: Record<string, z.ZodType> = {};
  for (const s of sections) {
    if (s.key in ConfigSchema.shape || s.key in extra) throw new CitySocError('CONFIG_INVALID', `two configuration sections are named ${s.key}`);
    extra[s.key] = (s.schema as z.ZodType<unknown, unknown>).prefault({} as never);
  }
  return ConfigSchema.extend(extra);
}

export interface LoadConfigOptions {
  /** Modules' sections, merged into the schema. */
  readonly sections?: readonly ConfigSection[];
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** From command-line flags, keyed by dotted config key. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const raw: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (e) {
      throw new CitySocError('CONFIG_INVALID', `config file ${opts.file} cannot be read: ${(e as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = opts.file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
    } catch (e) {
      throw new CitySocError(
        'CONFIG_INVALID',
        `config file ${opts.file} is not valid ${opts.file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`,
      );
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed))
        throw new CitySocError('CONFIG_INVALID', `config file ${opts.file} must hold a mapping of keys to values`);
      Object.assign(raw, parsed);
    }
  }
  const env = opts.env ?? process.env;
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const v = env[name];
    if (v !== undefined && v !== '') {
      setPath(raw, key, v);
      origin.set(key, `environment variable ${name}`);
    }
  }
  for (const [key, v] of Object.entries(opts.overrides ?? {})) {
    if (v !== undefined) {
      setPath(raw, key, v);
      origin.set(key, 'command line');
    }
  }
  const result = configSchema(opts.sections).safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const value = getPath(raw, issue.path);
      const shown = value === undefined ? '(missing)' : SECRET_KEY.test(key) ? '(hidden)' : JSON.stringify(value);
      const from = origin.get(key) ?? (opts.file ? `config file ${opts.file}` : 'defaults');
      const what = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
      return `${key || '(root)'} = ${shown} (from ${from}): ${what}`;
    });
    throw new CitySocError('CONFIG_INVALID', `invalid configuration:\n  ${lines.join('\n  ')}`, { issues: lines });
  }
  const cfg = result.data as Config;
  return { ...cfg, dataDir: path.resolve(cfg.dataDir) };
}

/**
 * The checkpoint cadence in force: audit.checkpoint, or the older policy.checkpointEvery* keys when
 * only they are set. Both set to different values is refused: which one holds would be a guess.
 */
export function auditCadence(config: Config): { everyRecords: number; everyMs: number } {
  const a = config.audit.checkpoint;
  const oldRecords = config.policy.checkpointEveryRecords;
  const oldMinutes = config.policy.checkpointEveryMinutes;
  const clash =
    (oldRecords !== undefined && oldRecords !== a.everyRecords && a.everyRecords !== 1000) ||
    (oldMinutes !== undefined && oldMinutes !== a.everyMinutes && a.everyMinutes !== 10);
  if (clash)
    throw new CitySocError(
      'CONFIG_INVALID',
      'policy.checkpointEveryRecords / checkpointEveryMinutes and audit.checkpoint.everyRecords / everyMinutes disagree: keep only audit.checkpoint (the policy.* names are the older ones)',
    );
  return { everyRecords: oldRecords ?? a.everyRecords, everyMs: (oldMinutes ?? a.everyMinutes) * 60_000 };
}

/** The pinned fingerprints of audit.trustedKeyFingerprint as a list. */
export function trustedFingerprints(config: Config): string[] {
  const f = config.audit.trustedKeyFingerprint;
  return f === undefined ? [] : Array.isArray(f) ? f : [f];
}

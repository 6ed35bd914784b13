/**
 * `citysoc audit verify|export|verify-export`: the trail (the data directory's, or in the cluster
 * profile the shared one, from any replica) checked against a trusted key (pinned in
 * audit.trustedKeyFingerprint or given with --trusted-key) and, with --anchors, against the
 * external anchors; exported with its proof; exports checked offline.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SqliteAuditLog } from '../adapters/sqlite/audit-log';
import { SearchAuditLog } from '../adapters/search/audit-log';
import { elasticsearchApi, openSearchApi } from '../adapters/search/engine-api';
import type { AuditLog } from '../core/ports/audit-log';
import type { AuditCheckpoint } from '../core/audit';
import { auditCadence, type Config, trustedFingerprints } from '../core/config';
import { CitySocError } from '../core/errors';
import { checkpointsIn, openSinks, TsaSink } from '../policy/audit/anchors';
import { exportTrail, type ExportFilter, toCsv } from '../policy/audit/export';
import { loadSigningKey, PRIVATE_KEY_FILE, type SigningKey } from '../policy/audit/signing-key';
import { resolveTrust, trustFrom } from '../policy/audit/trust';
import { parseExport, verifyExport } from '../policy/audit/verify-export';
import { type TrailReport, verifyTrail } from '../policy/audit/verify-trail';

interface Io {
  out(s: string): void;
  err(s: string): void;
}

/** The trail of the configured profile: the data directory's, or the cluster's shared one (read from any replica). */
export function openTrail(config: Config, signer: SigningKey | null = null): AuditLog {
  const options = { suite: config.audit.crypto, cadence: auditCadence(config), signer };
  if (config.profile === 'cluster') {
    const c = config.cluster;
    const conn = c.store === 'elasticsearch' ? c.elasticsearch : c.opensearch;
    if (!conn) throw new CitySocError('CONFIG_INVALID', `cluster.${c.store}.node: the shared audit trail is in ${c.store}; give its URL`);
    const api = c.store === 'elasticsearch' ? elasticsearchApi(conn) : openSearchApi(conn);
    // A reader appends and signs nothing (the replicas sign their own chains); its chain name is never written.
    const log = new SearchAuditLog(api, { prefix: c.indexPrefix, replicas: c.replicas, ...options, signer: null, chain: `auditor-${process.pid}` });
    const close = log.close.bind(log);
    return Object.assign(log, { close: async () => (await close(), await api.close()) });
  }
  const file = path.join(config.dataDir, 'audit.db');
  if (!existsSync(file)) throw new CitySocError('INPUT_INVALID', `no audit trail in ${config.dataDir} (audit.db is missing): is --data-dir right?`);
  return new SqliteAuditLog(file, options);
}

function signerOf(config: Config) {
  const file = config.audit.signingKeyFile ?? path.join(config.dataDir, PRIVATE_KEY_FILE);
  return existsSync(file) ? loadSigningKey(file, config.audit.crypto) : null;
}

const read = (f: string) => readFileSync(f, 'utf8');

export interface VerifyOptions {
  /** --trusted-key: fingerprints or public key files, in addition to audit.trustedKeyFingerprint. */
  readonly trustedKey?: readonly string[];
  /** --anchors: check against the configured anchors. */
  readonly anchors?: boolean;
  /** --anchor-file: copies of what receivers hold (a syslog server's file, a download from an HTTP receiver). */
  readonly anchorFile?: readonly string[];
}

function describe(r: TrailReport): string {
  const lines = [
    `algorithms: ${r.suite}; trusted key(s): ${r.trustedKeys}`,
    `chains: ${r.chains.map((c) => `${c.chain} ${c.records} records (${c.anchorSeq ? `from ${c.anchorSeq + 1}` : 'from 1'} to ${c.headSeq})`).join('; ')}`,
    `signed checkpoints verified: ${r.checkpointsVerified}${r.sealsVerified ? `, seals ${r.sealsVerified}` : ''}`,
    ...r.unsigned.map((u) => `newest unsigned stretch (${u.chain}): records ${u.fromSeq}-${u.toSeq} (${u.count}) since ${u.since}`),
    ...r.late.map(
      (l) => `late window (${l.chain}): records ${l.fromSeq}-${l.toSeq} signed ${Math.round(l.signedAfterMs / 1000)} s after the first (${l.reason})`,
    ),
  ];
  if (r.anchors.checked || r.anchors.untrusted)
    lines.push(
      `external anchors: ${r.anchors.checked} checked, ${r.anchors.matched} match, ${r.anchors.pruned} before retention, ${r.anchors.untrusted} not signed by a trusted key (ignored)`,
    );
  return lines.join('\n') + '\n';
}

export async function auditVerify(config: Config, opts: VerifyOptions, io: Io): Promise<number> {
  const log = openTrail(config);
  try {
    const trust = resolveTrust(
      {
        fingerprints: [...trustedFingerprints(config), ...trustFrom(opts.trustedKey ?? [], read).fingerprints],
        keys: trustFrom(opts.trustedKey ?? [], read).keys,
      },
      await log.publicKeys(),
    );
    const anchored: AuditCheckpoint[] = [];
    for (const f of opts.anchorFile ?? []) anchored.push(...checkpointsIn(read(f)));
    const tsaProblems: string[] = [];
    if (opts.anchors) {
      const sinks = openSinks(config);
      if (sinks.length === 0 && !opts.anchorFile?.length)
        throw new CitySocError('INPUT_INVALID', '--anchors: no anchors configured (audit.anchors) and no --anchor-file given');
      for (const s of sinks) {
        if (s instanceof TsaSink) {
          const { stamped, invalid } = await s.readStamped();
          tsaProblems.push(...invalid.map((i) => `time-stamp token ${i}`));
          for (const t of stamped) {
            anchored.push(t.checkpoint);
            // A checkpoint stamped long after it says it was signed was re-signed later (backdated).
            const lag = Date.parse(t.genTime) - Date.parse(t.checkpoint.signedAt);
            if (lag > 10 * 60_000 + t.checkpoint.everyMs)
              tsaProblems.push(
                `checkpoint ${t.checkpoint.chain}:${t.checkpoint.seq} says it was signed ${t.checkpoint.signedAt} but was time-stamped ${t.genTime}`,
              );
          }
          continue;
        }
        const held = await s.read();
        if (held) anchored.push(...held);
        else if (!opts.anchorFile?.length) io.err(`note: ${s.name} cannot be read back from here; give its receiver's copy with --anchor-file\n`);
      }
    }
    const r = await verifyTrail(log, { trust, anchored, retentionDays: config.retention.auditDays });
    io.out(describe(r));
    if (r.ok && tsaProblems.length === 0) {
      io.out(`audit trail intact: ${r.checked} records verified\n`);
      return 0;
    }
    for (const p of tsaProblems) io.err(`audit trail TAMPERED: ${p}\n`);
    if (r.firstBad) {
      const b = r.firstBad;
      io.err(
        `audit trail TAMPERED: record ${b.seq}${b.upTo && b.upTo !== b.seq ? ` (to ${b.upTo})` : ''} is ${b.problem}${b.detail ? `: ${b.detail}` : ''} (${r.checked} records verified)\n`,
      );
    }
    return 1;
  } finally {
    await log.close();
  }
}

export interface ExportCommandOptions {
  readonly format: 'json' | 'csv';
  readonly fromSeq?: number;
  readonly toSeq?: number;
  readonly actor?: string;
  readonly action?: string;
  readonly resource?: string;
  readonly decision?: string;
  readonly from?: string;
  readonly to?: string;
}

const DECISIONS = ['allow', 'deny', 'success', 'failure', 'info'] as const;

/**
 * The filter of `audit export`, the same as GraphQL auditExport's (each record then carries its
 * inclusion proof). A value the command cannot use is refused naming the option, never ignored:
 * an export silently wider than asked would hand out records nobody meant to.
 */
export function exportCommandFilter(opts: ExportCommandOptions): ExportFilter | undefined {
  const texts = { actor: opts.actor, action: opts.action, resource: opts.resource, decision: opts.decision, from: opts.from, to: opts.to };
  for (const [k, v] of Object.entries(texts))
    if (v !== undefined && (typeof v !== 'string' || v.trim() === '')) throw new CitySocError('INPUT_INVALID', `--${k}: needs a value`);
  for (const [k, t] of [
    ['from', opts.from],
    ['to', opts.to],
  ] as const)
    if (t !== undefined && Number.isNaN(Date.parse(t))) throw new CitySocError('INPUT_INVALID', `--${k}: ${t} is not a time (ISO 8601)`);
  if (opts.decision !== undefined && !(DECISIONS as readonly string[]).includes(opts.decision))
    throw new CitySocError('INPUT_INVALID', `--decision: ${opts.decision} is not one of ${DECISIONS.join(', ')}`);
  for (const [k, n] of [
    ['from-seq', opts.fromSeq],
    ['to-seq', opts.toSeq],
  ] as const)
    if (n !== undefined && (!Number.isSafeInteger(n) || n < 1)) throw new CitySocError('INPUT_INVALID', `--${k}: expected a record number (1 or more)`);
  const filter: ExportFilter = {
    ...(opts.actor !== undefined ? { actor: opts.actor } : {}),
    ...(opts.action !== undefined ? { action: opts.action } : {}),
    ...(opts.resource !== undefined ? { resource: opts.resource } : {}),
    ...(opts.decision !== undefined ? { decision: opts.decision as ExportFilter['decision'] } : {}),
    ...(opts.from !== undefined ? { from: opts.from } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
  };
  if (Object.keys(filter).length === 0) return undefined;
  // A filtered export selects by its filter alone; a range beside it would be ignored.
  if (opts.fromSeq !== undefined || opts.toSeq !== undefined)
    throw new CitySocError(
      'INPUT_INVALID',
      '--from-seq/--to-seq: export a range of records or filter them (--actor, --action, --resource, --decision, --from, --to), not both',
    );
  return filter;
}

export async function auditExport(config: Config, opts: ExportCommandOptions, io: Io): Promise<number> {
  // Checked before the trail is opened: a bad option touches nothing.
  const filter = exportCommandFilter(opts);
  const signer = signerOf(config);
  const log = openTrail(config, config.profile === 'embedded' ? signer : null);
  try {
    const e = await exportTrail(log, {
      signer,
      // In the cluster the replicas sign their own chains; the export only signs its manifest.
      signHead: config.profile === 'embedded',
      ...(opts.fromSeq ? { fromSeq: opts.fromSeq } : {}),
      ...(opts.toSeq ? { toSeq: opts.toSeq } : {}),
      ...(filter ? { filter } : {}),
    });
    io.out(opts.format === 'csv' ? toCsv(e) : JSON.stringify(e, null, 1) + '\n');
    io.err(
      `exported ${e.records.length} records${e.proofs ? ' with their inclusion proofs' : ''} and ${e.checkpoints.length} signed checkpoints (${e.suite})\n`,
    );
    return 0;
  } finally {
    await log.close();
  }
}

export function auditVerifyExport(file: string, trustedKey: readonly string[], config: Config | null, io: Io): number {
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    throw new CitySocError('INPUT_INVALID', `${file}: cannot be read (${(err as Error).message})`);
  }
  const given = trustFrom(trustedKey, read);
  const trust = { fingerprints: [...(config ? trustedFingerprints(config) : []), ...given.fingerprints], keys: given.keys };
  if (trust.fingerprints.length === 0 && trust.keys.length === 0)
    throw new CitySocError(
      'INPUT_INVALID',
      'verify-export needs the trusted key: --trusted-key <sha256:…|sm3:…|public-key.pem> (or audit.trustedKeyFingerprint)',
    );
  const v = verifyExport(parseExport(text), trust);
  if (v.ok) {
    const extra = [
      v.proofsVerified ? `${v.proofsVerified} inclusion proofs` : '',
      v.unsigned ? `${v.unsigned} records not covered by a checkpoint` : '',
      v.manifest === 'verified' ? 'manifest verified' : 'no manifest',
    ];
    io.out(`export intact: ${v.checked} records, ${v.checkpointsVerified} signed checkpoints verified (${v.suite}; ${extra.filter(Boolean).join(', ')})\n`);
    return 0;
  }
  const b = v.firstBad;
  io.err(
    `export TAMPERED: ${b ? `record ${b.seq}${b.chain && b.chain !== 'local' ? ` of ${b.chain}` : ''} is ${b.problem}${b.detail ? `: ${b.detail}` : ''}` : 'unknown problem'}${v.badCheckpoint ? ` (checkpoint ${v.badCheckpoint.seq}: ${v.badCheckpoint.problem})` : ''}\n`,
  );
  return 1;
}

/**
 * Verification that means it: the hash chain of every chain, every checkpoint's signature against
 * a trusted key, each checkpoint against the record it names, the cadence the checkpoints declare
 * (no more records between two than they were signed under), the retention anchor (signed, and
 * old enough), the seals over all chains of a shared trail, and the external anchors (checkpoints
 * published where the writer cannot rewrite them) against the trail: a truncated tail or a tail
 * rewritten and re-signed with a stolen key disagrees with them.
 */
import type { AuditCheckpoint, AuditRecord, TrailSeal } from '../../core/audit';
import { ChainCheck, checkpointBytes, GENESIS_HASH, headsRoot, sealDigest } from '../../core/audit-chain';
import type { AuditLog, AuditProblem, AuditVerification } from '../../core/ports/audit-log';
import type { TrustedKeys } from './trust';

type Problem = NonNullable<AuditVerification['firstBad']>;

export interface TrailVerifyOptions {
  readonly trust: TrustedKeys;
  readonly now?: Date;
  /** Records younger than this may not have been removed by retention (the 等保 minimum is 180). */
  readonly retentionDays?: number;
  /** Checkpoints read back from external anchors. */
  readonly anchored?: readonly AuditCheckpoint[];
  /** How long a record may stay unsigned beyond the declared cadence before its window is reported late. */
  readonly graceMs?: number;
}

export interface UnsignedStretch {
  readonly chain: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly count: number;
  /** When the oldest unsigned record was written. */
  readonly since: string;
}

export interface LateWindow {
  readonly chain: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  /** How long after its first record the window was signed. */
  readonly signedAfterMs: number;
  readonly reason: AuditCheckpoint['reason'];
}

export interface TrailReport extends AuditVerification {
  readonly suite: AuditLog['suite'];
  readonly trustedKeys: string;
  readonly chains: readonly { readonly chain: string; readonly records: number; readonly headSeq: number; readonly anchorSeq: number }[];
  readonly checkpointsVerified: number;
  readonly sealsVerified: number;
  /** Per chain, the records after its last checkpoint. */
  readonly unsigned: readonly UnsignedStretch[];
  /** Windows signed later than their cadence (a writer that was down, or tampering). */
  readonly late: readonly LateWindow[];
  readonly anchors: { readonly checked: number; readonly matched: number; readonly untrusted: number; readonly pruned: number };
  /** Every problem found, first bad first (at most 50). */
  readonly problems: readonly Problem[];
}

const MAX_PROBLEMS = 50;

function trusted(trust: TrustedKeys, c: { key: string; signature: string }, body: AuditCheckpoint | TrailSeal): boolean {
  const k = trust.byFingerprint.get(c.key);
  return !!k && k.suite === body.suite && k.verify(checkpointBytes(body), c.signature);
}

export async function verifyTrail(log: AuditLog, opts: TrailVerifyOptions): Promise<TrailReport> {
  const now = opts.now ?? new Date();
  const problems: Problem[] = [];
  const add = (p: Problem) => problems.push(p);
  const all = await log.checkpoints();
  const anchoredAll = opts.anchored ?? [];
  const anchors = { checked: 0, matched: 0, untrusted: 0, pruned: 0 };
  const chains: TrailReport['chains'][number][] = [];
  const unsigned: UnsignedStretch[] = [];
  const late: LateWindow[] = [];
  let checked = 0;
  let checkpointsVerified = 0;
  const heads = new Map<string, { seq: number; hashes: Map<number, string>; anchorSeq: number }>();
  const seals = await log.seals();

  for await (const scan of log.scan()) {
    const chain = scan.chain;
    const cps = all.filter((c) => c.chain === chain).sort((a, b) => a.seq - b.seq);
    const anchored = anchoredAll.filter((c) => c.chain === chain);
    const anchorSeq = scan.anchor?.seq ?? 0;
    const sealed = seals.flatMap((x) => x.heads.filter((h) => h.chain === chain).map((h) => h.seq));
    const wanted = new Set<number>([...cps.map((c) => c.seq), ...anchored.map((c) => c.seq), ...sealed]);
    const starts = new Set<number>([anchorSeq + 1, ...cps.map((c) => c.seq + 1)]);
    const hashes = new Map<number, string>();
    const startAt = new Map<number, string>();
    const check = new ChainCheck(scan.anchor ?? { seq: 0, hash: GENESIS_HASH }, log.suite);
    const visit = (r: AuditRecord): boolean => {
      if (!check.next(r)) return false;
      if (wanted.has(r.seq)) hashes.set(r.seq, r.hash);
      if (starts.has(r.seq)) startAt.set(r.seq, r.at);
      return true;
    };
    // A store that reads synchronously (SQLite) is walked without a promise per record.
    if (Symbol.iterator in scan.records) {
      for (const r of scan.records) if (!visit(r)) break;
    } else for await (const r of scan.records) if (!visit(r)) break;
    checked += check.checked;
    if (check.bad) add({ ...check.bad, chain });
    const head = check.head;
    const headSeq = head?.seq ?? anchorSeq;
    // Beyond a break nothing can be compared with the records.
    const known = (seq: number) => seq <= headSeq;
    const intact = !check.bad;
    chains.push({ chain, records: check.checked, headSeq, anchorSeq });
    heads.set(chain, { seq: headSeq, hashes, anchorSeq });

    // The retention anchor must be a trusted checkpoint, old enough.
    if (scan.anchor) {
      const signed = cps.find((c) => c.seq === scan.anchor!.seq && c.hash === scan.anchor!.hash && trusted(opts.trust, c, c));
      if (!signed)
        add({
          seq: 1,
          upTo: scan.anchor.seq,
          problem: 'missing',
          chain,
          detail: `records up to ${scan.anchor.seq} were removed and the anchor left for them is not a checkpoint signed by a trusted key`,
        });
      else if (opts.retentionDays !== undefined && Date.parse(signed.at) > now.getTime() - opts.retentionDays * 86_400_000)
        add({
          seq: 1,
          upTo: scan.anchor.seq,
          problem: 'retention',
          chain,
          detail: `records up to ${scan.anchor.seq} (written ${signed.at}) were removed before the retention period of ${opts.retentionDays} days`,
        });
    }

    let prev = anchorSeq;
    let last: AuditCheckpoint | null = null;
    for (const c of cps) {
      if (c.seq < anchorSeq) continue;
      if (!trusted(opts.trust, c, c)) {
        add({
          seq: prev + 1,
          upTo: c.seq,
          problem: 'untrusted_signature',
          chain,
          detail: `checkpoint at ${c.seq} is not signed by a trusted key (it names ${c.key})`,
        });
        prev = c.seq;
        continue;
      }
      checkpointsVerified++;
      if (c.seq === anchorSeq) {
        last = c;
        continue;
      }
      if (c.seq - prev > c.everyRecords)
        add({
          seq: prev + c.everyRecords,
          problem: 'cadence',
          chain,
          detail: `${c.seq - prev} records between signed checkpoints at ${prev} and ${c.seq}; the cadence was every ${c.everyRecords}`,
        });
      if (known(c.seq)) {
        if (hashes.get(c.seq) !== c.hash)
          add({
            seq: prev + 1,
            upTo: c.seq,
            problem: 'checkpoint_mismatch',
            chain,
            detail: `the checkpoint signed at ${c.seq} names another hash than the record there`,
          });
        const s = startAt.get(prev + 1);
        if (s !== undefined) {
          const after = Date.parse(c.signedAt) - Date.parse(s);
          if (after > c.everyMs + (opts.graceMs ?? 60_000)) late.push({ chain, fromSeq: prev + 1, toSeq: c.seq, signedAfterMs: after, reason: c.reason });
        }
      } else if (intact)
        add({ seq: headSeq + 1, upTo: c.seq, problem: 'truncated', chain, detail: `a checkpoint was signed at ${c.seq} but the trail ends at ${headSeq}` });
      prev = c.seq;
      last = c;
    }
    if (intact && last && headSeq - last.seq > last.everyRecords)
      add({
        seq: last.seq + last.everyRecords,
        problem: 'cadence',
        chain,
        detail: `${headSeq - last.seq} records after the last checkpoint at ${last.seq}; the cadence was every ${last.everyRecords}`,
      });
    if (headSeq > prev) {
      const since = startAt.get(prev + 1);
      unsigned.push({ chain, fromSeq: prev + 1, toSeq: headSeq, count: headSeq - prev, since: since ?? '' });
    }

    // External anchors: published when signed, they hold what the trail said then.
    let vouched = anchorSeq;
    for (const a of [...anchored].sort((x, y) => x.seq - y.seq)) {
      if (!trusted(opts.trust, a, a)) {
        anchors.untrusted++;
        continue;
      }
      anchors.checked++;
      if (a.seq < anchorSeq) {
        anchors.pruned++;
        continue;
      }
      if (!known(a.seq)) {
        if (intact)
          add({
            seq: headSeq + 1,
            upTo: a.seq,
            problem: 'truncated',
            chain,
            detail: `an external anchor holds a checkpoint at ${a.seq} but the trail ends at ${headSeq}`,
          });
        continue;
      }
      const h = a.seq === anchorSeq ? scan.anchor?.hash : hashes.get(a.seq);
      if (h === a.hash) {
        anchors.matched++;
        vouched = a.seq;
      } else
        add({
          seq: vouched + 1,
          upTo: a.seq,
          problem: 'rewritten',
          chain,
          detail: `an external anchor holds another hash for record ${a.seq}: records after ${vouched} (the last one an anchor still vouches for) up to ${a.seq} were rewritten`,
        });
    }
  }

  for (const a of anchoredAll)
    if (!heads.has(a.chain) && trusted(opts.trust, a, a))
      add({ seq: 1, upTo: a.seq, problem: 'missing_chain', chain: a.chain, detail: `an external anchor holds chain ${a.chain}, which is gone from the trail` });

  const sealsVerified = checkSeals(seals, heads, opts.trust, add);
  problems.sort((a, b) => (a.chain ?? '').localeCompare(b.chain ?? '') || a.seq - b.seq);
  const firstBad = problems[0];
  return {
    ok: problems.length === 0,
    checked,
    ...(firstBad ? { firstBad } : {}),
    suite: log.suite,
    trustedKeys: opts.trust.described,
    chains,
    checkpointsVerified,
    sealsVerified,
    unsigned,
    late,
    anchors,
    problems: problems.slice(0, MAX_PROBLEMS),
  };
}

/** Seals: consecutive, linked, signed, and every head they list still in the trail with its hash. */
function checkSeals(
  seals: readonly TrailSeal[],
  heads: ReadonlyMap<string, { seq: number; hashes: Map<number, string>; anchorSeq: number }>,
  trust: TrustedKeys,
  add: (p: Problem) => void,
): number {
  let verified = 0;
  let prev: TrailSeal | null = null;
  for (const s of [...seals].sort((a, b) => a.n - b.n)) {
    const problem = (problem: AuditProblem, detail: string, chain = '*') => add({ seq: s.n, problem, chain, detail: `seal ${s.n}: ${detail}` });
    if (!trusted(trust, s, s)) {
      problem('untrusted_signature', 'not signed by a trusted key');
      prev = s;
      continue;
    }
    if (prev && (s.n !== prev.n + 1 || s.prev !== sealDigest(prev)))
      problem('missing_chain', `does not follow seal ${prev.n} (a seal was removed or replaced)`);
    if (headsRoot(s.suite, s.heads) !== s.root) problem('checkpoint_mismatch', 'its root does not cover its heads');
    for (const h of s.heads) {
      const c = heads.get(h.chain);
      if (!c) problem('missing_chain', `lists chain ${h.chain}, which is gone from the trail`, h.chain);
      else if (h.seq > c.anchorSeq && h.seq > c.seq) problem('truncated', `lists record ${h.seq} of chain ${h.chain}, which ends at ${c.seq}`, h.chain);
      else if (h.seq > c.anchorSeq && c.hashes.get(h.seq) !== h.hash)
        problem('checkpoint_mismatch', `lists another hash for record ${h.seq} of chain ${h.chain}`, h.chain);
    }
    verified++;
    prev = s;
  }
  return verified;
}

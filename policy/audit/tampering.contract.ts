/**
 * The tampering classes, run against every AuditLog adapter (embedded SQLite, the shared
 * Elasticsearch/OpenSearch trail): modify, delete, reorder, truncate the tail, rewrite the tail
 * consistently with the stolen key, replace the key. Each is detected with the first bad record
 * named; a truncated or consistently rewritten tail is found through an external anchor (a file the
 * writer cannot rewrite), and is invisible without one, which the suite shows too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditCheckpoint, AuditRecord } from '../../core/audit';
import { GENESIS_HASH, hashRecord, signCheckpoint, merkleRoot } from '../../core/audit-chain';
import { generateSigningKeyPem, signerFromPem, type TrailSigner } from '../../core/audit-crypto';
import type { AuditHarness, AuditTamper } from '../../core/contracts/audit-log.contract';
import type { AuditLog } from '../../core/ports/audit-log';
import { AnchorPublisher, fileSink } from './anchors';
import { resolveTrust, type TrustedKeys } from './trust';
import { verifyTrail } from './verify-trail';

export interface TamperingHarness extends AuditHarness {
  /** The signer the harness's signed trails use (the key an attacker could steal). */
  readonly signer: TrailSigner;
}

const N = 10;

async function trail(h: TamperingHarness, dir: string) {
  const { log, tamper } = await h.open({ signed: true, everyRecords: N });
  for (let i = 1; i <= 35; i++)
    await log.append({
      actor: i % 2 ? 'alice' : 'bob',
      actorType: 'user',
      action: 'events.search',
      resource: `dataset:${i}`,
      decision: 'allow',
      reason: `p${i}`,
    });
  const anchor = fileSink(path.join(dir, 'worm', 'anchors.log'));
  // Published as they are signed: checkpoints at 10, 20, 30.
  await new AnchorPublisher(log, [anchor], path.join(dir, 'anchor-cursor.json')).publishPending();
  const trust = resolveTrust({ fingerprints: [h.signer.publicKey.fingerprint], keys: [] }, await log.publicKeys());
  const verify = async (withAnchors: boolean, t: TrustedKeys = trust) =>
    verifyTrail(log, { trust: t, ...(withAnchors ? { anchored: (await anchor.read()) ?? [] } : {}) });
  return { log, tamper, verify };
}

/** Rewrites records from `from` on with recomputed hashes, and re-signs the checkpoints from the window holding it with `signer`. */
async function rewriteTail(log: AuditLog, tamper: AuditTamper, from: number, signer: TrailSigner): Promise<void> {
  const records = await tamper.raw.records();
  const chain = (await log.checkpoints())[0]!.chain;
  const out: AuditRecord[] = [];
  let prev = records.find((r) => r.seq === from - 1)?.hash ?? GENESIS_HASH;
  for (const r of records.filter((x) => x.seq >= from)) {
    const { hash: _h, ...rest } = r;
    const body = { ...rest, prevHash: prev, ...(r.seq === from ? { actor: 'mallory', reason: 'nothing happened' } : {}) };
    const hash = hashRecord(body, log.suite);
    out.push({ ...body, hash });
    prev = hash;
  }
  await tamper.raw.put(out);
  const all = [...records.filter((x) => x.seq < from), ...out];
  const cps = await tamper.raw.checkpoints();
  const resigned = cps.map((c): AuditCheckpoint => {
    if (c.seq < from) return c;
    const window = all.filter((r) => r.seq >= c.from && r.seq <= c.seq).map((r) => r.hash);
    const { v: _v, suite: _s, key: _k, signature: _sig, ...body } = c;
    return signCheckpoint(signer, { ...body, hash: all.find((r) => r.seq === c.seq)!.hash, root: merkleRoot(log.suite, window) });
  });
  await tamper.raw.replaceCheckpoints(chain, resigned);
}

export function describeTamperingClasses(name: string, harness: TamperingHarness): void {
  describe(`audit tampering classes: ${name}`, () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'citysoc-tamper-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('an untouched trail verifies against the pinned key and its anchors, the unsigned tail reported', async () => {
      const { log, verify } = await trail(harness, dir);
      const r = await verify(true);
      expect(r).toMatchObject({ ok: true, checked: 35, checkpointsVerified: 3, anchors: { checked: 3, matched: 3, untrusted: 0 } });
      expect(r.unsigned).toEqual([expect.objectContaining({ fromSeq: 31, toSeq: 35, count: 5 })]);
      await log.close();
    });

    it('modify: the modified record is named', async () => {
      const { log, tamper, verify } = await trail(harness, dir);
      await tamper.modify(12);
      expect((await verify(true)).firstBad).toMatchObject({ seq: 12, problem: 'modified' });
      await log.close();
    });

    it('delete: the missing record is named', async () => {
      const { log, tamper, verify } = await trail(harness, dir);
      await tamper.remove(12);
      expect((await verify(true)).firstBad).toMatchObject({ seq: 12, problem: 'missing' });
      await log.close();
    });

    it('reorder: the first record out of place is named', async () => {
      const { log, tamper, verify } = await trail(harness, dir);
      await tamper.swap(12, 13);
      expect((await verify(true)).firstBad).toMatchObject({ seq: 12 });
      expect((await verify(true)).ok).toBe(false);
      await log.close();
    });

    it('truncate the tail: passes the chain alone, found through the anchor from the first record removed', async () => {
      const { log, tamper, verify } = await trail(harness, dir);
      await tamper.raw.delete([26, 27, 28, 29, 30, 31, 32, 33, 34, 35]);
      const chain = (await log.checkpoints())[0]!.chain;
      await tamper.raw.replaceCheckpoints(
        chain,
        (await tamper.raw.checkpoints()).filter((c) => c.seq < 26),
      );
      expect((await verify(false)).ok).toBe(true);
      expect((await verify(true)).firstBad).toMatchObject({ seq: 26, upTo: 30, problem: 'truncated' });
      await log.close();
    });

    it('rewrite the tail consistently with the stolen key: passes locally, found through the anchor', async () => {
      const { log, tamper, verify } = await trail(harness, dir);
      await rewriteTail(log, tamper, 23, harness.signer);
      expect((await verify(false)).ok).toBe(true);
      // Located to the anchoring window: records after 20 (the last anchor that still matches) up to 30.
      expect((await verify(true)).firstBad).toMatchObject({ seq: 21, upTo: 30, problem: 'rewritten' });
      await log.close();
    });

    it('replace the key: checkpoints re-signed with a new key are not trusted, named from the first window re-signed', async () => {
      const { log, tamper } = await trail(harness, dir);
      const thief = signerFromPem(generateSigningKeyPem(log.suite));
      await rewriteTail(log, tamper, 23, thief);
      await tamper.raw.setPublicKeys([thief.publicKey.pem]);
      // The auditor's own copy of the public key (or its fingerprint with the key stored in an export).
      const trust = resolveTrust({ fingerprints: [], keys: [harness.signer.publicKey.pem] }, await log.publicKeys());
      expect((await verifyTrail(log, { trust })).firstBad).toMatchObject({ seq: 21, upTo: 30, problem: 'untrusted_signature' });
      // With only the fingerprint pinned and the stored key replaced, nothing is vouched for.
      const pinnedOnly = resolveTrust({ fingerprints: [harness.signer.publicKey.fingerprint], keys: [] }, await log.publicKeys());
      expect((await verifyTrail(log, { trust: pinnedOnly })).firstBad).toMatchObject({ seq: 1, upTo: 10, problem: 'untrusted_signature' });
      await log.close();
    });

    it('a checkpoint removed breaks the cadence, named where the missing checkpoint belonged', async () => {
      const { log, tamper, verify } = await trail(harness, dir);
      const chain = (await log.checkpoints())[0]!.chain;
      await tamper.raw.replaceCheckpoints(
        chain,
        (await tamper.raw.checkpoints()).filter((c) => c.seq !== 20),
      );
      expect((await verify(false)).firstBad).toMatchObject({ seq: 20, problem: 'cadence' });
      await log.close();
    });
  });
}

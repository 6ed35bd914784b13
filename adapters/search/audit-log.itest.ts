import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditCheckpoint, AuditRecord } from '../../core/audit';
import { hashRecord } from '../../core/audit-chain';
import { generateSigningKeyPem, signerFromPem } from '../../core/audit-crypto';
import { canonicalJson } from '../../core/canonical';
import { describeAuditLogContract, type RawTrail } from '../../core/contracts/audit-log.contract';
import { describeTamperingClasses, type TamperingHarness } from '../../policy/audit/tampering.contract';
import { resolveTrust } from '../../policy/audit/trust';
import { verifyTrail } from '../../policy/audit/verify-trail';
import { SearchAuditLog } from './audit-log';
import { elasticsearchApi, type EngineApi, openSearchApi } from './engine-api';

jest.setTimeout(180_000);
const run = `${process.pid}-${Date.now().toString(36)}`;
let n = 0;
const signer = signerFromPem(generateSigningKeyPem('international'));

function harness(api: () => EngineApi): TamperingHarness {
  return {
    signer,
    async open(opts = {}) {
      const prefix = `au-${run}-${n++}`;
      const engine = api();
      const log = new SearchAuditLog(engine, {
        prefix,
        chain: 'replica-a',
        ...(opts.signed ? { signer, cadence: { everyRecords: opts.everyRecords ?? 4, everyMs: 3_600_000 } } : {}),
      });
      const idx = `${prefix}-audit`;
      const cpIdx = `${prefix}-audit-checkpoints`;
      const get = async (seq: number) => (await engine.getDoc(idx, `replica-a:${seq}`))!.source;
      const put = async (seq: number, src: Record<string, unknown>) => {
        await engine.putDoc(idx, `replica-a:${seq}`, src, 'any');
      };
      const raw: RawTrail = {
        async records() {
          await engine.refresh(idx);
          const r = await engine.search(idx, { query: { term: { chain: 'replica-a' } }, sort: [{ seq: 'asc' }], size: 10_000 });
          return r.hits.map((h) => ({ ...(JSON.parse(h._source.record as string) as Omit<AuditRecord, 'hash'>), hash: h._source.hash as string }));
        },
        async put(records) {
          for (const r of records) {
            const { hash: _h, ...rest } = r;
            await put(r.seq, { ...r, record: canonicalJson(rest) });
          }
        },
        async delete(seqs) {
          for (const s of seqs) await engine.deleteDoc(idx, `replica-a:${s}`);
        },
        checkpoints: () => log.checkpoints(),
        async replaceCheckpoints(chain, cps) {
          for (const c of await log.checkpoints({ chain })) await engine.deleteDoc(cpIdx, `${chain}:${c.seq}`);
          for (const c of cps) await engine.putDoc(cpIdx, `${chain}:${c.seq}`, { chain, seq: c.seq, body: JSON.stringify(c) }, 'any');
        },
        async setPublicKeys(pems) {
          await engine.refresh(`${prefix}-audit-meta`);
          const keys = await engine.search(`${prefix}-audit-meta`, { query: { term: { kind: 'key' } }, size: 100 });
          for (const h of keys.hits) await engine.deleteDoc(`${prefix}-audit-meta`, h._id);
          for (const p of pems) await engine.putDoc(`${prefix}-audit-meta`, `key:${p.length}`, { kind: 'key', value: p }, 'any');
        },
      };
      const edit = async (seq: number, f: (rec: Record<string, unknown>, src: Record<string, unknown>) => void) => {
        const src = await get(seq);
        const rec = JSON.parse(src.record as string) as Record<string, unknown>;
        f(rec, src);
        await put(seq, { ...src, record: JSON.stringify(rec) });
      };
      return {
        log,
        tamper: {
          raw,
          modify: (seq) => edit(seq, (rec) => Object.assign(rec, { decision: 'allow', reason: 'nothing to see' })),
          async rewrite(seq) {
            const src = await get(seq);
            const rec = { ...(JSON.parse(src.record as string) as Omit<AuditRecord, 'hash'>), actor: 'mallory' };
            await put(seq, { ...src, actor: 'mallory', record: canonicalJson(rec), hash: hashRecord(rec) });
          },
          remove: async (seq) => void (await engine.deleteDoc(idx, `replica-a:${seq}`)),
          async swap(a, b) {
            // Contents exchanged; the position (the seq the engine sorts by) stays, as a reorder in storage would leave it.
            const [sa, sb] = [await get(a), await get(b)];
            await put(a, { ...sb, seq: a });
            await put(b, { ...sa, seq: b });
          },
        },
      };
    },
  };
}

function writer(engine: string, url: string, prefix: string, chain: string, keyFile: string, rounds: number) {
  const child = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), path.join(__dirname, 'test-support', 'audit-writer.ts'), engine, url, prefix, chain, keyFile, String(rounds)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const acked: { chain: string; seq: number; hash: string }[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const [kind, c, s, h] = buf.slice(0, i).split(' ');
      buf = buf.slice(i + 1);
      if (kind === 'ack') acked.push({ chain: c!, seq: Number(s), hash: h! });
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, acked, exited };
}

for (const [name, url, api, engine] of [
  ['Elasticsearch', 'http://127.0.0.1:9200', elasticsearchApi, 'elasticsearch'],
  ['OpenSearch', 'http://127.0.0.1:9210', openSearchApi, 'opensearch'],
] as const) {
  const h = harness(() => api({ node: [url] }));
  describeAuditLogContract(`${name} (shared trail)`, h);
  describeTamperingClasses(`${name} (shared trail)`, h);

  describe(`the shared trail on ${name} with three writers`, () => {
    it('one killed mid-write: nothing acknowledged is lost, verification passes, a record tampered with in the index is found', async () => {
      const prefix = `au3-${run}-${n++}`;
      const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-shared-'));
      const keyFile = path.join(dir, 'signing.key');
      writeFileSync(keyFile, signer.privateKeyPem, { mode: 0o600 });
      // Create the indices once, so three processes do not race to.
      const setup = new SearchAuditLog(api({ node: [url] }), { prefix, chain: 'setup', signer });
      await setup.append({ actor: 'system', actorType: 'system', action: 'audit.setup', decision: 'info' });
      await setup.close();
      const writers = ['replica-1', 'replica-2', 'replica-3'].map((c) => writer(engine, url, prefix, c, keyFile, 40));
      // Kill the second once it has had some records acknowledged, mid-stream.
      while (writers[1]!.acked.length < 25) await new Promise((r) => setTimeout(r, 20));
      writers[1]!.child.kill('SIGKILL');
      await Promise.all(writers.map((w) => w.exited));
      const reader = new SearchAuditLog(api({ node: [url] }), { prefix, chain: 'auditor', signer });
      const trust = resolveTrust({ fingerprints: [signer.publicKey.fingerprint], keys: [] }, await reader.publicKeys());
      // Every acknowledged record is there with the hash it was acknowledged with.
      for (const w of writers)
        for (const a of w.acked) {
          const [r] = await reader.query({ chain: a.chain, afterSeq: a.seq - 1, size: 1 });
          expect(r).toMatchObject({ chain: a.chain, seq: a.seq, hash: a.hash });
        }
      expect(writers[0]!.acked).toHaveLength(200);
      expect(writers[2]!.acked).toHaveLength(200);
      expect(writers[1]!.acked.length).toBeLessThan(200);
      const report = await verifyTrail(reader, { trust });
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.chains.map((c) => c.chain)).toEqual(['replica-1', 'replica-2', 'replica-3', 'setup']);
      const killed = report.chains.find((c) => c.chain === 'replica-2')!;
      expect(killed.headSeq).toBeGreaterThanOrEqual(writers[1]!.acked.length);
      // The killed writer could not sign on close: its tail after its last checkpoint (signed every 7
      // records) is reported as unsigned, not as tampering; killed just after a checkpoint, none is.
      const signedTo = Math.max(0, ...(await reader.checkpoints({ chain: 'replica-2' })).map((c) => c.seq));
      expect(report.unsigned.filter((u) => u.chain === 'replica-2').map((u) => [u.fromSeq, u.toSeq])).toEqual(
        signedTo < killed.headSeq ? [[signedTo + 1, killed.headSeq]] : [],
      );

      // An insider edits one record of replica-3 in the shared index.
      const e = api({ node: [url] });
      const src = (await e.getDoc(`${prefix}-audit`, 'replica-3:50'))!.source;
      const rec = JSON.parse(src.record as string) as Record<string, unknown>;
      await e.putDoc(`${prefix}-audit`, 'replica-3:50', { ...src, record: JSON.stringify({ ...rec, resource: 'dataset:nothing' }) }, 'any');
      const after = await verifyTrail(reader, { trust });
      expect(after.ok).toBe(false);
      expect(after.firstBad).toMatchObject({ chain: 'replica-3', seq: 50, problem: 'modified' });
      const cps: AuditCheckpoint[] = await reader.checkpoints({ chain: 'replica-1' });
      expect(cps.map((c) => c.seq).slice(0, 3)).toEqual([7, 14, 21]);

      // A seal over every chain's newest checkpoint: removing a whole chain is then found.
      const seal = await reader.seal();
      expect(seal?.heads.map((x) => x.chain)).toEqual(['replica-1', 'replica-2', 'replica-3', 'setup']);
      expect(await reader.seal()).toBeNull();
      await e.putDoc(`${prefix}-audit`, 'replica-3:50', src, 'any');
      expect(await verifyTrail(reader, { trust })).toMatchObject({ ok: true, sealsVerified: 1 });
      for (const c of cps) await e.deleteDoc(`${prefix}-audit-checkpoints`, `replica-1:${c.seq}`);
      for (let s = 1; s <= 200; s++) await e.deleteDoc(`${prefix}-audit`, `replica-1:${s}`);
      const gone = await verifyTrail(reader, { trust });
      expect(gone.ok).toBe(false);
      expect(gone.problems).toContainEqual(expect.objectContaining({ chain: 'replica-1', problem: 'missing_chain' }));
      await reader.close();
      await e.close();
    });
  });
}

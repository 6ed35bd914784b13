/**
 * The AuditLog contract. Each adapter provides a way to tamper with its own storage the way an
 * insider with database access could, and verification must catch every kind.
 */
import type { AuditCheckpoint, AuditRecord } from '../audit';
import type { AuditLog } from '../ports/audit-log';
import type { QueryNode } from '../query/ast';

/** Raw access to the stored trail, as an insider with the database would have, for the tampering classes. */
export interface RawTrail {
  /** Stored records of a chain in sequence order (the one chain when absent). */
  records(chain?: string): Promise<AuditRecord[]>;
  /** Writes records over the stored ones with the same chain and sequence number (adding those that are new). */
  put(records: readonly AuditRecord[]): Promise<void>;
  delete(seqs: readonly number[], chain?: string): Promise<void>;
  checkpoints(): Promise<AuditCheckpoint[]>;
  /** Replaces every stored checkpoint of the chains these belong to. */
  replaceCheckpoints(chain: string, checkpoints: readonly AuditCheckpoint[]): Promise<void>;
  /** Replaces the public keys stored beside the trail. */
  setPublicKeys(pems: readonly string[]): Promise<void>;
}

export interface AuditTamper {
  /** Change one stored field of record seq without fixing its hash. */
  modify(seq: number): Promise<void>;
  /** Change record seq and recompute its own hash so it looks self-consistent. */
  rewrite(seq: number): Promise<void>;
  remove(seq: number): Promise<void>;
  /** Exchange the stored contents of two records. */
  swap(a: number, b: number): Promise<void>;
  readonly raw: RawTrail;
}

export interface AuditHarness {
  /** A new, empty trail; signed every `everyRecords` records (default 4) when `signed`. */
  open(opts?: { signed?: boolean; everyRecords?: number }): Promise<{ log: AuditLog; tamper: AuditTamper }>;
}

async function filled(h: AuditHarness, n: number, signed = false) {
  const t = await h.open({ signed });
  for (let i = 1; i <= n; i++) {
    await t.log.append({
      actor: i % 2 ? 'alice' : 'bob',
      actorType: 'user',
      action: i % 3 ? 'events.search' : 'auth.login',
      resource: `dataset:${i}`,
      decision: i % 4 ? 'allow' : 'deny',
      reason: `policy p${i}`,
    });
  }
  return t;
}

export function describeAuditLogContract(name: string, harness: AuditHarness): void {
  describe(`AuditLog contract: ${name}`, () => {
    it('assigns consecutive sequence numbers and links each record to the previous hash', async () => {
      const { log } = await harness.open();
      const a = await log.append({ actor: 'admin', actorType: 'user', action: 'auth.login', decision: 'success' });
      const b = await log.append({
        actor: 'admin',
        actorType: 'user',
        action: 'policy.update',
        resource: 'policy:p1',
        decision: 'success',
        details: { before: { x: 1 }, after: { x: 2 } },
      });
      expect(a.seq).toBe(1);
      expect(b.seq).toBe(2);
      expect(a.prevHash).toBe('0'.repeat(64));
      expect(b.prevHash).toBe(a.hash);
      expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
      await log.close();
    });

    it('keeps details whose shape differs between actions under the same key (a string, then an object, then a list)', async () => {
      const { log } = await harness.open();
      const shapes = ['message:ssh', { size: 50, sort: { field: 'at' } }, [1, 'two', { three: 3 }], 42, null];
      for (const query of shapes) await log.append({ actor: 'ana', actorType: 'user', action: 'events.search', decision: 'allow', details: { query } });
      expect((await log.query({ actor: 'ana' })).map((r) => r.details?.query).reverse()).toEqual(shapes);
      expect(await log.verify()).toEqual({ ok: true, checked: shapes.length });
      await log.close();
    });

    it('appends issued together get consecutive numbers in call order and one intact chain', async () => {
      const { log } = await harness.open();
      const records = await Promise.all(
        Array.from({ length: 50 }, (_, i) => log.append({ actor: `u${i}`, actorType: 'user', action: 'authz.decide', decision: 'allow' })),
      );
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(records.map((r) => r.actor)).toEqual(Array.from({ length: 50 }, (_, i) => `u${i}`));
      expect(await log.verify()).toEqual({ ok: true, checked: 50 });
      await log.close();
    });

    it('an untouched trail verifies', async () => {
      const { log } = await filled(harness, 20);
      expect(await log.verify()).toEqual({ ok: true, checked: 20 });
      await log.close();
    });

    it('queries by actor, action and decision, newest first', async () => {
      const { log } = await filled(harness, 12);
      const denies = await log.query({ decision: 'deny' });
      expect(denies.map((r) => r.seq)).toEqual([12, 8, 4]);
      const bobLogins = await log.query({ actor: 'bob', action: 'auth.login' });
      expect(bobLogins.map((r) => r.seq)).toEqual([12, 6]);
      expect(bobLogins[0]).toMatchObject({ actor: 'bob', action: 'auth.login', resource: 'dataset:12', decision: 'deny', reason: 'policy p12' });
      await log.close();
    });

    it('a row filter over the record restricts the query', async () => {
      const { log } = await harness.open();
      const rec = (actor: string, department?: string | string[]) =>
        log.append({
          actor,
          actorType: 'user',
          action: 'events.get',
          resource: 'events',
          decision: 'deny',
          reason: 'row-filter',
          ...(department ? { details: { department } } : {}),
        });
      await rec('alice', '城管');
      await rec('bob', '公安');
      await rec('carol');
      // An action across two departments names both: each owner's filter finds it.
      await rec('dave', ['公安', '城管']);
      const own: QueryNode = { type: 'keyword', field: 'details.department', value: '城管' };
      expect((await log.query({ filter: own })).map((r) => r.actor)).toEqual(['dave', 'alice']);
      const police: QueryNode = { type: 'keyword', field: 'details.department', value: '公安' };
      expect((await log.query({ filter: police })).map((r) => r.actor)).toEqual(['dave', 'bob']);
      const notPolice: QueryNode = { type: 'not', child: police };
      expect((await log.query({ filter: notPolice })).map((r) => r.actor)).toEqual(['carol', 'alice']);
      expect((await log.query({ filter: { type: 'keyword', field: 'actor', value: 'bob' }, decision: 'deny' })).map((r) => r.seq)).toEqual([2]);
      await log.close();
    });

    it('pages forward with afterSeq', async () => {
      const { log } = await filled(harness, 10);
      expect((await log.query({ afterSeq: 7, size: 2 })).map((r) => r.seq)).toEqual([8, 9]);
      await log.close();
    });

    it('a modified record fails verification and is named', async () => {
      const { log, tamper } = await filled(harness, 10);
      await tamper.modify(4);
      expect(await log.verify()).toMatchObject({ ok: false, checked: 3, firstBad: { seq: 4, problem: 'modified' } });
      await log.close();
    });

    it('a rewritten record with a recomputed hash is still caught and named', async () => {
      const { log, tamper } = await filled(harness, 10);
      await tamper.rewrite(6);
      expect(await log.verify()).toMatchObject({ ok: false, firstBad: { seq: 6, problem: 'modified' } });
      await log.close();
    });

    it('a deleted record fails verification and is named', async () => {
      const { log, tamper } = await filled(harness, 10);
      await tamper.remove(5);
      expect(await log.verify()).toMatchObject({ ok: false, checked: 4, firstBad: { seq: 5, problem: 'missing' } });
      await log.close();
    });

    it('two swapped records fail verification', async () => {
      const { log, tamper } = await filled(harness, 10);
      await tamper.swap(3, 7);
      const v = await log.verify();
      expect(v.ok).toBe(false);
      expect(v.firstBad?.seq).toBe(3);
      await log.close();
    });

    it('truncating the newest record is invisible to the chain alone (the reason for signed checkpoints kept outside)', async () => {
      const { log, tamper } = await filled(harness, 5);
      await tamper.remove(5);
      expect(await log.verify()).toEqual({ ok: true, checked: 4 });
      await log.close();
    });

    it('retention cuts at the newest signed checkpoint older than the cutoff; the rest verifies from that anchor', async () => {
      const { log, tamper } = await filled(harness, 10, true);
      const r = await log.prune(new Date(Date.now() + 60_000));
      expect(r.deleted).toBe(8);
      await log.append({ actor: 'after', actorType: 'system', action: 'noop', decision: 'info' });
      await log.append({ actor: 'after2', actorType: 'system', action: 'noop', decision: 'info' });
      expect(await log.verify()).toEqual({ ok: true, checked: 4 });
      expect((await log.query({})).map((x) => x.seq)).toEqual([12, 11, 10, 9]);
      expect((await log.checkpoints()).map((c) => c.seq)).toEqual([8, 12]);
      await tamper.modify(11);
      expect(await log.verify()).toMatchObject({ ok: false, firstBad: { seq: 11, problem: 'modified' } });
      await log.close();
    });

    it('a signed trail signs a checkpoint at every Nth record, in the same write, over the window since the last', async () => {
      const { log } = await filled(harness, 10, true);
      const cps = await log.checkpoints();
      expect(cps.map((c) => [c.from, c.seq, c.reason, c.everyRecords])).toEqual([
        [1, 4, 'count', 4],
        [5, 8, 'count', 4],
      ]);
      const r8 = (await log.query({ afterSeq: 7, size: 1 }))[0]!;
      expect(cps[1]).toMatchObject({ hash: r8.hash, at: r8.at, suite: log.suite, v: 1 });
      expect(await log.checkpoint('manual')).toMatchObject({ from: 9, seq: 10, reason: 'manual' });
      expect(await log.checkpoint('manual')).toBeNull();
      expect(await log.publicKeys()).toHaveLength(1);
      await log.close();
    });

    it('appends issued together across a cadence boundary still get exactly one checkpoint per N records', async () => {
      const { log } = await harness.open({ signed: true, everyRecords: 7 });
      await Promise.all(Array.from({ length: 50 }, (_, i) => log.append({ actor: `u${i}`, actorType: 'user', action: 'authz.decide', decision: 'allow' })));
      expect((await log.checkpoints()).map((c) => c.seq)).toEqual([7, 14, 21, 28, 35, 42, 49]);
      await log.close();
    });

    it('retention keeps records newer than the cutoff', async () => {
      const { log } = await filled(harness, 3);
      expect(await log.prune(new Date(Date.now() - 86_400_000))).toEqual({ deleted: 0 });
      expect(await log.verify()).toEqual({ ok: true, checked: 3 });
      await log.close();
    });

    it('malformed records are refused with the field and reason', async () => {
      const { log } = await harness.open();
      await expect(log.append({ actor: '', actorType: 'user', action: 'x', decision: 'allow' })).rejects.toThrow(/actor/);
      await log.close();
    });
  });
}

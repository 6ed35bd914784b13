import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { AuditRecord } from '../../core/audit';
import { hashRecord } from '../../core/audit-chain';
import { describeAuditLogContract, type RawTrail } from '../../core/contracts/audit-log.contract';
import { generateSigningKeyPem, signerFromPem } from '../../core/audit-crypto';
import { canonicalJson } from '../../core/canonical';
import { describeTamperingClasses, type TamperingHarness } from '../../policy/audit/tampering.contract';
import { CitySocError } from '../../core/errors';
import { SqliteAuditLog } from './audit-log';

const root = mkdtempSync(path.join(tmpdir(), 'citysoc-audit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const signer = signerFromPem(generateSigningKeyPem('international'));

/** A SQLite trail and an insider's access to its file. */
const sqliteHarness: TamperingHarness = {
  signer,
  async open(opts = {}) {
    const file = path.join(root, `audit-${n++}.db`);
    const log = new SqliteAuditLog(file, {
      ...(opts.signed ? { signer, cadence: { everyRecords: opts.everyRecords ?? 4, everyMs: 3_600_000 } } : {}),
    });
    // A second connection, as an insider with the database file would have.
    const withDb = <T>(f: (db: Database.Database) => T): T => {
      const db = new Database(file);
      try {
        return f(db);
      } finally {
        db.close();
      }
    };
    const raw: RawTrail = {
      async records() {
        return withDb((db) =>
          (db.prepare('SELECT record, hash FROM audit ORDER BY seq').all() as { record: string; hash: string }[]).map((r) => ({
            ...JSON.parse(r.record),
            hash: r.hash,
          })),
        );
      },
      async put(records) {
        withDb((db) => {
          for (const r of records) {
            const { hash, ...rest } = r;
            const json = canonicalJson(rest);
            const changed = db
              .prepare('UPDATE audit SET at = ?, actor = ?, action = ?, resource = ?, decision = ?, record = ?, hash = ? WHERE seq = ?')
              .run(r.at, r.actor, r.action, r.resource, r.decision, json, hash, r.seq).changes;
            if (!changed)
              db.prepare('INSERT INTO audit (seq, at, actor, action, resource, decision, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
                r.seq,
                r.at,
                r.actor,
                r.action,
                r.resource,
                r.decision,
                json,
                hash,
              );
          }
        });
      },
      async delete(seqs) {
        withDb((db) => {
          for (const s of seqs) db.prepare('DELETE FROM audit WHERE seq = ?').run(s);
        });
      },
      checkpoints: () => log.checkpoints(),
      async replaceCheckpoints(_chain, cps) {
        withDb((db) => {
          db.prepare('DELETE FROM audit_checkpoint').run();
          for (const c of cps) {
            const { signature, ...body } = c;
            db.prepare('INSERT INTO audit_checkpoint (seq, body, signature) VALUES (?, ?, ?)').run(c.seq, JSON.stringify(body), signature);
          }
        });
      },
      async setPublicKeys(pems) {
        withDb((db) => {
          db.prepare("DELETE FROM audit_meta WHERE key LIKE 'key:%'").run();
          for (const p of pems) db.prepare('INSERT INTO audit_meta (key, value) VALUES (?, ?)').run(`key:${p.length}`, p);
        });
      },
    };
    return {
      log,
      tamper: {
        raw,
        async modify(seq) {
          withDb((db) => {
            const row = db.prepare('SELECT record FROM audit WHERE seq = ?').get(seq) as { record: string };
            const rec = JSON.parse(row.record);
            rec.decision = 'allow';
            rec.reason = 'nothing to see';
            db.prepare('UPDATE audit SET record = ? WHERE seq = ?').run(JSON.stringify(rec), seq);
          });
        },
        async rewrite(seq) {
          withDb((db) => {
            const row = db.prepare('SELECT record FROM audit WHERE seq = ?').get(seq) as { record: string };
            const rec = JSON.parse(row.record);
            rec.actor = 'mallory';
            db.prepare('UPDATE audit SET record = ?, actor = ?, hash = ? WHERE seq = ?').run(JSON.stringify(rec), 'mallory', hashRecord(rec), seq);
          });
        },
        async remove(seq) {
          withDb((db) => db.prepare('DELETE FROM audit WHERE seq = ?').run(seq));
        },
        async swap(a, b) {
          withDb((db) => {
            const cols = 'seq, at, actor, action, resource, decision, record, hash';
            const ra = db.prepare(`SELECT ${cols} FROM audit WHERE seq = ?`).get(a) as Record<string, unknown>;
            const rb = db.prepare(`SELECT ${cols} FROM audit WHERE seq = ?`).get(b) as Record<string, unknown>;
            const upd = db.prepare(
              'UPDATE audit SET seq=@seq, at=@at, actor=@actor, action=@action, resource=@resource, decision=@decision, record=@record, hash=@hash WHERE rowid = @rowid',
            );
            const rowid = (s: number) => (db.prepare('SELECT rowid AS r FROM audit WHERE seq = ?').get(s) as { r: number }).r;
            const ida = rowid(a);
            const idb = rowid(b);
            upd.run({ ...rb, rowid: ida });
            upd.run({ ...ra, rowid: idb });
          });
        },
      },
    };
  },
};

describeAuditLogContract('SQLite', sqliteHarness);
describeTamperingClasses('SQLite', sqliteHarness);

describe('SQLite audit columns', () => {
  it('a search column changed behind the record is caught', async () => {
    const file = path.join(root, 'columns.db');
    const log = new SqliteAuditLog(file);
    await log.append({ actor: 'alice', actorType: 'user', action: 'events.export', decision: 'allow' });
    await log.append({ actor: 'alice', actorType: 'user', action: 'events.search', decision: 'allow' });
    const db = new Database(file);
    db.prepare("UPDATE audit SET actor = 'bob' WHERE seq = 1").run();
    db.close();
    expect(await log.verify()).toEqual({ ok: false, checked: 0, firstBad: { seq: 1, problem: 'modified' } });
    await log.close();
  });
});

describe('SQLite audit writer thread', () => {
  const input = (actor: string, extra: Record<string, unknown> = {}) => ({
    actor,
    actorType: 'user' as const,
    action: 'events.search',
    decision: 'allow' as const,
    ...extra,
  });
  const open = (name: string) => new SqliteAuditLog(path.join(root, `${name}-${n++}.db`));

  it('an invalid input among valid ones is refused alone; the others get consecutive numbers in call order', async () => {
    const log = open('mixed');
    const results = await Promise.allSettled([
      log.append(input('a')),
      log.append({ ...input('b'), decision: 'maybe' as 'allow' }),
      log.append(input('c')),
      log.append(input('')),
      log.append(input('d')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(results.flatMap((r) => (r.status === 'fulfilled' ? [[r.value.seq, r.value.actor]] : []))).toEqual([
      [1, 'a'],
      [2, 'c'],
      [3, 'd'],
    ]);
    const refused = results[1] as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(CitySocError);
    expect(refused.reason).toMatchObject({ code: 'INPUT_INVALID', message: expect.stringMatching(/^audit record: decision: /) });
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'INPUT_INVALID', message: expect.stringMatching(/^audit record: actor: /) });
    expect(await log.verify()).toEqual({ ok: true, checked: 3 });
    await log.close();
  });

  it('append resolves with the record as stored: schema fields only, defaults filled in', async () => {
    const log = open('shape');
    const given = [
      input('a', { unknownField: 1, details: { department: '城管', nested: { list: [1, 'x', null] } } }),
      input('b', { resource: 'events', reason: 'policy p1', sourceIp: '10.0.0.1' }),
      input('c', { resource: undefined, details: {} }),
    ];
    const appended = await Promise.all(given.map((g) => log.append(g)));
    expect(appended).toEqual(await log.query({ afterSeq: 0 }));
    expect(appended[0]).not.toHaveProperty('unknownField');
    expect(appended[2]).toMatchObject({ resource: '', reason: '' });
    await log.close();
  });

  it('a record holds its input as it was when append() was called', async () => {
    const log = open('snapshot');
    const details = { step: 1 };
    const given = input('a', { details });
    const pending = log.append(given);
    given.actor = 'mallory';
    details.step = 2;
    const r = await pending;
    expect(r).toMatchObject({ actor: 'a', details: { step: 1 } });
    expect((await log.query({}))[0]).toMatchObject({ actor: 'a', details: { step: 1 } });
    await log.close();
  });

  it("a record's time is when append() was called, by the trail's clock", async () => {
    let now = new Date('2026-11-20T02:00:00Z');
    const log = new SqliteAuditLog(path.join(root, `clock-${n++}.db`), () => now);
    const first = log.append(input('a'));
    now = new Date('2026-11-20T03:00:00Z');
    const second = log.append(input('b'));
    expect([(await first).at, (await second).at]).toEqual(['2026-11-20T02:00:00.000Z', '2026-11-20T03:00:00.000Z']);
    expect((await log.query({ from: '2026-11-20T02:30:00Z' })).map((r) => r.actor)).toEqual(['b']);
    await log.close();
  });

  it('values that cannot be written are refused alone, as the schema refuses them', async () => {
    const log = open('values');
    const results = await Promise.allSettled([
      log.append(input('a')),
      log.append(input('b', { details: { f: () => 1 } })),
      log.append(input('c', { details: new Map([['k', 1]]) })),
      log.append(input('d', { details: { n: 1n } })),
      log.append(input('e')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    for (const i of [1, 2, 3]) expect((results[i] as PromiseRejectedResult).reason).toMatchObject({ code: 'INPUT_INVALID' });
    expect((results[2] as PromiseRejectedResult).reason.message).toBe('audit record: details: Invalid input: expected record, received Map');
    expect((results[4] as PromiseFulfilledResult<AuditRecord>).value.seq).toBe(2);
    expect(await log.verify()).toEqual({ ok: true, checked: 2 });
    await log.close();
  });

  it('close() writes what was appended before it; appends and pruning after it are refused', async () => {
    const file = path.join(root, `close-${n++}.db`);
    const log = new SqliteAuditLog(file);
    const pending = Array.from({ length: 300 }, (_, i) => log.append(input(`u${i}`)));
    await log.close();
    expect((await Promise.all(pending)).map((r) => r.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    await expect(log.append(input('late'))).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'audit trail is closed' });
    await expect(log.prune(new Date())).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await log.close();
    const again = new SqliteAuditLog(file);
    expect(await again.verify()).toEqual({ ok: true, checked: 300 });
    await again.close();
  });

  it('a writer thread that dies refuses what waits for it with the reason; the next append starts a new one', async () => {
    const log = open('crash');
    await log.append(input('before'));
    const worker = (log as unknown as { worker: Worker | null }).worker!;
    const pending = log.append(input('lost'));
    await new Promise((resolve) => setImmediate(resolve)); // handed to the writer
    await worker.terminate();
    await expect(pending).rejects.toMatchObject({ code: 'STORE_FAILURE', message: expect.stringMatching(/^audit writer thread exited with code 1; /) });
    const after = await log.append(input('after'));
    expect(after.actor).toBe('after');
    const v = await log.verify();
    expect(v.ok).toBe(true);
    expect(v.checked).toBe(after.seq);
    await log.close();
  });

  it('two trails on one file (two processes, say) keep one chain', async () => {
    const file = path.join(root, `shared-${n++}.db`);
    const a = new SqliteAuditLog(file);
    const b = new SqliteAuditLog(file);
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).append(input(`u${i}`))));
    expect(all.map((r) => r.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await a.verify()).toEqual({ ok: true, checked: 200 });
    await Promise.all([a.close(), b.close()]);
  });

  it('an idle trail does not keep the process alive', () => {
    const file = path.join(root, `idle-${n++}.db`);
    const script = `
      const { SqliteAuditLog } = require(${JSON.stringify(path.join(__dirname, 'audit-log.ts'))});
      const log = new SqliteAuditLog(${JSON.stringify(file)});
      log.append({ actor: 'a', actorType: 'user', action: 'x', decision: 'allow' }).then((r) => console.log('appended', r.seq));
    `;
    const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(out.trim()).toBe('appended 1');
  }, 40_000);
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteAuditLog } from '../../adapters/sqlite/audit-log';
import { generateSigningKeyPem, signerFromPem } from '../../core/audit-crypto';
import { exportTrail, toCsv } from './export';
import { parseExport, verifyExport } from './verify-export';

describe('verify-export checks the export as it is, against the key the auditor trusts', () => {
  const signer = signerFromPem(generateSigningKeyPem('international'));
  const trust = { fingerprints: [signer.publicKey.fingerprint], keys: [] };
  let exported: Awaited<ReturnType<typeof exportTrail>>;

  beforeAll(async () => {
    const log = new SqliteAuditLog(path.join(mkdtempSync(path.join(tmpdir(), 'citysoc-export-')), 'audit.db'), {
      signer,
      cadence: { everyRecords: 4, everyMs: 600_000 },
    });
    for (let i = 1; i <= 10; i++) await log.append({ actor: `u${i}`, actorType: 'user', action: 'events.search', decision: 'allow' });
    exported = await exportTrail(log, { signer });
    await log.close();
  });

  it('an untouched export verifies, every record covered by a checkpoint', () => {
    expect(verifyExport(structuredClone(exported), trust)).toMatchObject({ ok: true, checked: 10, checkpointsVerified: 3, unsigned: 0, manifest: 'verified' });
  });

  it('two records swapped in the file are not re-sorted: the first out of place is named', () => {
    const e = structuredClone(exported);
    [e.records[3], e.records[4]] = [e.records[4]!, e.records[3]!];
    expect(verifyExport(e, trust)).toMatchObject({ ok: false, firstBad: { seq: 4, problem: 'missing' } });
  });

  it('the key carried inside the export is not trusted on its own say-so', () => {
    const thief = signerFromPem(generateSigningKeyPem('international'));
    const e = { ...structuredClone(exported), publicKeys: [thief.publicKey.pem] };
    expect(verifyExport(e, { fingerprints: [thief.publicKey.fingerprint], keys: [] })).toMatchObject({
      ok: false,
      firstBad: { problem: 'untrusted_signature' },
    });
    expect(verifyExport(e, trust)).toMatchObject({ ok: false, firstBad: { problem: 'untrusted_signature' } });
  });

  it('a checkpoint whose signature was forged for another record is refused', () => {
    const e = structuredClone(exported);
    e.checkpoints[0] = { ...e.checkpoints[0]!, seq: 3 };
    expect(verifyExport(e, trust)).toMatchObject({ ok: false, badCheckpoint: { seq: 3, problem: 'bad_signature' } });
  });

  it('CSV: a readable cell that disagrees with the record column is a modification', () => {
    const csv = toCsv(exported).replace(/^,2,([^,]*),u2,/m, ',2,$1,mallory,');
    expect(verifyExport(parseExport(csv), trust)).toMatchObject({ ok: false, firstBad: { seq: 2, problem: 'modified' } });
    expect(verifyExport(parseExport(toCsv(exported)), trust)).toMatchObject({ ok: true, checked: 10 });
  });
});

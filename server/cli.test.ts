import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteAuditLog } from '../core/adapters/sqlite/audit-log';
import { EXIT, main } from './cli';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  process.exitCode = undefined;
  const code = await main(['node', 'citysoc', ...args], { out: (s) => void (out += s), err: (s) => void (err += s) });
  process.exitCode = undefined;
  return { code, out, err };
}

describe('the citysoc command line', () => {
  it('a verb whose capability has not landed says so and exits non-zero', async () => {
    const r = await run('detect', 'x.log', '--rules', 'rules');
    expect(r.code).toBe(EXIT.notImplemented);
    expect(r.err).toBe('citysoc: offline detection (citysoc detect) is not available in this build yet\n');
  });

  it('a bad option value exits 2 with the key, value and expectation', async () => {
    const r = await run('up', '--port', '99999', '--data-dir', mkdtempSync(path.join(tmpdir(), 'cs-cli-')));
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('server.port = "99999" (from command line): expected a whole number 0..65535');
  });

  it('an unknown verb is a usage error', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/unknown command 'frobnicate'/);
  });

  it('audit verify passes on an intact trail and fails naming the first tampered record', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-'));
    const log = new SqliteAuditLog(path.join(dir, 'audit.db'));
    for (let i = 0; i < 5; i++) await log.append({ actor: 'alice', actorType: 'user', action: 'events.search', decision: 'allow' });
    await log.close();
    const ok = await run('audit', 'verify', '--data-dir', dir);
    expect(ok).toEqual({ code: 0, out: 'audit trail intact: 5 records verified\n', err: '' });
    const db = new Database(path.join(dir, 'audit.db'));
    db.prepare(`UPDATE audit SET record = replace(record, '"allow"', '"deny"') WHERE seq = 3`).run();
    db.close();
    const bad = await run('audit', 'verify', '--data-dir', dir);
    expect(bad.code).toBe(EXIT.failure);
    expect(bad.err).toBe('audit trail TAMPERED: record 3 is modified (2 records before it verified)\n');
  });
});

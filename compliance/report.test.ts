import Database from 'better-sqlite3';
import { Command } from 'commander';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { SqliteAuditLog } from '../adapters/sqlite/audit-log';
import type { Actor } from '../core/actor';
import type { Authorizer } from '../core/authz';
import { loadConfig } from '../core/config';
import { Door } from '../core/door';
import { loadOrCreateSigningKey } from '../policy/audit/signing-key';
import { complianceActions, complianceCli, sourcesFrom } from './module';

const person = (name: string, roles: Actor['roles']): Actor => ({ kind: 'user', name, roles, person: name });
const nobodyDecides: Authorizer = {
  decide: () => ({ decision: 'deny', reason: 'not used', matched: [], obligations: {} }) as never,
  view: () => ({ restricted: false, rewrite: (n) => n, aggregation: () => 'clear', treatBuckets: (_f, _v, b) => [...b], treat: (d) => d }),
  isolation: () => null,
  zoneOf: () => '政务外网',
};

describe('the 等保 2.0 third-level evidence report', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-compliance-'));
  const key = loadOrCreateSigningKey(dir);
  const configFor = (extra: Record<string, unknown> = {}) =>
    loadConfig({ env: {}, overrides: { dataDir: dir, 'audit.trustedKeyFingerprint': key.fingerprint, ...extra } });
  const open = () => new SqliteAuditLog(path.join(dir, 'audit.db'), { signer: key, cadence: { everyRecords: 10, everyMs: 600_000 } });

  beforeAll(async () => {
    const log = open();
    for (let i = 0; i < 30; i++)
      await log.append({
        actor: `user${i % 4}`,
        actorType: 'user',
        action: i % 5 === 0 ? 'auth.login' : 'events.search',
        resource: 'events',
        decision: i % 7 === 0 ? 'deny' : 'allow',
        ...(i % 2 ? { sourceIp: '10.1.2.3' } : {}),
      });
    await log.append({
      actor: 'admin',
      actorType: 'user',
      action: 'policy.update',
      resource: 'policy:p1',
      decision: 'success',
      details: { before: ['a'], after: ['b'] },
    });
    await log.close();
  });

  /** What the store holds, counted with SQL beside the report's own counting. */
  function storeCounts() {
    const db = new Database(path.join(dir, 'audit.db'), { readonly: true });
    try {
      const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      return {
        records: n('SELECT count(*) AS n FROM audit'),
        actors: n('SELECT count(DISTINCT actor) AS n FROM audit'),
        auth: n("SELECT count(*) AS n FROM audit WHERE action LIKE 'auth.%'"),
        policy: n("SELECT count(*) AS n FROM audit WHERE action LIKE 'policy.%'"),
        withIp: n("SELECT count(*) AS n FROM audit WHERE json_extract(record, '$.sourceIp') IS NOT NULL"),
        checkpoints: n('SELECT count(*) AS n FROM audit_checkpoint'),
      };
    } finally {
      db.close();
    }
  }

  async function cli(...args: string[]) {
    let out = '';
    let err = '';
    const program = new Command('citysoc').exitOverride();
    complianceCli({ openAudit: () => open() })(program, { out: (s) => void (out += s), err: (s) => void (err += s), loadConfig: () => configFor() });
    await program.parseAsync(['node', 'citysoc', 'compliance', 'report', ...args]);
    return { out, err };
  }

  it('HTML: every requirement with its finding, the figures equal to the store, gaps listed and never claimed', async () => {
    const c = storeCounts();
    const { out, err } = await cli('--standard', 'gb22239-2019', '--level', '3');
    expect(err).toBe('compliance report: 6 evidenced, 5 partly evidenced, 3 gaps\n');
    expect(out).toContain(`审计记录 ${c.records} 条，涉及 ${c.actors} 个主体`);
    expect(out).toContain(`${c.records} audit records by ${c.actors} actors in the period`);
    expect(out).toContain(`auth ${c.auth}, events`);
    expect(out).toContain(`policy ${c.policy}`);
    expect(out).toContain(`With source address ${c.withIp}`);
    expect(out).toContain(`verification: intact, ${c.records} records, ${c.checkpoints} signed checkpoints (trusted key ${key.fingerprint})`);
    for (const clause of [
      '8.1.4.3 a)',
      '8.1.4.3 b)',
      '8.1.4.3 c)',
      '8.1.4.3 d)',
      '8.1.4.1 a)',
      '8.1.4.1 b)',
      '8.1.4.1 d)',
      '8.1.4.2 b)',
      '8.1.4.4 c)',
      '8.1.4.4 e)',
      '8.1.4.4 f)',
      '8.1.4.5',
      '8.1.5.4 e)',
    ])
      expect(out).toContain(`<section id="${clause}">`);
    expect(out).toMatch(/8\.1\.4\.1 d\) 身份鉴别 Identity authentication — 差距 \/ gap/);
    expect(out).toContain('The trail holds only 0 days of records, so six months of retention cannot be shown yet');
    expect(out).toContain('No external anchors configured');
    expect(out).not.toContain('<script');
  });

  it('a period counts only its records', async () => {
    const all = await cli('--format', 'json');
    const future = await cli('--format', 'json', '--from', new Date(Date.now() + 3_600_000).toISOString());
    expect(JSON.parse(all.out).evidence.statistics.records).toBe(storeCounts().records);
    expect(JSON.parse(future.out).evidence.statistics.records).toBe(0);
    expect(JSON.parse(future.out).items.find((i: { id: string }) => i.id === '8.1.4.3 a)').status).toBe('gap');
  });

  it('PDF: the text taken back out of it has the title, the summary and every section in Chinese and English', async () => {
    const file = path.join(dir, 'report.pdf');
    await cli('--format', 'pdf', '--out', file);
    // pdf.js loads its worker with a dynamic import, which jest's module sandbox cannot run: a plain node process reads the text.
    const script = `const { PDFParse } = require('pdf-parse'); const p = new PDFParse({ data: new Uint8Array(require('fs').readFileSync(process.argv[1])) }); p.getText().then((r) => { process.stdout.write(r.text); return p.destroy(); });`;
    const text = execFileSync(process.execPath, ['-e', script, file], { encoding: 'utf8', timeout: 60_000 }).replace(/\s+/g, ' ');
    expect(text).toContain('网络安全等级保护 2.0（GB/T 22239-2019）第三级 证据报告');
    expect(text).toContain('已证明 evidenced 6 · 部分证明 partly evidenced 5 · 差距 gaps 3');
    for (const heading of [
      '8.1.4.3 a) 安全审计 Security audit',
      '8.1.4.1 b) 身份鉴别 Identity authentication',
      '8.1.5.4 e) 集中管控 Centralized management and control',
      '8.1.4.5 恶意代码防范 Malicious code prevention',
    ])
      expect(text).toContain(heading);
    expect(text).toContain(`审计记录 ${storeCounts().records} 条`);
  }, 60_000);

  it('a trail that cannot be verified (nothing pinned) is a gap, not a claim', async () => {
    const log = open();
    const r = await complianceActions({ sources: () => sourcesFrom(loadConfig({ env: {}, overrides: { dataDir: dir } }), log) }).report.run(
      { actor: person('a', ['auditor']), now: new Date(), note: () => undefined } as never,
      { format: 'json' },
    );
    const c = JSON.parse(r.content).items.find((i: { id: string }) => i.id === '8.1.4.3 c)');
    expect(c.status).toBe('gap');
    expect(c.gaps[0].en).toMatch(/^The trail could not be verified: no trusted audit key/);
    await log.close();
  });

  it('the console action needs compliance:read and is audited once through the door', async () => {
    const auditDir = mkdtempSync(path.join(tmpdir(), 'citysoc-compliance-door-'));
    const doorAudit = new SqliteAuditLog(path.join(auditDir, 'audit.db'));
    const trail = open();
    const door = new Door({ authorizer: nobodyDecides, audit: doorAudit });
    const { report } = complianceActions({ sources: () => sourcesFrom(configFor(), trail) });
    const ok = await door.perform(person('shen', ['auditor']), report, { format: 'html' });
    expect(ok.summary).toEqual({ met: 6, partial: 5, gap: 3 });
    await expect(door.perform(person('li', ['analyst']), report, { format: 'html' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(door.perform(person('shen', ['auditor']), report, { level: 2 } as never)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    const records = await doorAudit.query({ action: 'compliance.report' });
    expect(records.map((r) => [r.actor, r.decision])).toEqual([
      ['shen', 'failure'],
      ['li', 'deny'],
      ['shen', 'allow'],
    ]);
    expect(records[2]!.details).toMatchObject({ met: 6, partial: 5, gaps: 3, format: 'html' });
    await trail.close();
    await doorAudit.close();
  });
});

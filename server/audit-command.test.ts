import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteAuditLog } from '../adapters/sqlite/audit-log';
import type { AuditSuite } from '../core/audit-crypto';
import { loadConfig } from '../core/config';
import { AnchorPublisher, openSinks } from '../policy/audit/anchors';
import { loadOrCreateSigningKey } from '../policy/audit/signing-key';
import { runCli } from './test-support/run-cli';

const run = runCli;

const listen = (s: Server | TcpServer) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)));

/** A local RFC 3161 authority: OpenSSL's `ts -reply` behind a tiny HTTP wrapper, with its own CA. */
function startTsa(dir: string): { server: Server; ca: string; cert: string } {
  const o = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  o(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=CitySOC test TSA CA',
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  );
  o('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', '/CN=CitySOC test TSA');
  writeFileSync(path.join(dir, 'ext.cnf'), 'extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n');
  o('x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tsa.crt', '-days', '2', '-extfile', 'ext.cnf');
  writeFileSync(
    path.join(dir, 'tsa.cnf'),
    [
      '[ tsa ]',
      'default_tsa = test_tsa',
      '[ test_tsa ]',
      `serial = ${path.join(dir, 'tsaserial')}`,
      `signer_cert = ${path.join(dir, 'tsa.crt')}`,
      `signer_key = ${path.join(dir, 'tsa.key')}`,
      'signer_digest = sha256',
      'default_policy = 1.2.3.4.1',
      'digests = sha256',
      'accuracy = secs:1',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'tsaserial'), '01\n');
  let n = 0;
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const q = path.join(dir, `q${++n}.tsq`);
      writeFileSync(q, Buffer.concat(chunks));
      try {
        const out = path.join(dir, `r${n}.tsr`);
        o('ts', '-reply', '-config', path.join(dir, 'tsa.cnf'), '-queryfile', q, '-out', out);
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(readFileSync(out));
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    });
  });
  return { server, ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'tsa.crt') };
}

describe.each(['international', 'sm'] as const)('citysoc audit with %s cryptography', (suite: AuditSuite) => {
  let dir: string;
  let configFile: string;
  let fingerprint: string;
  const servers: (Server | TcpServer)[] = [];
  const httpHeld: string[] = [];
  let syslogFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), `citysoc-audit-cli-${suite}-`));
    const tsa = startTsa(mkdtempSync(path.join(tmpdir(), 'citysoc-tsa-')));
    servers.push(tsa.server);
    const tsaPort = await listen(tsa.server);
    const receiver = createHttpServer((req, res) => {
      if (req.method === 'GET') return void res.end(httpHeld.join('\n'));
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        httpHeld.push(body);
        res.writeHead(204).end();
      });
    });
    servers.push(receiver);
    const httpPort = await listen(receiver);
    syslogFile = path.join(dir, 'syslog-receiver.log');
    const syslog = createTcpServer((s) => s.on('data', (d) => appendFileSync(syslogFile, d.toString().replace(/^\d+ /, '') + '\n')));
    servers.push(syslog);
    const syslogPort = await listen(syslog);
    configFile = path.join(dir, 'citysoc.json');
    const key = loadOrCreateSigningKey(dir, suite);
    fingerprint = key.fingerprint;
    const config = {
      dataDir: dir,
      audit: {
        crypto: suite,
        trustedKeyFingerprint: fingerprint,
        checkpoint: { everyRecords: 5 },
        anchors: [
          { type: 'file', path: path.join(dir, 'worm', 'anchors.log') },
          { type: 'http', url: `http://127.0.0.1:${httpPort}/anchors`, readUrl: `http://127.0.0.1:${httpPort}/anchors` },
          { type: 'syslog', host: '127.0.0.1', port: syslogPort, protocol: 'tcp' },
          { type: 'tsa', url: `http://127.0.0.1:${tsaPort}/tsa`, caFile: tsa.ca, certFile: tsa.cert },
        ],
      },
    };
    writeFileSync(configFile, JSON.stringify(config));
    const log = new SqliteAuditLog(path.join(dir, 'audit.db'), { suite, signer: key, cadence: { everyRecords: 5, everyMs: 600_000 } });
    for (let i = 1; i <= 23; i++)
      await log.append({
        actor: i % 3 ? 'alice' : 'bob',
        actorType: 'user',
        action: 'events.search',
        resource: i % 2 ? 'events' : '=cmd|calc',
        decision: 'allow',
        reason: `p${i}`,
        ...(i === 7 ? { details: { note: 'a, "quoted"\nline' } } : {}),
      });
    const published = await new AnchorPublisher(log, openSinks(loadConfig({ file: configFile })), path.join(dir, 'audit-anchors.json')).publishPending();
    expect(published).toBe(4 * 4);
    await log.close();
  }, 60_000);

  afterAll(() => servers.forEach((s) => s.close()));

  it('verify checks the trail against the pinned key and every anchor: file, HTTP, syslog (its copy) and the time-stamping authority', async () => {
    const r = await run('--config', configFile, 'audit', 'verify', '--anchors', '--anchor-file', syslogFile);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`algorithms: ${suite}; trusted key(s): ${fingerprint}`);
    // Four checkpoints (5, 10, 15, 20) from each of four anchors; the close checkpoint at 23 was signed after publishing.
    expect(r.out).toContain('external anchors: 16 checked, 16 match, 0 before retention, 0 not signed by a trusted key (ignored)');
    expect(r.out).toContain('signed checkpoints verified: 5');
    expect(r.out).toMatch(/audit trail intact: 23 records verified\n$/);
  });

  it('verify without a trusted key is refused with the fingerprint to compare', async () => {
    writeFileSync(path.join(dir, 'nokey.json'), JSON.stringify({ dataDir: dir, audit: { crypto: suite } }));
    const r = await run('--config', path.join(dir, 'nokey.json'), 'audit', 'verify');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`no trusted audit key: no key is pinned; keys found beside the trail: ${fingerprint}`);
  });

  it('exports verify offline in JSON and CSV against the fingerprint, and fail once edited', async () => {
    for (const format of ['json', 'csv']) {
      const e = await run('--config', configFile, 'audit', 'export', '--format', format);
      expect(e.err).toBe(`exported 23 records and 5 signed checkpoints (${suite})\n`);
      expect(e.code).toBe(0);
      const file = path.join(dir, `export.${format}`);
      writeFileSync(file, e.out);
      const ok = await run('audit', 'verify-export', '--trusted-key', fingerprint, file);
      expect(ok).toEqual({ code: 0, out: `export intact: 23 records, 5 signed checkpoints verified (${suite}; manifest verified)\n`, err: '' });
      writeFileSync(file, format === 'json' ? e.out.replace('"reason": "p9"', '"reason": "p0"') : e.out.replace(',p9,', ',p0,'));
      const bad = await run('audit', 'verify-export', '--trusted-key', fingerprint, file);
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(/^export TAMPERED: record 9 is modified/);
    }
    const noKey = await run('audit', 'verify-export', path.join(dir, 'export.json'));
    expect(noKey.code).toBe(2);
  });

  it('a CSV export keeps formula cells inert and its record column exact; the last rows cut off are found by the manifest', async () => {
    const e = await run('--config', configFile, 'audit', 'export', '--format', 'csv');
    expect(e.out).toContain(`"'=cmd|calc"`);
    const lines = e.out.split('\r\n');
    const cut = [...lines.slice(0, 21), ...lines.slice(-2)].join('\r\n');
    writeFileSync(path.join(dir, 'cut.csv'), cut);
    const r = await run('audit', 'verify-export', '--trusted-key', fingerprint, path.join(dir, 'cut.csv'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^export TAMPERED: record 21 is truncated/);
  });

  it('a filtered export carries an inclusion proof per record, verified offline', async () => {
    const e = await run('--config', configFile, 'audit', 'export', '--actor', 'bob');
    const parsed = JSON.parse(e.out) as { records: { seq: number }[]; proofs: unknown[]; algorithms: { hash: string } };
    expect(parsed.records.map((r) => r.seq)).toEqual([3, 6, 9, 12, 15, 18, 21]);
    expect(parsed.proofs).toHaveLength(7);
    expect(parsed.algorithms.hash).toBe(suite === 'sm' ? 'SM3 (GM/T 0004-2012)' : 'SHA-256');
    writeFileSync(path.join(dir, 'bob.json'), e.out);
    expect(await run('audit', 'verify-export', '--trusted-key', fingerprint, path.join(dir, 'bob.json'))).toMatchObject({
      code: 0,
      out: `export intact: 7 records, 5 signed checkpoints verified (${suite}; 7 inclusion proofs, manifest verified)\n`,
    });
    writeFileSync(path.join(dir, 'bob.json'), e.out.replace('"reason": "p3"', '"reason": "p0"'));
    expect((await run('audit', 'verify-export', '--trusted-key', fingerprint, path.join(dir, 'bob.json'))).code).toBe(1);
  });

  it('a truncated tail passes the chain but not the anchors', async () => {
    const db = new Database(path.join(dir, 'audit.db'));
    db.prepare('DELETE FROM audit WHERE seq > 12').run();
    db.prepare('DELETE FROM audit_checkpoint WHERE seq > 12').run();
    db.close();
    const plain = await run('--config', configFile, 'audit', 'verify');
    expect(plain.code).toBe(0);
    const anchored = await run('--config', configFile, 'audit', 'verify', '--anchors', '--anchor-file', syslogFile);
    expect(anchored.code).toBe(1);
    expect(anchored.err).toContain('audit trail TAMPERED: record 13 (to 15) is truncated');
  });
});

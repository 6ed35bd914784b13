import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SearchAuditLog } from '../adapters/search/audit-log';
import { elasticsearchApi, openSearchApi } from '../adapters/search/engine-api';
import { generateSigningKeyPem, signerFromPem } from '../core/audit-crypto';
import { main } from './cli';

jest.setTimeout(120_000);

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  process.exitCode = undefined;
  const code = await main(['node', 'citysoc', ...args], { out: (s) => void (out += s), err: (s) => void (err += s) });
  process.exitCode = undefined;
  return { code, out, err };
}

for (const [store, url, api] of [
  ['elasticsearch', 'http://127.0.0.1:9200', elasticsearchApi],
  ['opensearch', 'http://127.0.0.1:9210', openSearchApi],
] as const) {
  it(`audit verify and export read the whole shared trail from any replica (${store})`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-cluster-audit-'));
    const prefix = `auc-${process.pid}-${Date.now().toString(36)}`;
    const signer = signerFromPem(generateSigningKeyPem('sm'));
    for (const chain of ['node-a', 'node-b']) {
      const e = api({ node: [url] });
      const log = new SearchAuditLog(e, { prefix, chain, signer, cadence: { everyRecords: 3, everyMs: 600_000 } });
      for (let i = 0; i < 7; i++) await log.append({ actor: `${chain}-user`, actorType: 'user', action: 'events.search', decision: 'allow' });
      await log.close();
      await e.close();
    }
    writeFileSync(path.join(dir, 'signing.key'), signer.privateKeyPem, { mode: 0o600 });
    const config = path.join(dir, 'citysoc.json');
    writeFileSync(
      config,
      JSON.stringify({
        profile: 'cluster',
        dataDir: dir,
        cluster: { store, indexPrefix: prefix, [store]: { node: url } },
        audit: { crypto: 'sm', trustedKeyFingerprint: signer.publicKey.fingerprint, signingKeyFile: path.join(dir, 'signing.key') },
      }),
    );
    const v = await run('--config', config, 'audit', 'verify');
    expect(v.err).toBe('');
    expect(v.out).toContain('chains: node-a 7 records (from 1 to 7); node-b 7 records (from 1 to 7)');
    expect(v.out).toContain('signed checkpoints verified: 6');
    expect(v.code).toBe(0);
    const x = await run('--config', config, 'audit', 'export');
    writeFileSync(path.join(dir, 'export.json'), x.out);
    expect(await run('audit', 'verify-export', '--trusted-key', signer.publicKey.fingerprint, path.join(dir, 'export.json'))).toMatchObject({
      code: 0,
      out: 'export intact: 14 records, 6 signed checkpoints verified (sm; manifest verified)\n',
    });
  });
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { type IngestPlatform, startIngestPlatform } from './test-support/ingest-platform';

describe('syslog over TLS (RFC 5425)', () => {
  const certs = mkdtempSync(path.join(tmpdir(), 'citysoc-tls-'));
  const cert = path.join(certs, 'gw.pem');
  const key = path.join(certs, 'gw.key');
  let g: IngestPlatform;
  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    g = await startIngestPlatform({ 'ingest.syslog.tcpPort': 0, 'ingest.syslog.tls': { certFile: cert, keyFile: key } });
  });
  afterAll(async () => g.stop());

  it('accepts octet-counted messages from a client that trusts the gateway certificate', async () => {
    const msg = '<38>Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for root from 10.7.7.7 port 7 ssh2';
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: g.platform.syslog!.tcp!.port, ca: readFileSync(cert) }, () => s.end(`${Buffer.byteLength(msg)} ${msg}`));
      s.on('close', () => resolve());
      s.on('error', reject);
    });
    const end = Date.now() + 10_000;
    let found = await g.search('source.ip:10.7.7.7');
    while (found.total === 0 && Date.now() < end) found = await g.search('source.ip:10.7.7.7');
    expect(found.events[0]).toMatchObject({ user: { name: 'root' }, citysoc: { collector: 'syslog-tls', source: 'openssh' }, event: { original: msg } });
  });

  it('a plain-text client gets nothing stored', async () => {
    const { connect: plain } = await import('node:net');
    await new Promise<void>((resolve) => {
      const s = plain(g.platform.syslog!.tcp!.port, '127.0.0.1', () =>
        s.end('<38>Dec 10 06:55:48 LabSZ sshd[1]: Failed password for x from 10.7.7.8 port 7 ssh2\n'),
      );
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 200));
    expect((await g.search('source.ip:10.7.7.8')).total).toBe(0);
  });
});

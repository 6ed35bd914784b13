import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { timeStampRequest } from './anchors';

describe('RFC 3161 time-stamp requests', () => {
  const imprint = Buffer.alloc(32, 7);

  it('encode the nonce as a minimal positive DER INTEGER every time (a leading zero byte is refused by OpenSSL)', () => {
    for (let k = 0; k < 20_000; k++) {
      const q = timeStampRequest(imprint);
      // SEQUENCE header (2), version (3), messageImprint (2 + 15 + 2 + 32), nonce tag and length (2).
      expect(q.subarray(56, 58)).toEqual(Buffer.from([0x02, 0x08]));
      const first = q[58]!;
      expect(first >= 0x01 && first <= 0x7f).toBe(true);
      expect(q.length).toBe(69);
    }
  });

  it('parse with OpenSSL, which prints the imprint and the nonce back', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-tsq-'));
    try {
      for (let k = 0; k < 20; k++) {
        const file = path.join(dir, `q${k}.tsq`);
        writeFileSync(file, timeStampRequest(imprint));
        const text = execFileSync('openssl', ['ts', '-query', '-in', file, '-text'], { encoding: 'utf8' });
        expect(text).toContain('Hash Algorithm: sha256');
        expect(text).toContain('07 07 07 07');
        expect(text).toMatch(/Nonce: 0x[0-9A-F]{16}\b/);
        expect(text).toContain('Certificate required: yes');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

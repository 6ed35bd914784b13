import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sm2 } from 'sm-crypto-v2';
import { merklePath, merkleRoot, merkleVerify } from './audit-chain';
import { chainHash, digest, fingerprintMatches, generateSigningKeyPem, publicKeyFromPem, signerFromPem, SM2_USER_ID } from './audit-crypto';

const dir = mkdtempSync(path.join(tmpdir(), 'citysoc-crypto-'));

describe('SM3 (GM/T 0004-2012 examples) from Node’s OpenSSL', () => {
  it('example 1: "abc"', () => {
    expect(digest('sm', 'abc').toString('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
  it('example 2: "abcd" sixteen times', () => {
    expect(digest('sm', 'abcd'.repeat(16)).toString('hex')).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });
  it('the chain hash of the sm suite is SM3 over prevHash and the record', () => {
    expect(chainHash('sm', 'ab', 'c')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
});

describe('SM2 with the recommended curve (GM/T 0003.5-2012 signature example)', () => {
  const d = '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8';
  const pub = '0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13';
  const r = 'f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3';
  const s = 'b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa';

  it('derives the public key, Z_A and the signature (r, s) of "message digest" with the standard’s k', () => {
    expect(sm2.getPublicKeyFromPrivateKey(d)).toBe(pub);
    expect(Buffer.from(sm2.getZ(pub, SM2_USER_ID)).toString('hex')).toBe('b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3');
    const k = BigInt('0x59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21');
    const x1 = BigInt('0x04ebfc718e8d1798620432268e77feb6415e2ede0e073c0f4f640ecd2e149a73');
    expect(sm2.doSignature('message digest', d, { pointPool: [{ k, x1 }], hash: true, publicKey: pub, userId: SM2_USER_ID })).toBe(r + s);
  });

  it('verifies the standard’s signature and refuses it for another message', () => {
    expect(sm2.doVerifySignature('message digest', r + s, pub, { hash: true, userId: SM2_USER_ID })).toBe(true);
    expect(sm2.doVerifySignature('message digesT', r + s, pub, { hash: true, userId: SM2_USER_ID })).toBe(false);
  });
});

describe('trail keys', () => {
  it.each(['international', 'sm'] as const)('%s: sign and verify; a changed byte or another key fails; the fingerprint names the key', (suite) => {
    const signer = signerFromPem(generateSigningKeyPem(suite));
    expect(signer.suite).toBe(suite);
    const sig = signer.sign(Buffer.from('checkpoint'));
    const pub = publicKeyFromPem(signer.publicKey.pem);
    expect(pub.fingerprint).toBe(signer.publicKey.fingerprint);
    expect(pub.fingerprint).toMatch(suite === 'sm' ? /^sm3:[0-9a-f]{64}$/ : /^sha256:[0-9a-f]{64}$/);
    expect(pub.verify(Buffer.from('checkpoint'), sig)).toBe(true);
    expect(pub.verify(Buffer.from('checkpoinT'), sig)).toBe(false);
    expect(signerFromPem(generateSigningKeyPem(suite)).publicKey.verify(Buffer.from('checkpoint'), sig)).toBe(false);
    expect(fingerprintMatches(pub, pub.fingerprintWith('sha256').toUpperCase().replace('SHA256', 'sha256'))).toBe(true);
    expect(fingerprintMatches(pub, `sha256:${'0'.repeat(64)}`)).toBe(false);
  });

  it('SM2 keys and signatures are the standard encodings OpenSSL checks (distinguishing ID 1234567812345678)', () => {
    const signer = signerFromPem(generateSigningKeyPem('sm'));
    writeFileSync(path.join(dir, 'sm2.pub'), signer.publicKey.pem);
    writeFileSync(path.join(dir, 'sm2.key'), signer.privateKeyPem);
    writeFileSync(path.join(dir, 'msg'), 'checkpoint body');
    writeFileSync(path.join(dir, 'ours.sig'), Buffer.from(signer.sign(Buffer.from('checkpoint body')), 'base64'));
    const verify = (sig: string) =>
      execFileSync(
        'openssl',
        [
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          path.join(dir, 'sm2.pub'),
          '-rawin',
          '-digest',
          'sm3',
          '-in',
          path.join(dir, 'msg'),
          '-sigfile',
          sig,
          '-pkeyopt',
          `distid:${SM2_USER_ID}`,
        ],
        {
          encoding: 'utf8',
        },
      );
    expect(verify(path.join(dir, 'ours.sig'))).toMatch(/Signature Verified Successfully/);
    execFileSync('openssl', [
      'pkeyutl',
      '-sign',
      '-inkey',
      path.join(dir, 'sm2.key'),
      '-rawin',
      '-digest',
      'sm3',
      '-in',
      path.join(dir, 'msg'),
      '-out',
      path.join(dir, 'theirs.sig'),
      '-pkeyopt',
      `distid:${SM2_USER_ID}`,
    ]);
    expect(signer.publicKey.verify(Buffer.from('checkpoint body'), readFileSync(path.join(dir, 'theirs.sig')).toString('base64'))).toBe(true);
  });
});

describe('Merkle inclusion proofs (RFC 9162 tree hashing)', () => {
  it.each([
    ['international', 'sha256'],
    ['sm', 'sm3'],
  ] as const)(
    '%s: the root of three leaves is H(1 ‖ H(1 ‖ H(0 ‖ l0) ‖ H(0 ‖ l1)) ‖ H(0 ‖ l2)), and digest() of several parts hashes them joined',
    (suite, alg) => {
      const h = (...parts: Buffer[]) => {
        const x = createHash(alg);
        for (const p of parts) x.update(p);
        return x.digest();
      };
      const leaves = ['a', 'b', 'c'].map((s) => h(Buffer.from(s)).toString('hex'));
      const leaf = (hex: string) => h(Buffer.from([0]), Buffer.from(hex, 'hex'));
      const expected = h(Buffer.from([1]), h(Buffer.from([1]), leaf(leaves[0]!), leaf(leaves[1]!)), leaf(leaves[2]!));
      expect(merkleRoot(suite, leaves)).toBe(expected.toString('hex'));
      expect(merkleRoot(suite, [])).toBe(h().toString('hex'));
      expect(digest(suite, 'ab', Buffer.from('c'), new Uint8Array([0x64])).toString('hex')).toBe(h(Buffer.from('abcd')).toString('hex'));
    },
  );

  it.each(['international', 'sm'] as const)('%s: every leaf of trees of 1..20 leaves proves to the root, and to no other position', (suite) => {
    for (let n = 1; n <= 20; n++) {
      const leaves = Array.from({ length: n }, (_, i) => digest(suite, `r${i}`).toString('hex'));
      const root = merkleRoot(suite, leaves);
      for (let i = 0; i < n; i++) {
        const p = merklePath(suite, leaves, i);
        expect(merkleVerify(suite, leaves[i]!, i, n, p, root)).toBe(true);
        if (n > 1) expect(merkleVerify(suite, leaves[i]!, (i + 1) % n, n, p, root)).toBe(false);
      }
    }
  });
});

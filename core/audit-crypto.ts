/**
 * The audit trail's cryptography, in two suites chosen by `audit.crypto`:
 *   international: SHA-256 chain and Merkle hashes, Ed25519 signatures (Node's OpenSSL);
 *   sm:            SM3 chain and Merkle hashes (Node's OpenSSL provides SM3), SM2 signatures
 *                  (GM/T 0003.2 with SM3 and the GM/T 0009 default ID 1234567812345678).
 * SM2 signatures come from sm-crypto-v2 (on the audited @noble/curves arithmetic): Node 20's
 * OpenSSL 3 does generate keys on the SM2 curve, but its sign/verify cannot be given the signer's
 * ID, and a key read back from PEM becomes a key type Node does not know; signatures made that
 * way are not the ones OpenSSL's own `pkeyutl -pkeyopt distid:...` makes. Keys are kept in the
 * standard encodings (PKCS#8 and SPKI PEM, curve OID 1.2.156.10197.1.301) so OpenSSL or GmSSL can
 * check them offline.
 */
import { createHash, createPrivateKey, hash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import { CitySocError } from './errors';

export const AUDIT_SUITES = ['international', 'sm'] as const;
export type AuditSuite = (typeof AUDIT_SUITES)[number];

/** What an export states about its algorithms. */
export const SUITE_ALGORITHMS: Readonly<Record<AuditSuite, { readonly hash: string; readonly signature: string }>> = {
  international: { hash: 'SHA-256', signature: 'Ed25519' },
  sm: { hash: 'SM3 (GM/T 0004-2012)', signature: 'SM2 with SM3, ID 1234567812345678 (GM/T 0003.2-2012, GM/T 0009-2012)' },
};

/** The signer's distinguishing identifier: GM/T 0009-2012's default. */
export const SM2_USER_ID = '1234567812345678';

const DIGEST: Record<AuditSuite, string> = { international: 'sha256', sm: 'sm3' };

export function digestName(suite: AuditSuite): string {
  return DIGEST[suite];
}

// One-shot, as chainHash: the writer thread hashes two Merkle nodes per record at each checkpoint,
// and a Hash object per node cost more than the hashing of its 33 or 65 bytes.
export function digest(suite: AuditSuite, ...parts: (string | Uint8Array)[]): Buffer {
  const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
  return hash(DIGEST[suite], data, 'buffer');
}

/** A record's chain hash: H(prevHash ‖ canonical JSON of the record without its hash), hex. */
// The one-shot hash skips the Hash object's allocation and stream state: the audit writer calls
// this once per record, and the object cost was about half the hashing time per record.
export function chainHash(suite: AuditSuite, prevHash: string, json: string): string {
  return hash(DIGEST[suite], prevHash + json, 'hex');
}

// DER prefixes of an SM2 key (id-ecPublicKey with the SM2 curve): the key bytes follow them.
const SM2_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');
const SM2_PKCS8_PREFIX = Buffer.from('308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420', 'hex');
const SM2_PKCS8_MIDDLE = Buffer.from('a144034200', 'hex');

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

function unpem(text: string, label: string): Buffer | null {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  return m ? Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') : null;
}

function startsWith(b: Buffer, prefix: Buffer): boolean {
  return b.length >= prefix.length && b.subarray(0, prefix.length).equals(prefix);
}

/** A public key the verifier may use, and its fingerprint. */
export interface TrailPublicKey {
  readonly suite: AuditSuite;
  readonly pem: string;
  /** `sha256:<hex>` (international) or `sm3:<hex>` (sm) of the SPKI DER. */
  readonly fingerprint: string;
  verify(data: Uint8Array, signatureB64: string): boolean;
  /** The fingerprint in the named digest (a pinned fingerprint says which digest it uses). */
  fingerprintWith(digestName: 'sha256' | 'sm3'): string;
}

export interface TrailSigner {
  readonly suite: AuditSuite;
  readonly publicKey: TrailPublicKey;
  readonly privateKeyPem: string;
  /** base64 signature (Ed25519 raw, SM2 DER). */
  sign(data: Uint8Array): string;
}

function fingerprintOf(spki: Buffer, alg: 'sha256' | 'sm3'): string {
  return `${alg}:${createHash(alg).update(spki).digest('hex')}`;
}

function sm2PublicHex(spki: Buffer): string {
  return spki.subarray(SM2_SPKI_PREFIX.length).toString('hex');
}

export function publicKeyFromPem(text: string): TrailPublicKey {
  const spki = unpem(text, 'PUBLIC KEY');
  if (!spki) throw new CitySocError('INPUT_INVALID', 'audit public key: not a PEM "PUBLIC KEY" block');
  if (startsWith(spki, SM2_SPKI_PREFIX) && spki.length === SM2_SPKI_PREFIX.length + 65) {
    const pubHex = sm2PublicHex(spki);
    if (!sm2.verifyPublicKey(pubHex)) throw new CitySocError('INPUT_INVALID', 'audit public key: the SM2 point is not on the curve');
    let point: ReturnType<typeof sm2.precomputePublicKey> | null = null;
    return {
      suite: 'sm',
      pem: pem('PUBLIC KEY', spki),
      fingerprint: fingerprintOf(spki, 'sm3'),
      fingerprintWith: (alg) => fingerprintOf(spki, alg),
      verify(data, signatureB64) {
        try {
          point ??= sm2.precomputePublicKey(pubHex);
          return sm2.doVerifySignature(data, Buffer.from(signatureB64, 'base64').toString('hex'), point, { der: true, hash: true, userId: SM2_USER_ID });
        } catch {
          return false;
        }
      },
    };
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch (e) {
    throw new CitySocError('INPUT_INVALID', `audit public key: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new CitySocError('INPUT_INVALID', `audit public key: expected Ed25519 or SM2, got ${key.asymmetricKeyType ?? 'an unknown key type'}`);
  return {
    suite: 'international',
    pem: pem('PUBLIC KEY', spki),
    fingerprint: fingerprintOf(spki, 'sha256'),
    fingerprintWith: (alg) => fingerprintOf(spki, alg),
    verify(data, signatureB64) {
      try {
        return verify(null, data, key, Buffer.from(signatureB64, 'base64'));
      } catch {
        return false;
      }
    },
  };
}

export function signerFromPem(text: string): TrailSigner {
  const der = unpem(text, 'PRIVATE KEY');
  if (!der) throw new CitySocError('INPUT_INVALID', 'audit signing key: not a PEM "PRIVATE KEY" (PKCS#8) block');
  if (startsWith(der, SM2_PKCS8_PREFIX)) {
    const d = der.subarray(SM2_PKCS8_PREFIX.length, SM2_PKCS8_PREFIX.length + 32).toString('hex');
    const pubHex = sm2.getPublicKeyFromPrivateKey(d);
    const publicKey = publicKeyFromPem(pem('PUBLIC KEY', Buffer.concat([SM2_SPKI_PREFIX, Buffer.from(pubHex, 'hex')])));
    return {
      suite: 'sm',
      publicKey,
      privateKeyPem: pem('PRIVATE KEY', der),
      sign: (data) => Buffer.from(sm2.doSignature(data, d, { der: true, hash: true, publicKey: pubHex, userId: SM2_USER_ID }), 'hex').toString('base64'),
    };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw new CitySocError('INPUT_INVALID', `audit signing key: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new CitySocError('INPUT_INVALID', 'audit signing key: expected Ed25519 or SM2');
  const publicKey = publicKeyFromPem(createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString());
  return { suite: 'international', publicKey, privateKeyPem: pem('PRIVATE KEY', der), sign: (data) => sign(null, data, key).toString('base64') };
}

/** A new key pair of the suite, as PKCS#8 PEM. */
export function generateSigningKeyPem(suite: AuditSuite): string {
  if (suite === 'international') return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  const d = Buffer.from(privateKey.padStart(64, '0'), 'hex');
  return pem('PRIVATE KEY', Buffer.concat([SM2_PKCS8_PREFIX, d, SM2_PKCS8_MIDDLE, Buffer.from(publicKey, 'hex')]));
}

/** Whether a pinned fingerprint (`sha256:<hex>` or `sm3:<hex>`, any case) names this key. */
export function fingerprintMatches(key: TrailPublicKey, pinned: string): boolean {
  const m = /^(sha256|sm3):([0-9a-f]{64})$/i.exec(pinned.trim());
  if (!m) return false;
  return key.fingerprintWith(m[1]!.toLowerCase() as 'sha256' | 'sm3') === `${m[1]!.toLowerCase()}:${m[2]!.toLowerCase()}`;
}

export function isFingerprint(s: string): boolean {
  return /^(sha256|sm3):[0-9a-f]{64}$/i.test(s.trim());
}

/**
 * The audit trail's signing key: generated at first start into the data directory (or read from
 * `audit.signingKeyFile`, e.g. one key shared by the replicas of a cluster), the private key
 * readable only by the owner (0600). Its fingerprint is what an auditor pins: a verifier trusts the
 * public key stored beside the trail only when the pinned fingerprint names it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type AuditSuite, generateSigningKeyPem, signerFromPem, type TrailSigner } from '../../core/audit-crypto';
import { CitySocError } from '../../core/errors';

export interface SigningKey extends TrailSigner {
  /** SPKI PEM: what exports carry (trusted only through a pinned fingerprint). */
  readonly publicKeyPem: string;
  readonly fingerprint: string;
}

export const PRIVATE_KEY_FILE = 'audit-signing.key';
export const PUBLIC_KEY_FILE = 'audit-signing.pub';

function withPem(s: TrailSigner): SigningKey {
  return { ...s, sign: s.sign, publicKeyPem: s.publicKey.pem, fingerprint: s.publicKey.fingerprint };
}

/** The key in `dir` (created with the suite's algorithm when absent); a key of another suite is refused. */
export function loadOrCreateSigningKey(dir: string, suite: AuditSuite = 'international'): SigningKey {
  const priv = path.join(dir, PRIVATE_KEY_FILE);
  if (!existsSync(priv)) {
    const pem = generateSigningKeyPem(suite);
    // wx: never overwrite a key another process created in the meantime.
    try {
      writeFileSync(priv, pem, { mode: 0o600, flag: 'wx' });
      writeFileSync(path.join(dir, PUBLIC_KEY_FILE), signerFromPem(pem).publicKey.pem, { mode: 0o644 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  chmodSync(priv, 0o600);
  return loadSigningKey(priv, suite);
}

export function loadSigningKey(file: string, suite: AuditSuite): SigningKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CitySocError('CONFIG_INVALID', `audit signing key ${file} cannot be read: ${(e as Error).message}`);
  }
  const signer = signerFromPem(text);
  if (signer.suite !== suite) throw new CitySocError('CONFIG_INVALID', `audit signing key ${file} is a ${signer.suite} key but audit.crypto is ${suite}`);
  return withPem(signer);
}

/** The key the trail signs with under this configuration: audit.signingKeyFile, or the data directory's own (created on first use). */
export function auditSigningKey(config: { dataDir: string; audit: { crypto: AuditSuite; signingKeyFile?: string | undefined } }): SigningKey {
  if (config.audit.signingKeyFile) return loadSigningKey(config.audit.signingKeyFile, config.audit.crypto);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return loadOrCreateSigningKey(config.dataDir, config.audit.crypto);
}

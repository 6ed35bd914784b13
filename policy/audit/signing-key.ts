/**
 * The audit trail's Ed25519 key pair: generated at first start into the data directory, the
 * private key readable only by the owner (0600). The public key is exported with every
 * checkpoint set so anyone can verify a trail offline.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SPKI PEM: what exports carry. */
  readonly publicKeyPem: string;
}

export const PRIVATE_KEY_FILE = 'audit-signing.key';
export const PUBLIC_KEY_FILE = 'audit-signing.pub';

export function loadOrCreateSigningKey(dir: string): SigningKey {
  const priv = path.join(dir, PRIVATE_KEY_FILE);
  if (!existsSync(priv)) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    // wx: never overwrite a key another process created in the meantime.
    writeFileSync(priv, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    writeFileSync(path.join(dir, PUBLIC_KEY_FILE), publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  }
  chmodSync(priv, 0o600);
  const privateKey = createPrivateKey(readFileSync(priv));
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

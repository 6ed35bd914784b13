/**
 * Which keys a verifier trusts: keys given to it directly (a PEM file on the command line) and keys
 * whose fingerprint is pinned (configuration `audit.trustedKeyFingerprint`, or --trusted-key with a
 * fingerprint). Keys found inside the data being verified are used only when a pinned fingerprint
 * names them: whoever can rewrite the trail can also replace a key stored beside it.
 */
import { fingerprintMatches, isFingerprint, publicKeyFromPem, type TrailPublicKey } from '../../core/audit-crypto';
import { CitySocError } from '../../core/errors';

export interface TrustAnchor {
  /** Pinned fingerprints (`sha256:<hex>` or `sm3:<hex>`). */
  readonly fingerprints: readonly string[];
  /** Public keys (SPKI PEM) trusted as given. */
  readonly keys: readonly string[];
}

export interface TrustedKeys {
  /** By the fingerprint checkpoints name them with. */
  readonly byFingerprint: ReadonlyMap<string, TrailPublicKey>;
  /** What the verifier was told to trust, for the report. */
  readonly described: string;
}

/** Parses --trusted-key values: a fingerprint, or a file holding a PEM public key (read by the caller). */
export function trustFrom(values: readonly string[], readFile: (file: string) => string): TrustAnchor {
  const fingerprints: string[] = [];
  const keys: string[] = [];
  for (const v of values) {
    if (isFingerprint(v)) fingerprints.push(v.trim());
    else {
      let text: string;
      try {
        text = readFile(v);
      } catch (e) {
        throw new CitySocError(
          'INPUT_INVALID',
          `trusted key ${v}: neither a fingerprint (sha256:<64 hex> or sm3:<64 hex>) nor a readable file (${(e as Error).message})`,
        );
      }
      keys.push(text);
    }
  }
  return { fingerprints, keys };
}

/**
 * The keys to verify with: the given ones, and those among the candidates (found in the data) that a
 * pinned fingerprint names. Throws when nothing is trusted, naming the candidates' fingerprints so
 * an operator can compare them with the one recorded at installation.
 */
export function resolveTrust(anchor: TrustAnchor, candidates: readonly string[]): TrustedKeys {
  const trusted = new Map<string, TrailPublicKey>();
  for (const pem of anchor.keys) {
    const k = publicKeyFromPem(pem);
    trusted.set(k.fingerprint, k);
  }
  const seen: TrailPublicKey[] = [];
  for (const pem of candidates) {
    let k: TrailPublicKey;
    try {
      k = publicKeyFromPem(pem);
    } catch {
      continue;
    }
    seen.push(k);
    if (anchor.fingerprints.some((f) => fingerprintMatches(k, f))) trusted.set(k.fingerprint, k);
  }
  // A pin that names no stored key still stands: then no checkpoint verifies, and verification says which.
  if (trusted.size === 0 && anchor.fingerprints.length === 0) {
    const found = seen.length ? `keys found beside the trail: ${seen.map((k) => k.fingerprint).join(', ')}` : 'no key is stored beside the trail';
    const asked = anchor.fingerprints.length ? `pinned ${anchor.fingerprints.join(', ')} matches none of them` : 'no key is pinned';
    throw new CitySocError(
      'CONFIG_INVALID',
      `no trusted audit key: ${asked}; ${found}. Pin the fingerprint recorded when the trail was set up (audit.trustedKeyFingerprint, or --trusted-key <fingerprint|public-key.pem>)`,
    );
  }
  const described = [...trusted.keys()].join(', ') || `none found for ${anchor.fingerprints.join(', ')} (the pinned key is not stored beside the trail)`;
  return { byFingerprint: trusted, described };
}

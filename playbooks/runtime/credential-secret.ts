/**
 * The key Node-RED encrypts node credentials with, kept in the StateStore with the platform's
 * other shared secrets so that every replica decrypts the same flows. Created once, by whichever
 * replica comes first (create-if-new), and read back by all.
 */
import { randomBytes } from 'node:crypto';
import { CitySocError } from '../../core/errors';
import type { StateStore } from '../../core/ports/state-store';

export const SECRETS = 'secrets';
export const CREDENTIAL_SECRET_ID = 'playbooks.credential-secret';

export async function credentialSecret(state: StateStore, now: Date = new Date()): Promise<string> {
  await state.create(SECRETS, CREDENTIAL_SECRET_ID, { value: randomBytes(32).toString('base64'), createdAt: now.toISOString() });
  const doc = (await state.get(SECRETS, CREDENTIAL_SECRET_ID)) as { value?: unknown } | null;
  if (!doc || typeof doc.value !== 'string' || doc.value.length < 32)
    throw new CitySocError('STORE_FAILURE', `the playbooks credential secret in ${SECRETS}/${CREDENTIAL_SECRET_ID} is missing or too short`);
  return doc.value;
}

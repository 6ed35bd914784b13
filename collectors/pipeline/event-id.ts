/**
 * Event ids are a hash of where an input came from and what it said, so a collector that
 * retries a batch after a lost acknowledgement produces the same ids and the store keeps one
 * copy. `position` (file offset, bulk _id) tells apart identical lines that really happened twice.
 */
import { createHash } from 'node:crypto';

export function eventId(collector: string, source: string, original: string, position?: string): string {
  const h = createHash('sha256').update(collector).update('\0').update(source).update('\0');
  if (position !== undefined) h.update(position);
  return h.update('\0').update(original).digest('hex').slice(0, 32);
}

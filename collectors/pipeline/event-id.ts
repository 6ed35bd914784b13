/**
 * Event ids are a hash of where an input came from and what it said, so a collector that
 * retries a batch after a lost acknowledgement produces the same ids and the store keeps one
 * copy. `position` (file offset, bulk _id) tells apart identical lines that really happened twice.
 */
import { hash } from 'node:crypto';

export function eventId(collector: string, source: string, original: string, position?: string): string {
  // One-shot hash of the joined text: the same bytes as hashing the parts in turn (every part
  // meets a NUL, so no surrogate pair forms across a join), without a Hash object per event.
  return hash('sha256', `${collector}\0${source}\0${position ?? ''}\0${original}`, 'hex').slice(0, 32);
}

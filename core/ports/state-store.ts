/**
 * Small shared state that every replica must see alike: policy lines, account isolations,
 * emergency grants. Documents in named collections, read whole (they are few) and written one
 * at a time. Contract: a put or remove that resolved is durable and seen by every later all(),
 * from this process or any other sharing the store.
 */
export interface StateStore {
  all(collection: string): Promise<{ id: string; doc: Record<string, unknown> }[]>;
  /** One document, read from the store itself (not a cache); null when absent. */
  get(collection: string, id: string): Promise<Record<string, unknown> | null>;
  put(collection: string, id: string, doc: Record<string, unknown>): Promise<void>;
  /** Stores the document only if the id is new (across every replica); false when it exists. */
  create(collection: string, id: string, doc: Record<string, unknown>): Promise<boolean>;
  /** True if there was a document to remove. */
  remove(collection: string, id: string): Promise<boolean>;
  close(): Promise<void>;
}

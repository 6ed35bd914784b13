/**
 * Where the embedded UEBA keeps its state between restarts: one SQLite database (better-sqlite3)
 * holding the engine's entities and first contacts, the scorer's risks, profiles and peer groups,
 * the consumed bus offsets and an outbox of signals not yet published. A batch's state changes,
 * its offsets and its signals are written in one transaction, so a batch the bus delivers again
 * after a crash is recognised by its offset and not counted twice, and a signal decided before
 * the crash is published after it.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Signal } from '../../../core/signal';
import type { EntityStateDoc, PeerModelDoc, ProfileDoc, RarityDoc, RiskDoc } from './codec';

export interface Checkpoint {
  /** Highest offset consumed, per topic and partition. */
  readonly offsets: ReadonlyMap<string, bigint>;
  readonly entities: readonly EntityStateDoc[];
  readonly rarity: readonly (readonly [string, RarityDoc])[];
  readonly profiles: readonly (readonly [string, ProfileDoc])[];
  readonly risks: readonly RiskDoc[];
  readonly peers?: PeerModelDoc;
  readonly meta: Readonly<Record<string, string>>;
  readonly signals: readonly Signal[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ueba_offsets (part TEXT PRIMARY KEY, off TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ueba_entities (type TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (type, key));
CREATE TABLE IF NOT EXISTS ueba_rarity (user TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ueba_profiles (user TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ueba_risks (type TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (type, id));
CREATE TABLE IF NOT EXISTS ueba_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ueba_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
`;

/** "3:1207" (Kafka partition 3) or "1207" (the spool): the partition and the offset. */
export function parseOffset(topic: string, offset: string): { part: string; off: bigint } {
  const i = offset.lastIndexOf(':');
  const part = `${topic}#${i >= 0 ? offset.slice(0, i) : ''}`;
  const raw = i >= 0 ? offset.slice(i + 1) : offset;
  if (!/^\d+$/.test(raw)) throw new Error(`offset ${JSON.stringify(offset)} of ${topic} is not a number`);
  return { part, off: BigInt(raw) };
}

export class UebaStateStore {
  private readonly db: Database.Database;
  private readonly offsets = new Map<string, bigint>();

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: a committed offset must survive a power cut, or the bus would move past events never counted.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(SCHEMA);
    for (const r of this.db.prepare('SELECT part, off FROM ueba_offsets').all() as { part: string; off: string }[]) this.offsets.set(r.part, BigInt(r.off));
  }

  /** Was this message part of a batch already committed? */
  consumed(topic: string, offset: string): boolean {
    const { part, off } = parseOffset(topic, offset);
    const done = this.offsets.get(part);
    return done !== undefined && off <= done;
  }

  commit(c: Checkpoint): void {
    const db = this.db;
    const tx = db.transaction(() => {
      const off = db.prepare('INSERT INTO ueba_offsets (part, off) VALUES (?, ?) ON CONFLICT (part) DO UPDATE SET off = excluded.off');
      for (const [part, o] of c.offsets) off.run(part, o.toString());
      const ent = db.prepare('INSERT OR REPLACE INTO ueba_entities (type, key, doc) VALUES (?, ?, ?)');
      for (const e of c.entities) ent.run(e.type, e.key, JSON.stringify(e));
      const rar = db.prepare('INSERT OR REPLACE INTO ueba_rarity (user, doc) VALUES (?, ?)');
      for (const [u, d] of c.rarity) rar.run(u, JSON.stringify(d));
      const pro = db.prepare('INSERT OR REPLACE INTO ueba_profiles (user, doc) VALUES (?, ?)');
      for (const [u, d] of c.profiles) pro.run(u, JSON.stringify(d));
      const risk = db.prepare('INSERT OR REPLACE INTO ueba_risks (type, id, doc) VALUES (?, ?, ?)');
      for (const r of c.risks) risk.run(r.type, r.id, JSON.stringify(r));
      const meta = db.prepare('INSERT OR REPLACE INTO ueba_meta (key, value) VALUES (?, ?)');
      for (const [k, v] of Object.entries(c.meta)) meta.run(k, v);
      if (c.peers) meta.run('peers', JSON.stringify(c.peers));
      const out = db.prepare('INSERT OR IGNORE INTO ueba_outbox (id, doc) VALUES (?, ?)');
      for (const s of c.signals) out.run(s.id, JSON.stringify(s));
    });
    tx();
    for (const [part, o] of c.offsets) this.offsets.set(part, o);
  }

  /** Signals decided but not yet published, oldest first. */
  outbox(): Signal[] {
    return (this.db.prepare('SELECT doc FROM ueba_outbox ORDER BY seq').all() as { doc: string }[]).map((r) => JSON.parse(r.doc) as Signal);
  }

  published(ids: readonly string[]): void {
    const del = this.db.prepare('DELETE FROM ueba_outbox WHERE id = ?');
    this.db.transaction(() => ids.forEach((id) => del.run(id)))();
  }

  *entities(): Generator<EntityStateDoc> {
    for (const r of this.db.prepare('SELECT doc FROM ueba_entities').iterate() as Iterable<{ doc: string }>) yield JSON.parse(r.doc) as EntityStateDoc;
  }

  *rarity(): Generator<[string, RarityDoc]> {
    for (const r of this.db.prepare('SELECT user, doc FROM ueba_rarity').iterate() as Iterable<{ user: string; doc: string }>)
      yield [r.user, JSON.parse(r.doc) as RarityDoc];
  }

  *profiles(): Generator<[string, ProfileDoc]> {
    for (const r of this.db.prepare('SELECT user, doc FROM ueba_profiles').iterate() as Iterable<{ user: string; doc: string }>)
      yield [r.user, JSON.parse(r.doc) as ProfileDoc];
  }

  *risks(): Generator<RiskDoc> {
    for (const r of this.db.prepare('SELECT doc FROM ueba_risks').iterate() as Iterable<{ doc: string }>) yield JSON.parse(r.doc) as RiskDoc;
  }

  meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM ueba_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  /** Bytes of state stored per table (for the benchmark). */
  sizes(): Record<string, { rows: number; bytes: number }> {
    const out: Record<string, { rows: number; bytes: number }> = {};
    for (const t of ['ueba_entities', 'ueba_rarity', 'ueba_profiles', 'ueba_risks'])
      out[t] = this.db.prepare(`SELECT count(*) AS rows, coalesce(sum(length(doc)), 0) AS bytes FROM ${t}`).get() as { rows: number; bytes: number };
    return out;
  }

  close(): void {
    this.db.close();
  }
}

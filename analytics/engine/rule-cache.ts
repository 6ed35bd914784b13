// The compiled-rule cache: what loading a rule file costs (YAML parsing, schema checks,
// pipelines, filters, prefilter clauses) kept in one pack file per pipeline configuration, so a
// start with thousands of rules reads one file instead of compiling them all. The matcher of a
// rule is still built from its processed tree, when an event first needs it. The rule set's
// prefilter (its automaton) is kept too, found by the hash of what the rule set was built from
// (its files' keys in order, the filters, the rules left out) or, when that changed, by the hash
// of every rule's clauses (an edit that leaves them as they were keeps the automaton).
//
// A cache entry is a speed-up, never a source of truth:
// - it is found by the SHA-256 of the rule file's path and content, in a pack named by the
//   pipelines and headed by the CitySOC version and the compiler's identity (a hash of the Sigma
//   compiler's own code), so an edited rule, another version or build, or other pipelines never
//   meet an old entry;
// - the pack header is authenticated (HMAC-SHA-256 with a random key kept 0600 beside it, or where
//   `keyFile` says), and each processed tree and the prefilter carry their SHA-256 in that header;
//   a pack that fails is ignored, a tree or prefilter that fails is rebuilt from the rules, and
//   both are reported;
// - a directory or file owned by another user, or writable by group or others, is not used.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LiteralClause } from '../sigma/backends/literals';
import type { RuleInfo } from '../sigma/backends/ruleset';
import type { ProcessedRule, ProcessingPipeline } from '../sigma/pipeline';

/** Bumped when the pack layout changes. */
const FORMAT = 3;

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

let compilerIdentity: string | undefined;
let productVersion: string | undefined;

/** CitySOC's version: that of the package.json above this file (in a checkout or a built copy). */
export function citysocVersion(): string {
  if (productVersion !== undefined) return productVersion;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'citysoc' && typeof pkg.version === 'string') return (productVersion = pkg.version);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (dirname(dir) === dir) return (productVersion = 'unknown');
  }
}

/**
 * The identity of the Sigma compiler that produced an entry: a hash of the source (or built)
 * files of analytics/sigma, whatever they are, so any change to parsing, pipelines or clauses
 * makes every older entry unreachable.
 */
export function compilerId(): string {
  if (compilerIdentity) return compilerIdentity;
  const root = join(__dirname, '..', 'sigma');
  const hash = createHash('sha256').update(`format ${FORMAT}\n`);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js)$/.test(entry.name) && !/\.(test|itest)\.(ts|js)$/.test(entry.name))
        hash.update(`${path.slice(root.length)}\n`).update(readFileSync(path));
    }
  };
  walk(root);
  return (compilerIdentity = hash.digest('hex'));
}

/** Where a processed tree lies in the pack's blob, and its hash. */
export interface TreeRef {
  offset: number;
  length: number;
  sha256: string;
}

/** A detection rule of a file: compiled (info, clauses, tree) or refused by the compiler (reason); or a correlation or filter as parsed JSON. */
export type DocEntry = { kind: 'rule'; info: RuleInfo; clauses?: LiteralClause[]; tree?: TreeRef; rejected?: string } | { kind: 'other'; json: string };

/** What a file compiled to: a parse error, or its documents under the filters (key) in force. */
export type FileEntry = { error: string } | { filters: string; docs: DocEntry[] };

/**
 * The header (second line of a pack). Not checked field by field when read: the first line's
 * HMAC over its exact bytes is what makes it trusted.
 */
interface Header {
  format: typeof FORMAT;
  /** The CitySOC version that wrote it: a pack is never trusted across versions. */
  version: string;
  compiler: string;
  pipelines: string;
  /** Rule file key (path and content hash) → what the file compiled to. */
  files: Record<string, FileEntry>;
  /** The rule set's prefilter tables (prefilter-codec.ts), for the clauses whose hash is `clauses`. */
  prefilter?: PrefilterEntry;
}

/** Where the prefilter image lies in the blob, the hash of the clauses (all rules, in order) it was built from, and of the rule set's inputs (content.ts). */
export interface PrefilterEntry {
  clauses: string;
  inputs?: string;
  ref: TreeRef;
}

export interface RuleCacheOptions {
  /** Directory of the packs (created with mode 0700). */
  dir: string;
  /** The HMAC key (32 random bytes, created with mode 0600); default `<dir>/cache.key`. */
  keyFile?: string;
  /** Told why a pack or an entry was not used (the rules are compiled from their files instead). */
  onWarning?: (message: string) => void;
}

/** A pack opened for one pipeline configuration: its entries, and what the next pack will hold. */
export class RulePack {
  /** Files carried over unchanged (their trees copied at save), and files compiled now. */
  private readonly kept = new Set<string>();
  private readonly recorded = new Map<string, { entry: FileEntry; trees: ReadonlyMap<number, ProcessedRule> }>();
  /** The prefilter for the next pack: the one found (kept as it is) or one built now. */
  private nextPrefilter?: { clauses: string; inputs: string; image: Buffer; sha256: string; found: boolean };

  constructor(
    private readonly cache: CompiledRuleCache,
    readonly pipelinesKey: string,
    private readonly entries: Record<string, FileEntry>,
    private readonly blob: Buffer,
    private readonly prefilterEntry?: PrefilterEntry,
  ) {}

  /** The entry of a rule file (by the hash of its path and content), if the pack has one. */
  lookup(fileKey: string): FileEntry | undefined {
    return Object.prototype.hasOwnProperty.call(this.entries, fileKey) ? this.entries[fileKey] : undefined;
  }

  /** A cached tree, if its bytes still have the hash the authenticated header gives. */
  tree(ref: TreeRef): ProcessedRule | undefined {
    const bytes = this.blob.subarray(ref.offset, ref.offset + ref.length);
    if (bytes.length !== ref.length || sha256(bytes) !== ref.sha256) {
      this.cache.warn('a cached rule does not match its recorded hash; compiled from its file instead');
      return undefined;
    }
    return JSON.parse(bytes.toString('utf8')) as ProcessedRule;
  }

  /**
   * The prefilter image kept for these inputs or, failing that, for these clauses (their hashes;
   * the clauses' is computed only then), if its bytes still have the hash the authenticated header
   * gives; kept for the next pack when found.
   */
  prefilter(inputsKey: string, clausesKey: () => string): Buffer | undefined {
    const entry = this.prefilterEntry;
    if (!entry) return undefined;
    const sameInputs = entry.inputs === inputsKey;
    if (!sameInputs && entry.clauses !== clausesKey()) return undefined;
    const image = this.blob.subarray(entry.ref.offset, entry.ref.offset + entry.ref.length);
    if (image.length !== entry.ref.length || sha256(image) !== entry.ref.sha256) {
      this.cache.warn('the cached prefilter does not match its recorded hash; built from the rules instead');
      return undefined;
    }
    this.nextPrefilter = { clauses: entry.clauses, inputs: inputsKey, image, sha256: entry.ref.sha256, found: sameInputs };
    return image;
  }

  /** Records the prefilter image built for these inputs and clauses. */
  recordPrefilter(inputsKey: string, clausesKey: string, image: Buffer): void {
    this.nextPrefilter = { clauses: clausesKey, inputs: inputsKey, image, sha256: sha256(image), found: false };
  }

  /** Carries a file's entry over to the next pack unchanged. */
  reuse(fileKey: string): void {
    this.kept.add(fileKey);
  }

  /** Records what a file compiled to now; `trees` holds the processed tree of each compiled rule, by document index. */
  record(fileKey: string, entry: FileEntry, trees: ReadonlyMap<number, ProcessedRule> = new Map()): void {
    this.recorded.set(fileKey, { entry, trees });
  }

  /**
   * Writes the pack of what was kept and recorded when it differs from the one read (entries of
   * files no longer loaded are dropped). Trees carried over are copied with the hashes the
   * header already vouches for; only new ones are hashed.
   */
  save(): void {
    const unchanged = this.recorded.size === 0 && this.kept.size === Object.keys(this.entries).length && (this.nextPrefilter?.found ?? !this.prefilterEntry);
    if (unchanged) return;
    const parts: Buffer[] = [];
    let size = 0;
    const append = (bytes: Buffer, hash: string): TreeRef => {
      const ref = { offset: size, length: bytes.length, sha256: hash };
      parts.push(bytes);
      size += bytes.length;
      return ref;
    };
    const files: Record<string, FileEntry> = {};
    for (const key of this.kept) {
      const entry = this.entries[key] as FileEntry;
      files[key] =
        'error' in entry
          ? entry
          : {
              ...entry,
              docs: entry.docs.map((d) =>
                d.kind === 'rule' && d.tree ? { ...d, tree: append(this.blob.subarray(d.tree.offset, d.tree.offset + d.tree.length), d.tree.sha256) } : d,
              ),
            };
    }
    for (const [key, { entry, trees }] of this.recorded) {
      if ('error' in entry) {
        files[key] = entry;
        continue;
      }
      const docs = entry.docs.map((d, i): DocEntry => {
        const tree = trees.get(i);
        if (d.kind !== 'rule' || !tree) return d;
        const bytes = Buffer.from(JSON.stringify(slim(tree)), 'utf8');
        return { ...d, tree: append(bytes, sha256(bytes)) };
      });
      files[key] = { filters: entry.filters, docs };
    }
    const p = this.nextPrefilter;
    const prefilter = p ? { clauses: p.clauses, inputs: p.inputs, ref: append(p.image, p.sha256) } : undefined;
    this.cache.write(this.pipelinesKey, files, Buffer.concat(parts, size), prefilter);
  }
}

/** The tree as the matcher needs it: no raw YAML, prose or warnings (a third of the size). */
function slim(rule: ProcessedRule): ProcessedRule {
  return { ...rule, raw: {}, description: undefined, references: [], falsepositives: [], author: undefined, warnings: [], appliedItems: [] };
}

export class CompiledRuleCache {
  private readonly dir: string;
  private readonly keyFile: string;
  private key?: Buffer;

  constructor(private readonly options: RuleCacheOptions) {
    this.dir = options.dir;
    this.keyFile = options.keyFile ?? join(options.dir, 'cache.key');
  }

  warn(message: string): void {
    this.options.onWarning?.(message);
  }

  /** The pack for these pipelines (empty when there is none yet or it cannot be trusted). */
  open(pipelines: readonly ProcessingPipeline[]): RulePack {
    const pipelinesKey = sha256(JSON.stringify(pipelines)).slice(0, 32);
    const empty = new RulePack(this, pipelinesKey, {}, Buffer.alloc(0));
    const file = this.packFile(pipelinesKey);
    let data: Buffer;
    try {
      if (!this.safe(this.dir) || !this.safe(file)) return empty;
      data = readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`rule cache ${file} unreadable: ${(e as Error).message}`);
      return empty;
    }
    // Line 1: magic, format and the HMAC of line 2; line 2: the header JSON; then the trees.
    const first = data.indexOf(0x0a);
    const second = first < 0 ? -1 : data.indexOf(0x0a, first + 1);
    const magic = /^CITYSOC-RULES (\d+) ([0-9a-f]{64})$/.exec(data.toString('latin1', 0, Math.max(first, 0)));
    if (!magic || second < 0 || Number(magic[1]) !== FORMAT) {
      this.warn(`rule cache ${file} is not a pack of this version; rules are compiled from their files`);
      return empty;
    }
    const head = data.subarray(first + 1, second);
    let authentic: boolean;
    try {
      const expected = createHmac('sha256', this.secret()).update(head).digest();
      const given = Buffer.from(magic[2] as string, 'hex');
      authentic = timingSafeEqual(given, expected);
    } catch (e) {
      this.warn(`rule cache key unusable (${(e as Error).message}); rules are compiled from their files`);
      return empty;
    }
    if (!authentic) {
      this.warn(`rule cache ${file} failed its integrity check; ignored, rules are compiled from their files`);
      return empty;
    }
    const parsed = JSON.parse(head.toString('utf8')) as Header;
    if (parsed.format !== FORMAT || parsed.version !== citysocVersion() || parsed.compiler !== compilerId() || parsed.pipelines !== pipelinesKey) return empty;
    return new RulePack(this, pipelinesKey, parsed.files, data.subarray(second + 1), parsed.prefilter);
  }

  /** Writes a pack atomically (a temporary file renamed over the old one), mode 0600. */
  write(pipelinesKey: string, files: Record<string, FileEntry>, blob: Buffer, prefilter?: PrefilterEntry): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const body: Header = {
        format: FORMAT,
        version: citysocVersion(),
        compiler: compilerId(),
        pipelines: pipelinesKey,
        files,
        ...(prefilter ? { prefilter } : {}),
      };
      const json = Buffer.from(JSON.stringify(body), 'utf8');
      const mac = createHmac('sha256', this.secret()).update(json).digest('hex');
      const head = Buffer.concat([Buffer.from(`CITYSOC-RULES ${FORMAT} ${mac}\n`, 'latin1'), json, Buffer.from('\n')]);
      const file = this.packFile(pipelinesKey);
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, head);
        writeSync(fd, blob);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
    } catch (e) {
      this.warn(`rule cache not written to ${this.dir}: ${(e as Error).message}`);
    }
  }

  private packFile(pipelinesKey: string): string {
    return join(this.dir, `rules-${pipelinesKey}.pack`);
  }

  /** The HMAC key, created on first use. */
  private secret(): Buffer {
    if (this.key) return this.key;
    try {
      this.key = readFileSync(this.keyFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dirname(this.keyFile), { recursive: true, mode: 0o700 });
      try {
        writeFileSync(this.keyFile, randomBytes(32), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      this.key = readFileSync(this.keyFile);
    }
    if (!this.safe(this.keyFile)) throw new Error(`${this.keyFile} is not private to this user`);
    if (this.key.length < 32) throw new Error(`${this.keyFile} holds no usable key`);
    return this.key;
  }

  /** A path that is missing, or owned by this user and not writable by others. */
  private safe(path: string): boolean {
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw e;
    }
    const uid = process.getuid?.();
    if ((uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) {
      this.warn(`rule cache: ${path} is owned by another user or writable by others; not used`);
      return false;
    }
    return true;
  }
}

/** Makes a directory private (used by tests and by callers creating it ahead). */
export function makePrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

// The compiled-rule cache is only a speed-up: loading through it selects exactly what loading the
// rule files selects, whatever happened to the pack (edited rules, another compiler, other
// filters, tampered bytes, a forged or foreign pack).
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { generateEvents } from '../differential/generate';
import type { SigmaEvent } from '../sigma/backends/fieldpath';
import type { RuleSet } from '../sigma/backends/ruleset';
import { applyPipelines } from '../sigma/pipeline';
import { getPipeline } from '../sigma/pipelines';
import { CORPUS } from '../sigma/test-support/rules';
import { expandPaths } from '../sigma/validate';
import { loadContent, type LoadOptions } from './content';
import { CompiledRuleCache, citysocVersion, compilerId } from './rule-cache';

const pipelines = [getPipeline('citysoc'), getPipeline('windows')];

/** A private copy of some SigmaHQ Windows rules and CitySOC's own, and events that hit them. */
function setup() {
  const root = mkdtempSync(join(tmpdir(), 'rule-cache-'));
  const rules = join(root, 'rules');
  // A quarter of the process_creation rules keeps the run short.
  cpSync(join(CORPUS, 'rules/windows/process_creation'), join(rules, 'process_creation'), {
    recursive: true,
    filter: (f) => !f.endsWith('.yml') || /proc_creation_win_[a-e]/.test(f),
  });
  cpSync(join(__dirname, '../../rules'), join(rules, 'citysoc'), { recursive: true, filter: (f) => !f.endsWith('.ts') });
  const cacheDir = join(root, 'cache');
  const warnings: string[] = [];
  const cache = () => new CompiledRuleCache({ dir: cacheDir, onWarning: (m) => warnings.push(m) });
  return { root, rules, cacheDir, warnings, cache };
}

function eventsFor(ruleSet: RuleSet): SigmaEvent[] {
  const generated = ruleSet
    .rules()
    .filter((_, i) => i % 7 === 0)
    .flatMap((r) => {
      try {
        return generateEvents(applyPipelines(r, pipelines), 2);
      } catch {
        return [];
      }
    });
  const samples = expandPaths([join(__dirname, '../../rules')]).flatMap((f) => {
    const s = JSON.parse(readFileSync(f.replace(/\.yml$/, '.samples.json'), 'utf8')) as { positive: SigmaEvent[]; negative: SigmaEvent[] };
    return [...s.positive, ...s.negative];
  });
  return [...generated, ...samples];
}

const matches = (set: RuleSet, events: SigmaEvent[]) => events.map((e) => set.match(e));

/** A pack's parts: line 1 (magic, format, HMAC of line 2), line 2 (the header JSON), the trees. */
function readPack(dir: string) {
  const file = join(
    dir,
    readdirSync(dir).find((f) => f.endsWith('.pack'))!,
  );
  const data = readFileSync(file);
  const first = data.indexOf(0x0a);
  const second = data.indexOf(0x0a, first + 1);
  const [magic, format] = data.toString('latin1', 0, first).split(' ');
  return {
    file,
    line1: data.subarray(0, first),
    head: JSON.parse(data.toString('utf8', first + 1, second)) as Record<string, unknown>,
    blob: data.subarray(second + 1),
    magic,
    format,
  };
}

/** Writes a pack with the given header and trees, its HMAC made with `key`, or line 1 kept as it was. */
function writePack(p: ReturnType<typeof readPack>, head: unknown, blob: Buffer, key?: Buffer): void {
  const json = Buffer.from(JSON.stringify(head));
  const line1 = key ? Buffer.from(`${p.magic} ${p.format} ${createHmac('sha256', key).update(json).digest('hex')}`) : p.line1;
  writeFileSync(p.file, Buffer.concat([line1, Buffer.from('\n'), json, Buffer.from('\n'), blob]));
}
const load = (rules: string, options: Partial<LoadOptions> = {}) => loadContent([rules], { pipelines, ...options });

describe('compiled-rule cache', () => {
  const s = setup();
  const reference = load(s.rules);
  const events = eventsFor(reference.ruleSet);
  const expected = matches(reference.ruleSet, events);

  test('a warm start reads every file from the cache, compiles nothing up front, and selects exactly what the rule files select', () => {
    expect(expected.flat().length).toBeGreaterThan(200);
    const cold = load(s.rules, { cache: s.cache() });
    expect(cold.cache).toEqual({ hits: 0, misses: reference.files.length, prefilter: 'built' });
    const warm = load(s.rules, { cache: s.cache() });
    expect(warm.cache).toEqual({ hits: reference.files.length, misses: 0, prefilter: 'cached' });
    expect(warm.ruleSet.size).toBe(reference.ruleSet.size);
    expect(warm.ruleSet.compiledCount).toBe(0);
    expect(warm.rejected).toEqual(reference.rejected);
    expect(warm.correlations).toEqual(reference.correlations);
    expect(warm.ruleSet.ruleInfos()).toEqual(reference.ruleSet.ruleInfos());
    expect(matches(warm.ruleSet, events)).toEqual(expected);
    expect(warm.ruleSet.rules()).toEqual(reference.ruleSet.rules());
    expect(s.warnings).toEqual([]);
    // The cache directory and key are private.
    expect(readdirSync(s.cacheDir).sort()).toEqual(['cache.key', expect.stringMatching(/^rules-[0-9a-f]{32}\.pack$/)]);
  });

  test('an edited rule is compiled anew (only it), and its new text is what matches', () => {
    const file = join(s.rules, 'citysoc/ssh/ssh_root_login_success.yml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('title: SSH Root Login Accepted', 'title: SSH Root Login Accepted (edited)'));
    try {
      const edited = load(s.rules, { cache: s.cache() });
      // A new title leaves every rule's clauses as they were: the prefilter is still the cached one.
      expect(edited.cache).toEqual({ hits: reference.files.length - 1, misses: 1, prefilter: 'cached' });
      const fresh = load(s.rules);
      expect(matches(edited.ruleSet, events)).toEqual(matches(fresh.ruleSet, events));
      expect(edited.ruleSet.ruleInfos().some((r) => r.title === 'SSH Root Login Accepted (edited)')).toBe(true);
    } finally {
      writeFileSync(file, original);
    }
  });

  test('a pack made by another compiler is not used, even when authentic', () => {
    load(s.rules, { cache: s.cache() });
    const p = readPack(s.cacheDir);
    expect(p.head.compiler).toBe(compilerId());
    writePack(p, { ...p.head, compiler: '0'.repeat(64) }, p.blob, readFileSync(join(s.cacheDir, 'cache.key')));
    const again = load(s.rules, { cache: s.cache() });
    expect(again.cache!.hits).toBe(0);
    expect(matches(again.ruleSet, events)).toEqual(expected);
  });

  test('a tampered header (a rule marked refused, clauses emptied) is detected and ignored', () => {
    load(s.rules, { cache: s.cache() });
    const p = readPack(s.cacheDir);
    const head = p.head as { files: Record<string, { docs?: { kind: string; rejected?: string; clauses?: unknown[] }[] }> };
    for (const entry of Object.values(head.files))
      for (const d of entry.docs ?? [])
        if (d.kind === 'rule') {
          d.rejected = 'suppressed';
          d.clauses = [];
        }
    writePack(p, head, p.blob);
    s.warnings.length = 0;
    const again = load(s.rules, { cache: s.cache() });
    expect(s.warnings).toEqual([expect.stringMatching(/failed its integrity check; ignored/)]);
    expect(again.rejected).toEqual(reference.rejected);
    expect(matches(again.ruleSet, events)).toEqual(expected);
  });

  test('tampered tree bytes are detected when the rule is first needed; the rule is rebuilt from its file', () => {
    load(s.rules, { cache: s.cache() });
    const p = readPack(s.cacheDir);
    // Every processed tree's values turned into something that matches nothing.
    // The prefilter image, after the trees, is left as it is.
    const treesEnd = (p.head.prefilter as { ref: { offset: number } }).ref.offset;
    // Same byte lengths, so the prefilter stays where the header says.
    const trees = Buffer.from(
      p.blob
        .subarray(0, treesEnd)
        .toString('utf8')
        .replace(/"text":"([^"]*)"/g, (_, text: string) => `"text":"${'z'.repeat(Buffer.byteLength(text))}"`),
    );
    writePack(p, p.head, Buffer.concat([trees, p.blob.subarray(treesEnd)]));
    s.warnings.length = 0;
    const again = load(s.rules, { cache: s.cache() });
    expect(again.cache!.misses).toBe(0);
    expect(matches(again.ruleSet, events)).toEqual(expected);
    expect(s.warnings.length).toBeGreaterThan(0);
    expect(new Set(s.warnings)).toEqual(new Set(['a cached rule does not match its recorded hash; compiled from its file instead']));
  });

  test('a pack signed with another key is ignored', () => {
    const foreignDir = join(s.root, 'foreign');
    load(s.rules, { cache: new CompiledRuleCache({ dir: foreignDir }) });
    cpSync(
      join(
        foreignDir,
        readdirSync(foreignDir).find((f) => f.endsWith('.pack'))!,
      ),
      join(
        s.cacheDir,
        readdirSync(s.cacheDir).find((f) => f.endsWith('.pack'))!,
      ),
    );
    s.warnings.length = 0;
    const again = load(s.rules, { cache: s.cache() });
    expect(s.warnings).toEqual([expect.stringMatching(/failed its integrity check/)]);
    expect(matches(again.ruleSet, events)).toEqual(expected);
  });

  test('a cache directory others can write is not used', () => {
    const open = join(s.root, 'open');
    load(s.rules, { cache: new CompiledRuleCache({ dir: open }) });
    chmodSync(open, 0o777);
    const warnings: string[] = [];
    const again = load(s.rules, { cache: new CompiledRuleCache({ dir: open, onWarning: (m) => warnings.push(m) }) });
    expect(again.cache!.hits).toBe(0);
    expect(warnings[0]).toMatch(/writable by others; not used/);
    expect(matches(again.ruleSet, events)).toEqual(expected);
  });

  test('a new filter re-keys the trees it may change: the cached rules obey it', () => {
    const filter = join(s.rules, 'citysoc/ssh/zz_filter_root_from_bastion.yml');
    writeFileSync(
      filter,
      'title: Root logins from the bastion are expected\nlogsource:\n  product: citysoc\n  service: sshd\nfilter:\n  rules: [167d9478-7807-4ee7-981c-14f913d6287c]\n  selection:\n    source.ip|cidr: 0.0.0.0/0\n  condition: selection\n',
    );
    try {
      load(s.rules, { cache: s.cache() });
      const warm = load(s.rules, { cache: s.cache() });
      expect(warm.cache).toEqual({ hits: reference.files.length + 1, misses: 0, prefilter: 'cached' });
      expect(matches(warm.ruleSet, events)).toEqual(matches(load(s.rules).ruleSet, events));
      expect(matches(warm.ruleSet, events)).not.toEqual(expected);
    } finally {
      rmSync(filter);
    }
  });
  test('an edit that changes what a rule needs rebuilds the prefilter, which then selects what a fresh load selects', () => {
    const file = join(s.rules, 'citysoc/ssh/ssh_root_login_success.yml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('user.name: root', 'user.name: toor'));
    try {
      load(s.rules, { cache: s.cache() });
      const edited = load(s.rules, { cache: s.cache() });
      expect(edited.cache).toEqual({ hits: reference.files.length, misses: 0, prefilter: 'cached' });
      const fresh = load(s.rules);
      const toor = { ...events.find((e) => JSON.stringify(e).includes('"root"'))!, user: { name: 'toor' } };
      expect(matches(edited.ruleSet, [...events, toor])).toEqual(matches(fresh.ruleSet, [...events, toor]));
      expect(
        matches(edited.ruleSet, [toor])
          .flat()
          .map((m) => m.title),
      ).toContain('SSH Root Login Accepted');
    } finally {
      writeFileSync(file, original);
    }
    const back = load(s.rules, { cache: s.cache() });
    expect(back.cache).toEqual({ hits: reference.files.length - 1, misses: 1, prefilter: 'built' });
    expect(matches(back.ruleSet, events)).toEqual(expected);
  });

  test('a pack written by another CitySOC version is not used, even when authentic', () => {
    load(s.rules, { cache: s.cache() });
    const p = readPack(s.cacheDir);
    expect(p.head.version).toBe(citysocVersion());
    expect(citysocVersion()).toBe((JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version);
    writePack(p, { ...p.head, version: '0.0.0-other' }, p.blob, readFileSync(join(s.cacheDir, 'cache.key')));
    s.warnings.length = 0;
    const again = load(s.rules, { cache: s.cache() });
    expect(again.cache).toEqual({ hits: 0, misses: reference.files.length, prefilter: 'built' });
    expect(matches(again.ruleSet, events)).toEqual(expected);
    // The pack is rewritten for this version.
    expect(readPack(s.cacheDir).head.version).toBe(citysocVersion());
  });

  test.each([
    ['cut short inside its header', (d: Buffer) => d.subarray(0, d.indexOf(0x0a) + 100), /is not a pack of this version/],
    ['overwritten with garbage', (d: Buffer) => Buffer.alloc(d.length, 0x41), /is not a pack of this version/],
    ['emptied', () => Buffer.alloc(0), /is not a pack of this version/],
    ['with a flipped byte in its header', (d: Buffer) => Buffer.from(d.map((b, i) => (i === d.indexOf(0x0a) + 50 ? b ^ 1 : b))), /failed its integrity check/],
  ])('a pack %s is ignored with a warning, the rules compile from their files, and a good pack replaces it', (_, corrupt, warning) => {
    load(s.rules, { cache: s.cache() });
    const p = readPack(s.cacheDir);
    writeFileSync(p.file, corrupt(readFileSync(p.file)));
    s.warnings.length = 0;
    const again = load(s.rules, { cache: s.cache() });
    expect(s.warnings).toEqual([expect.stringMatching(warning)]);
    expect(again.cache).toEqual({ hits: 0, misses: reference.files.length, prefilter: 'built' });
    expect(matches(again.ruleSet, events)).toEqual(expected);
    s.warnings.length = 0;
    expect(load(s.rules, { cache: s.cache() }).cache).toEqual({ hits: reference.files.length, misses: 0, prefilter: 'cached' });
    expect(s.warnings).toEqual([]);
  });

  test('tampered prefilter bytes are detected: the prefilter is rebuilt from the rules, with a warning, and selects the same rules', () => {
    load(s.rules, { cache: s.cache() });
    const p = readPack(s.cacheDir);
    const ref = (p.head.prefilter as { ref: { offset: number; length: number } }).ref;
    const blob = Buffer.from(p.blob);
    // Every rule triggered by nothing: a prefilter that would let no rule through.
    blob.fill(0, ref.offset + Math.floor(ref.length / 2), ref.offset + ref.length);
    writePack(p, p.head, blob);
    s.warnings.length = 0;
    const again = load(s.rules, { cache: s.cache() });
    expect(s.warnings).toEqual(['the cached prefilter does not match its recorded hash; built from the rules instead']);
    expect(again.cache).toEqual({ hits: reference.files.length, misses: 0, prefilter: 'built' });
    expect(matches(again.ruleSet, events)).toEqual(expected);
  });
});

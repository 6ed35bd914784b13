// The analytics verbs run on their own (main.ts) give what the command functions give, with the
// result lines written in batches.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDetect } from './detect';
import { BatchedLines, main } from './main';

const RULES = join(__dirname, '../../rules');
process.env.CITYSOC_CACHE_DIR = mkdtempSync(join(tmpdir(), 'cli-main-rule-cache-'));

describe('the analytics entry', () => {
  test('detect writes the same alert lines as runDetect, fewer writes than lines, and exits 0', async () => {
    const lines = Array.from(
      { length: 24 },
      (_, i) => `Mar  2 10:00:${String(i * 2).padStart(2, '0')} bastion sshd[${100 + i}]: Failed password for root from 203.0.113.${i % 2} port 4${i}000 ssh2`,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'cli-main-')), 'auth.log');
    writeFileSync(file, lines.join('\n'));
    const direct: string[] = [];
    expect(await runDetect({ rules: [RULES], files: [file] }, { out: (s) => direct.push(s), err: () => undefined })).toBe(0);
    expect(direct.length).toBeGreaterThan(1);

    const writes: string[] = [];
    const err: string[] = [];
    const code = await main(['node', 'citysoc', 'detect', '--rules', RULES, file], { out: (s) => writes.push(s), err: (s) => err.push(s) });
    expect(code).toBe(0);
    expect(writes.join('')).toBe(`${direct.join('\n')}\n`);
    expect(writes.length).toBeLessThan(direct.length);
    expect(err.at(-1)).toMatch(/^detect: 24 events, 0 unparsed lines, \d+ alerts/);
  });

  test('a missing rule folder is a usage error, reported on stderr', async () => {
    const err: string[] = [];
    const code = await main(['node', 'citysoc', 'detect', '--rules', '/nonexistent-rules', '/nonexistent-events'], {
      out: () => undefined,
      err: (s) => err.push(s),
    });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/detect: cannot load rules: .*nonexistent-rules/);
  });

  test('an unknown verb is a usage error', async () => {
    const err: string[] = [];
    expect(await main(['node', 'citysoc', 'up'], { out: () => undefined, err: (s) => err.push(s) })).toBe(2);
    expect(err.join('')).toMatch(/unknown command 'up'/);
  });

  test('batched lines: written once the burst yields, or at 4,096 lines, in order', async () => {
    const writes: string[] = [];
    const b = new BatchedLines((s) => writes.push(s));
    b.line('a');
    b.line('b');
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['a\nb\n']);
    for (let i = 0; i < 4096; i++) b.line(String(i));
    expect(writes.length).toBe(2);
    expect(writes[1]!.split('\n').length).toBe(4097);
    b.flush();
    expect(writes.length).toBe(2);
  });
});

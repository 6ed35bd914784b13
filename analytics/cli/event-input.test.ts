import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileLines, readEvents } from './event-input';

const CHUNK = 1 << 16;

function tmpFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'event-input-')), 'in.txt');
  writeFileSync(file, text);
  return file;
}

async function ours(file: string): Promise<string[]> {
  const out: string[] = [];
  for await (const lines of fileLines(file)) out.push(...lines);
  return out;
}

/** What readline gives for the file (crlfDelay Infinity): the reading fileLines must equal. */
async function readline(file: string): Promise<string[]> {
  const out: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) out.push(line);
  return out;
}

describe('fileLines reads lines as readline does', () => {
  const cases: Record<string, string> = {
    empty: '',
    'one line without a break': 'a',
    'lines ending in \\n': 'a\nb\n',
    'blank lines kept, a final break adds none': 'a\n\n\nb\n\n',
    'CRLF and lone CR': 'a\r\nb\rc\r\r\nd\n\re\r',
    // A \r\n whose halves fall in two chunks is one break; a lone \r at a chunk end is one too.
    'CRLF split at the chunk boundary': `${'x'.repeat(CHUNK - 1)}\r\ny\n`,
    'lone CR at the chunk boundary': `${'x'.repeat(CHUNK - 1)}\rz\n`,
    'CR ending the file at the chunk boundary': `${'x'.repeat(CHUNK - 1)}\r`,
    // A character of two UTF-8 bytes across the chunk boundary is decoded whole.
    'multi-byte character at the chunk boundary': `${'x'.repeat(CHUNK - 1)}é\n中文\n`,
    'many chunks': Array.from({ length: 30_000 }, (_, i) => `line ${i}${i % 7 === 0 ? '\r\n' : '\n'}`).join(''),
  };
  for (const [name, text] of Object.entries(cases))
    test(name, async () => {
      const file = tmpFile(text);
      expect(await ours(file)).toEqual(await readline(file));
    });
});

describe('readEvents', () => {
  test('numbers events by their line, skipping blank lines and reporting the unreadable with theirs', async () => {
    const file = tmpFile('{"@timestamp":"2026-01-01T00:00:00Z","a":1}\n\n   \n{broken\r\n\t{"@timestamp":"2026-01-01T00:00:01Z","a":2}\n');
    const unparsed: string[] = [];
    const events: { ref: string; a: unknown }[] = [];
    const ctx = { defaultYear: 2026, receivedAt: new Date('2026-01-02T00:00:00Z') };
    for await (const batch of readEvents(file, { keepRawJson: false, ctx, onUnparsed: (ref, reason) => unparsed.push(`${ref} ${reason.split(':')[0]}`) }))
      for (const e of batch) events.push({ ref: e.ref, a: e.event.a });
    expect(events).toEqual([
      { ref: `${file}:1`, a: 1 },
      { ref: `${file}:5`, a: 2 },
    ]);
    expect(unparsed).toEqual([`${file}:4 invalid JSON`]);
  });
});

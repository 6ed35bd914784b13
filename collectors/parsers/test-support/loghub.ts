/** Reads the loghub samples in place (../shared/data/loghub) and their _structured.csv ground truth. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Doc } from '../../../core/doc';
import { getField } from '../../../core/doc';
import type { LogSource, ParseContext } from '../source';
import { sharedPath } from '../../../core/shared-data';

export const LOGHUB_DIR = sharedPath('data/loghub');

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  return parse(text, { relax_column_count: true }) as string[][];
}

export interface LoghubSample {
  readonly lines: string[];
  /** One object per CSV row, keyed by the header (LineId, Content, ...). */
  readonly rows: Record<string, string>[];
}

export function loghubSample(name: string): LoghubSample {
  const raw = readFileSync(path.join(LOGHUB_DIR, name, `${name}_2k.log`), 'utf8');
  const lines = raw.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '');
  const [header, ...body] = parseCsv(readFileSync(path.join(LOGHUB_DIR, name, `${name}_2k.log_structured.csv`), 'utf8'));
  const rows = body.map((cells) => Object.fromEntries(header!.map((h, i) => [h, cells[i] ?? ''])));
  return { lines, rows };
}

/** Received at the end of 2024 in UTC: year-less dates of the samples fall in 2024, whatever the host's zone. */
export const CTX: ParseContext = { receivedAt: new Date('2024-12-31T23:00:00Z'), timeZone: 'UTC' };

/** Parses every line; a failure names the line so the report points at it. */
export function parseAll(source: LogSource, lines: readonly string[], ctx: ParseContext = CTX): Doc[] {
  return lines.map((line, i) => {
    const out = source.parse({ kind: 'line', line }, ctx);
    if (!out.ok) throw new Error(`line ${i + 1} did not parse: ${out.error}\n${line}`);
    return out.event;
  });
}

/** Row-by-row comparison of parsed fields with CSV columns; returns the mismatches (empty when all agree). */
export function disagreements(
  events: readonly Doc[],
  rows: readonly Record<string, string>[],
  mapping: Readonly<Record<string, (row: Record<string, string>) => unknown>>,
): string[] {
  const out: string[] = [];
  if (events.length !== rows.length) out.push(`${events.length} parsed events for ${rows.length} CSV rows`);
  events.forEach((ev, i) => {
    for (const [field, expected] of Object.entries(mapping)) {
      const want = expected(rows[i]!);
      const got = getField(ev, field);
      if (got !== want) out.push(`row ${i + 1} ${field}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    }
  });
  return out.slice(0, 20);
}

const MON: Readonly<Record<string, string>> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};
/** Expected ISO time from the CSV's own columns, written independently of the parsers' date code. */
export function expectedIso(year: string, month: string, day: string, time: string, fraction = '000'): string {
  const mm = MON[month] ?? month;
  return `${year}-${mm.padStart(2, '0')}-${day.padStart(2, '0')}T${time}.${fraction.padEnd(3, '0')}Z`;
}

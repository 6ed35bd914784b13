import { parse } from 'csv-parse/sync';

/** Splits one CSV record (pgaudit's AUDIT fields) honouring a quote character. */
export function splitCsv(text: string, quote = '"'): string[] {
  const rows = parse(text, { quote, escape: quote, relax_quotes: true, relax_column_count: true }) as string[][];
  return rows[0] ?? [''];
}

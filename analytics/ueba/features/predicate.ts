/**
 * Which events a feature counts, as a small tree over the columns: membership, presence, two
 * columns equal or different, and the boolean connectives. Compiled to a JavaScript test and to a
 * Flink SQL condition that agree on absent values: every comparison first tests that its columns
 * are present, so no SQL expression is ever NULL and `not` means the same in both engines.
 * Membership is for string columns.
 */
import { literal, ident } from '../../flink/sql';
import type { ColumnName, Row } from './columns';

export type Predicate =
  | { readonly col: ColumnName; readonly in: readonly string[] }
  | { readonly col: ColumnName; readonly present: true }
  | { readonly col: ColumnName; readonly sameAs: ColumnName }
  | { readonly col: ColumnName; readonly differsFrom: ColumnName }
  | { readonly all: readonly Predicate[] }
  | { readonly any: readonly Predicate[] }
  | { readonly not: Predicate };

export const is = (col: ColumnName, ...values: string[]): Predicate => ({ col, in: values });
export const present = (col: ColumnName): Predicate => ({ col, present: true });
export const all = (...ps: Predicate[]): Predicate => ({ all: ps });

export function compilePredicate(p: Predicate | undefined): (row: Row) => boolean {
  if (p === undefined) return () => true;
  if ('all' in p) {
    const parts = p.all.map(compilePredicate);
    return (r) => parts.every((f) => f(r));
  }
  if ('any' in p) {
    const parts = p.any.map(compilePredicate);
    return (r) => parts.some((f) => f(r));
  }
  if ('not' in p) {
    const inner = compilePredicate(p.not);
    return (r) => !inner(r);
  }
  const col = p.col;
  if ('in' in p) {
    const set = new Set(p.in);
    return (r) => {
      const v = r[col];
      return v !== undefined && set.has(String(v));
    };
  }
  if ('present' in p) return (r) => r[col] !== undefined;
  if ('sameAs' in p) {
    const other = p.sameAs;
    return (r) => r[col] !== undefined && r[other] !== undefined && r[col] === r[other];
  }
  const other = p.differsFrom;
  return (r) => r[col] !== undefined && r[other] !== undefined && r[col] !== r[other];
}

/** A Flink SQL boolean expression over the event view's columns; never NULL. */
export function predicateToFlink(p: Predicate | undefined): string {
  if (p === undefined) return 'TRUE';
  if ('all' in p) return p.all.length === 0 ? 'TRUE' : `(${p.all.map(predicateToFlink).join(' AND ')})`;
  if ('any' in p) return p.any.length === 0 ? 'FALSE' : `(${p.any.map(predicateToFlink).join(' OR ')})`;
  if ('not' in p) return `(NOT ${predicateToFlink(p.not)})`;
  const c = ident(p.col);
  if ('in' in p) return p.in.length === 0 ? 'FALSE' : `(${c} IS NOT NULL AND ${c} IN (${p.in.map(literal).join(', ')}))`;
  if ('present' in p) return `(${c} IS NOT NULL)`;
  const o = ident('sameAs' in p ? p.sameAs : p.differsFrom);
  return `(${c} IS NOT NULL AND ${o} IS NOT NULL AND ${c} ${'sameAs' in p ? '=' : '<>'} ${o})`;
}

import type { TranslateFunction as Translate } from 'ra-core';
import { isApiError } from '../data/graphql';

/** An API error in the user's language: what kind of error (translated), then the server's detail. */
export function describeError(t: Translate, e: unknown): string {
  if (isApiError(e)) return `${t(`citysoc.errors.${e.code}`, { _: e.code })}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

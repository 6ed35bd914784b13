/**
 * Fluent Bit tags say where records come from: `citysoc.<source>.<department>.<host>`, e.g.
 * `citysoc.hdfs-audit.dsj.nn-01.city.gov` (the host may contain dots, so it comes last; `_`
 * leaves a part unsaid). The leading `citysoc.` is optional. Explicit headers win over the tag.
 */
import type { IncomingMessage } from 'node:http';
import { headerText } from './http-io';

export interface TagInfo {
  readonly source?: string;
  readonly department?: string;
  readonly host?: string;
}

const part = (s: string | undefined): string | undefined => (s === undefined || s === '' || s === '_' ? undefined : s);

export function parseTag(tag: string | undefined): TagInfo {
  if (!tag) return {};
  const parts = tag.split('.');
  if (parts[0] === 'citysoc' || parts[0] === 'cs') parts.shift();
  return { source: part(parts[0]), department: part(parts[1]), host: part(parts.slice(2).join('.')) };
}

/** Tag from the URL (`/ingest/v1/fluent-bit/<tag>` or `?tag=`) or the header Fluent Bit's `header_tag` names. */
export function tagOfRequest(req: IncomingMessage, url: URL, pathTag: string | undefined): TagInfo {
  const fromTag = parseTag(pathTag ?? url.searchParams.get('tag') ?? headerText(req, 'x-citysoc-tag'));
  return {
    source: headerText(req, 'x-citysoc-source') ?? url.searchParams.get('source') ?? fromTag.source,
    department: headerText(req, 'x-citysoc-department') ?? url.searchParams.get('department') ?? fromTag.department,
    host: headerText(req, 'x-citysoc-host') ?? url.searchParams.get('host') ?? fromTag.host,
  };
}

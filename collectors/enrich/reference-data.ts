/**
 * The reference data enrichment reads: an asset inventory (host/IP → asset and owning
 * department), an identity directory (user → department, roles, privileged) and a data
 * catalog (dataset or resource path → classification, owner department). Files are YAML or
 * JSON, validated at the edge; an invalid file is refused with the entry and field named.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { Classification, describeIssues } from '../../core/event';
import { CitySocError } from '../../core/errors';

const List = z.array(z.string().min(1)).or(
  z
    .string()
    .min(1)
    .transform((s) => [s]),
);

export const Asset = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  hostnames: List.default([]),
  ips: List.default([]),
  type: z.string().optional(),
  criticality: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  department: z.string().min(1).optional(),
  owner: z.string().optional(),
});
export type Asset = z.infer<typeof Asset>;

export const Identity = z.strictObject({
  user: z.string().min(1),
  aliases: List.default([]),
  full_name: z.string().optional(),
  department: z.string().min(1).optional(),
  roles: List.default([]),
  privileged: z.boolean().default(false),
});
export type Identity = z.infer<typeof Identity>;

export const DatasetEntry = z.strictObject({
  dataset: z.string().min(1),
  /** Resource prefixes that belong to the dataset: HDFS paths, Hive db.table, API paths. */
  resources: List.default([]),
  classification: Classification,
  owner_department: z.string().min(1).optional(),
});
export type DatasetEntry = z.infer<typeof DatasetEntry>;

const FILES = {
  assets: z.strictObject({ assets: z.array(Asset) }),
  identities: z.strictObject({ identities: z.array(Identity) }),
  datasets: z.strictObject({ datasets: z.array(DatasetEntry) }),
} as const;

export type ReferenceKind = keyof typeof FILES;

export interface ReferenceData {
  readonly assets: readonly Asset[];
  readonly identities: readonly Identity[];
  readonly datasets: readonly DatasetEntry[];
}

/** Reads one reference file; the top-level key names its kind (`assets:`, `identities:`, `datasets:`). */
export function loadReferenceFile<K extends ReferenceKind>(kind: K, file: string): z.infer<(typeof FILES)[K]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CitySocError('CONFIG_INVALID', `${kind} file ${file} cannot be read: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new CitySocError('CONFIG_INVALID', `${kind} file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  const parsed = FILES[kind].safeParse(raw);
  if (!parsed.success) throw new CitySocError('CONFIG_INVALID', `${kind} file ${file} is invalid: ${describeIssues(parsed.error)}`);
  return parsed.data as z.infer<(typeof FILES)[K]>;
}

export interface ReferenceFiles {
  readonly assets?: string;
  readonly identities?: string;
  readonly datasets?: string;
}

export function loadReferenceData(files: ReferenceFiles): ReferenceData {
  return {
    assets: files.assets ? loadReferenceFile('assets', files.assets).assets : [],
    identities: files.identities ? loadReferenceFile('identities', files.identities).identities : [],
    datasets: files.datasets ? loadReferenceFile('datasets', files.datasets).datasets : [],
  };
}

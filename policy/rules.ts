/**
 * The typed form of policy lines, validated with zod wherever lines come from (shipped files,
 * the SQLite store, GraphQL). Casbin keeps them as string tuples; these are those tuples with
 * names and checked values.
 */
import { z } from 'zod';
import { type Condition, ConditionSyntaxError, parseCondition } from './conditions';

/** A name: letters of any script, digits, . _ - : (no commas, which would break the CSV form). */
const Name = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{N}._:-]+$/u, 'letters, digits, . _ - : only');
const NameOrAny = z.union([z.literal('*'), Name]);
/** data domain → dataset → table/path → field, e.g. dataset/人口/户籍/person; a trailing /* covers descendants. */
const ResourcePattern = z
  .string()
  .min(1)
  .max(512)
  .regex(/^(\*|[\p{L}\p{N}._:-]+(\/[\p{L}\p{N}._:-]+)*(\/\*)?)$/u, 'a resource path such as events, dataset/人口/* or *');
const ActionPattern = z.string().regex(/^(\*|[a-z_]+(\|[a-z_]+)*)$/, 'an action such as read, read|export or *');
export const FIELD_TREATMENTS = ['drop', 'mask', 'token', 'clear'] as const;
export const MASK_PATTERNS = ['phone', 'id_number', 'name', 'email', 'all'] as const;

const ConditionText = z
  .string()
  .max(512)
  .transform((s, ctx): Condition => {
    try {
      return parseCondition(s);
    } catch (e) {
      if (!(e instanceof ConditionSyntaxError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message });
      return z.NEVER;
    }
  });

export const AccessRule = z.object({
  id: Name,
  sub: NameOrAny,
  dom: NameOrAny,
  obj: ResourcePattern,
  act: ActionPattern,
  cond: ConditionText,
  eft: z.enum(['allow', 'deny']),
});
export type AccessRule = z.infer<typeof AccessRule>;

export const FieldRule = z
  .object({
    id: Name,
    sub: NameOrAny,
    dom: NameOrAny,
    obj: ResourcePattern,
    field: z.string().regex(/^[@A-Za-z_][\w.@-]*$/, 'a field name such as citysoc.person.phone'),
    treatment: z.enum(FIELD_TREATMENTS),
    pattern: z.union([z.literal(''), z.enum(MASK_PATTERNS)]),
  })
  .refine((r) => r.treatment !== 'mask' || r.pattern !== '', { message: `a mask needs a pattern: ${MASK_PATTERNS.join(', ')}`, path: ['pattern'] });
export type FieldRule = z.infer<typeof FieldRule>;

export const RoleLink = z.object({ member: Name, role: Name, dom: NameOrAny });
export type RoleLink = z.infer<typeof RoleLink>;

export type PolicyType = 'p' | 'p2' | 'g';
export const ACCESS_COLUMNS = ['id', 'sub', 'dom', 'obj', 'act', 'cond', 'eft'] as const;
export const FIELD_COLUMNS = ['id', 'sub', 'dom', 'obj', 'field', 'treatment', 'pattern'] as const;
export const LINK_COLUMNS = ['member', 'role', 'dom'] as const;

const COLUMNS = { p: ACCESS_COLUMNS, p2: FIELD_COLUMNS, g: LINK_COLUMNS } as const;
const SCHEMAS = { p: AccessRule, p2: FieldRule, g: RoleLink } as const;

export type ParsedLine = { ptype: 'p'; rule: AccessRule } | { ptype: 'p2'; rule: FieldRule } | { ptype: 'g'; rule: RoleLink };

/** Validates one casbin tuple; the error names the column and the rule it breaks. */
export function parseTuple(ptype: string, values: readonly string[]): { ok: true; line: ParsedLine } | { ok: false; error: string } {
  if (ptype !== 'p' && ptype !== 'p2' && ptype !== 'g') return { ok: false, error: `unknown policy type '${ptype}': expected p, p2 or g` };
  const cols = COLUMNS[ptype];
  if (values.length !== cols.length) return { ok: false, error: `${ptype} takes ${cols.length} values (${cols.join(', ')}), got ${values.length}` };
  const parsed = SCHEMAS[ptype].safeParse(Object.fromEntries(cols.map((c, i) => [c, values[i]!.trim()])));
  if (!parsed.success) return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { ok: true, line: { ptype, rule: parsed.data } as ParsedLine };
}

/** The tuple casbin stores for a rule (conditions as their source text). */
export function toTuple(line: ParsedLine): string[] {
  if (line.ptype === 'g') return [line.rule.member, line.rule.role, line.rule.dom];
  if (line.ptype === 'p') return ACCESS_COLUMNS.map((c) => (c === 'cond' ? line.rule.cond.source : line.rule[c]));
  return FIELD_COLUMNS.map((c) => line.rule[c]);
}

/** What the PDP is asked and what it answers; the shapes are the same in-process, over HTTP and in GraphQL. */
import { z } from 'zod';
import { Classification } from '../core/event';
import type { QueryNode } from '../core/query/ast';
import { RESOURCE_TYPES, type ResourceRef } from './resource';

const Name = z.string().min(1).max(128);

export const DecisionRequestSchema = z.strictObject({
  subject: z.strictObject({ user: Name, roles: z.array(Name).max(64).default([]), department: Name.optional() }),
  resource: z.strictObject({
    type: z.enum(RESOURCE_TYPES),
    domain: Name.optional(),
    dataset: Name.optional(),
    table: Name.optional(),
    field: Name.optional(),
    department: Name.optional(),
    classification: Classification.optional(),
  }),
  action: z.string().regex(/^[a-z_]{1,32}$/, 'an action such as read, export, write'),
  context: z
    .strictObject({
      time: z.iso.datetime({ offset: true }).optional(),
      zone: z.string().max(32).optional(),
      ip: z.string().max(64).optional(),
    })
    .default({}),
});

export interface Subject {
  readonly user: string;
  readonly roles: readonly string[];
  readonly department?: string;
}

export interface DecisionRequest {
  readonly subject: Subject;
  readonly resource: ResourceRef;
  readonly action: string;
  readonly context: { readonly time?: Date; readonly zone?: string; readonly ip?: string };
}

export type FieldTreatment = 'drop' | 'mask' | 'token';

export interface FieldObligation {
  readonly field: string;
  readonly treatment: FieldTreatment;
  readonly pattern?: string;
}

export interface RowFilter {
  /** CitySOC query language, for people and the audit trail. */
  readonly query: string;
  /** The query tree each store compiles itself (SQL, DSL, an in-memory test). */
  readonly node: QueryNode;
}

export interface Obligations {
  readonly rowFilter?: RowFilter;
  readonly fields?: readonly FieldObligation[];
  /** Set when an emergency grant contributed to the allow. */
  readonly grantId?: string;
}

export interface Decision {
  readonly decision: 'allow' | 'deny';
  /** The policy that decided: its id, or isolation:<user>, grant:<id>, default-deny. */
  readonly reason: string;
  /** Every policy that took part (allows that admitted rows, denies that removed some). */
  readonly matched: readonly string[];
  readonly obligations: Obligations;
}

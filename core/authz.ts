/**
 * The policy decision point's port: what a caller asks (subject, resource, action, context) and
 * what it answers (allow or deny, the policy that decided, and obligations: a row filter for
 * searches, field treatments, the emergency grant used). policy/ implements it; the application
 * services (core/door.ts) and external callers use it.
 */
import type { Doc } from './doc';
import type { Classification } from './event';
import type { QueryNode } from './query/ast';

export const RESOURCE_TYPES = [
  'events',
  'alerts',
  'audit',
  'cases',
  'entities',
  'dataset',
  'emergency',
  'policy',
  'playbooks',
  'rules',
  'account',
  'source',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface ResourceRef {
  readonly type: ResourceType;
  readonly domain?: string;
  readonly dataset?: string;
  readonly table?: string;
  readonly field?: string;
  /** The owning department; absent on a search across departments. */
  readonly department?: string;
  readonly classification?: Classification;
}

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

/**
 * What a caller may see of documents under a decision's field obligations: one object applies the
 * masks to every output (documents, strings inside them, aggregation keys) and limits every input
 * (queries on fields the caller sees masked) — policy/view.ts.
 */
export interface FieldView {
  /** Whether anything is treated for the caller. */
  readonly restricted: boolean;
  /** The caller's query as the store must run it; throws QUERY_FIELD for uses the caller may not make. */
  rewrite(node: QueryNode): QueryNode;
  /** How aggregation keys of the field are shown; throws QUERY_FIELD when the field may not be aggregated. */
  aggregation(field: string): 'clear' | 'token' | 'mask';
  treatBuckets<B extends { key: string | number; count: number }>(field: string, view: 'clear' | 'token' | 'mask', buckets: readonly B[]): B[];
  /** A treated copy of a result document (internal fields always removed). */
  treat<T extends Doc>(doc: T): T;
}

/** The PDP as the application services use it. In memory and synchronous: no I/O per decision. */
export interface Authorizer {
  decide(req: DecisionRequest): Decision;
  /** The view of the field obligations of a decision. */
  view(fields: readonly FieldObligation[] | undefined): FieldView;
  /** The isolation in force for the account, if any: it refuses every action of the account. */
  isolation(user: string, now: Date): { readonly id: string } | null;
  /** The network zone of a caller's address, for zone= conditions. */
  zoneOf(ip: string | undefined): string;
}

/**
 * The policy decision point's port: what a caller asks (subject, resource, action, context) and
 * what it answers (allow or deny, the policy that decided, and obligations: a row filter for
 * searches, field treatments, the emergency grant used). policy/ implements it; the application
 * services (core/door.ts) and external callers use it.
 */
import type { Doc } from './doc';
import type { Classification } from './event';
import type { QueryNode } from './query/ast';

export const RESOURCE_TYPES = ['events', 'alerts', 'audit', 'cases', 'entities', 'dataset', 'emergency', 'policy', 'playbooks', 'rules'] as const;
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

/** The PDP as the application services use it. In memory and synchronous: no I/O per decision. */
export interface Authorizer {
  decide(req: DecisionRequest): Decision;
  /** Applies the field obligations of a decision to a result document (a treated copy). */
  treat<T extends Doc>(doc: T, fields: readonly FieldObligation[] | undefined): T;
  /** The isolation in force for the account, if any: it refuses every action of the account. */
  isolation(user: string, now: Date): { readonly id: string } | null;
  /** The network zone of a caller's address, for zone= conditions. */
  zoneOf(ip: string | undefined): string;
}

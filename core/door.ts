/**
 * The one door every action goes through. An application service is a set of Actions; whoever
 * calls one (a GraphQL resolver, an HTTP route, a CLI verb, a Node-RED node) hands the door an
 * Actor and the input, and the door:
 *   1. refuses the unauthenticated, a person who owes a password change, an isolated account, a
 *      role without the permission, and a caller over its rate limit;
 *   2. runs the action, which asks the PDP through its ActionContext (row filters and field
 *      treatments for searches, a judgement per stored item) — every allow it acts on is noted;
 *   3. appends exactly one audit record: allow (with the decisions it used), deny (with why), or
 *      failure (with the error).
 * Adapters never reach a port themselves, so auditing and enforcement cannot be forgotten.
 */
import type { Actor } from './actor';
import type { AuditInput } from './audit';
import type { Authorizer, Decision, FieldView, ResourceRef, ResourceType } from './authz';
import type { Doc } from './doc';
import { CitySocError, type ErrorCode, isCitySocError } from './errors';
import type { AuditLog } from './ports/audit-log';
import type { QueryNode } from './query/ast';
import { evaluate } from './query/evaluate';
import { can, type Permission } from './roles';

/** A stored item as the PDP judges it: its own department and classification, and its document for the row filter. */
export interface StoredItem {
  readonly kind: string;
  readonly id: string;
  readonly doc: Doc;
  readonly resource: ResourceRef;
}

/** One decision for a search: its row filter goes into the query, its field treatments onto the results. */
export interface Scope {
  readonly decision: Decision;
  /** The field obligations as a view: query rewriting, aggregation keys, documents. */
  readonly view: FieldView;
  /** Row filters to AND into the store's query (empty when the caller sees every row). */
  readonly filters: QueryNode[];
  treat<T extends object>(docs: readonly T[]): T[];
  treatOne<T extends object>(doc: T): T;
}

export interface ActionContext {
  readonly actor: Actor;
  readonly now: Date;
  /** Where the call came from (the HTTP peer), when known. */
  readonly sourceIp: string | undefined;
  /** The PDP's plain answer: nothing noted, nothing thrown. */
  decide(resource: ResourceRef, action?: string): Decision;
  /** An allow the action acts on (noted for its audit record); a deny refuses the whole action. */
  require(resource: ResourceRef, action?: string): Decision;
  /** A search over a collection: row filter and field treatments from one decision; refused when denied. */
  scope(type: ResourceType, action?: string): Scope;
  /**
   * A single stored item: allowed only when the PDP allows its own department and classification
   * and the caller's row filter admits it. A refusal answers NOT_FOUND with the same message as an
   * absent item (so ids of other departments cannot be probed), and is audited as a deny.
   */
  item(item: StoredItem, action?: string): Decision;
  /** The same judgement without refusing: the decision when visible, null when not (lists of mixed items). */
  visible(item: StoredItem, action?: string): Decision | null;
  /** The field view of a decision (masks for documents and aggregation keys, limits for queries). */
  view(decision: Decision): FieldView;
  /** Adds details to the action's audit record (ids created, counts). */
  note(details: Record<string, unknown>): void;
  /** Names the resource in the audit record once it is known (e.g. the id just created). */
  setResource(resource: string): void;
  /** A public action that established who the caller is (sign-in): the audit record names them. */
  identify(actor: Actor): void;
}

export interface Action<I, R> {
  /** The audit action, `<domain>.<verb>`: alerts.transition, cases.create. */
  readonly name: string;
  /** Which role permission the action needs; null: any signed-in actor. */
  readonly permission: Permission | null;
  /** Needs no actor at all (sign-in). */
  readonly public?: boolean;
  /** Allowed while the person still owes the change of a one-time password. */
  readonly beforePasswordChange?: boolean;
  /** The resource for the audit record, from the input. */
  readonly resource?: (input: I) => string;
  /** Details of the input worth keeping in the audit record (never secrets). */
  readonly details?: (input: I) => Record<string, unknown>;
  readonly run: (ctx: ActionContext, input: I) => Promise<R>;
}

export function defineAction<I, R>(a: Action<I, R>): Action<I, R> {
  return a;
}

/** Throttles callers; the door asks before running anything. */
export interface CallLimiter {
  /** null to go on; otherwise the message of the refusal (it names the limit). */
  admit(actor: Actor | null, sourceIp: string | undefined, action: string): string | null;
}

/** Decides whether a refusal of an unauthenticated caller is written (floods are summarised, see AnonymousAuditGate). */
export interface AuditGate {
  admit(sourceIp: string | undefined, now: Date): boolean;
}

export interface DoorOptions {
  readonly authorizer: Authorizer;
  readonly audit: AuditLog;
  readonly clock?: () => Date;
  readonly limiter?: CallLimiter;
  readonly anonymousAudit?: AuditGate;
  /** Where errors that are not CitySOC errors go (bugs): the caller sees INTERNAL only. */
  readonly onInternalError?: (err: unknown, action: string) => void;
}

/** A refusal: audited as a deny with the internal reason, answered with the public message. */
export class Refusal extends CitySocError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly auditReason: string,
    readonly auditResource?: string,
  ) {
    super(code, message);
    this.name = 'Refusal';
  }
}

export interface CallInfo {
  /** Where the caller is (the HTTP peer), when not carried by the actor. */
  readonly sourceIp?: string;
}

type AuditDecision = AuditInput['decision'];

interface Note {
  readonly resource: string;
  readonly reason: string;
  readonly grantId?: string;
  readonly rowFilter?: string;
}

export class Door {
  private readonly clock: () => Date;
  /** Every call the door saw, by action name (the every-path test reads it). */
  readonly performed = new Map<string, number>();

  constructor(private readonly opts: DoorOptions) {
    this.clock = opts.clock ?? (() => new Date());
  }

  get authorizer(): Authorizer {
    return this.opts.authorizer;
  }

  async perform<I, R>(caller: Actor | null, action: Action<I, R>, input: I, info: CallInfo = {}): Promise<R> {
    let actor = caller;
    this.performed.set(action.name, (this.performed.get(action.name) ?? 0) + 1);
    const now = this.clock();
    const sourceIp = actor?.sourceIp ?? info.sourceIp;
    let resource = boundedResource(safe(() => action.resource?.(input)) ?? '');
    const details: Record<string, unknown> = boundedDetails(safe(() => action.details?.(input)) ?? {});
    const notes: Note[] = [];
    const departments = new Set<string>();
    const record = async (decision: AuditDecision, reason: string, extra: { resource?: string } = {}) => {
      if (!actor && decision === 'deny' && this.opts.anonymousAudit && !this.opts.anonymousAudit.admit(sourceIp, now)) return;
      const grantId = notes.find((n) => n.grantId)?.grantId;
      // Each department the action touched: its data owner reads the record (the audit row filter
      // matches any one of a list), so an action across two departments is seen by both owners.
      const department = departments.size === 0 ? undefined : departments.size === 1 ? [...departments][0] : [...departments].sort();
      await this.opts.audit.append({
        actor: actor?.name ?? 'anonymous',
        actorType: actor ? actor.kind : 'anonymous',
        action: action.name,
        resource: extra.resource ?? resource,
        decision,
        reason,
        ...(sourceIp ? { sourceIp } : {}),
        details: {
          ...details,
          ...(actor && actor.person !== actor.name ? { person: actor.person } : {}),
          ...(actor?.run ? { run: actor.run } : {}),
          ...(notes.length ? { authz: notes } : {}),
          ...(grantId ? { grantId } : {}),
          // an input's empty department (null: "all departments") must not hide the record from the
          // data owners of the departments the action touched
          ...(department !== undefined && (details.department === undefined || details.department === null) ? { department } : {}),
        },
      });
    };
    const refuse = async (code: ErrorCode, message: string, reason = message): Promise<never> => {
      await record('deny', reason);
      throw new CitySocError(code, message);
    };

    if (!actor) {
      if (!action.public) return refuse('UNAUTHENTICATED', 'sign in first: send Authorization: Bearer <token>');
    } else {
      if (actor.mustChangePassword && !action.beforePasswordChange)
        return refuse('PASSWORD_CHANGE_REQUIRED', 'change the one-time password first (mutation changePassword)');
      const isolated = this.opts.authorizer.isolation(actor.name, now);
      if (isolated) return refuse('FORBIDDEN', `account ${actor.name} is isolated`, `isolation:${isolated.id}`);
      if (action.permission && !can(actor.roles, action.permission))
        return refuse('FORBIDDEN', `${action.name} needs the permission ${action.permission}, which roles ${actor.roles.join(', ') || '(none)'} do not grant`);
    }
    const limited = this.opts.limiter?.admit(actor, sourceIp, action.name);
    if (limited) return refuse('RATE_LIMITED', limited);

    const ctx = actor
      ? this.context(actor, now, sourceIp, notes, departments, details, (r) => (resource = r))
      : anonymousContext(
          now,
          sourceIp,
          details,
          (r) => (resource = r),
          (a) => (actor = a),
        );
    try {
      const result = await action.run(ctx, input);
      await record('allow', action.permission ? `role grants ${action.permission}` : actor ? 'signed-in access' : 'public action');
      return result;
    } catch (e) {
      if (e instanceof Refusal) {
        await record('deny', e.auditReason, e.auditResource !== undefined ? { resource: e.auditResource } : {});
        throw new CitySocError(e.code, e.message);
      }
      if (isCitySocError(e)) {
        await record('failure', e.message);
        throw e;
      }
      this.opts.onInternalError?.(e, action.name);
      await record('failure', `internal error: ${(e as Error)?.message ?? String(e)}`);
      throw new CitySocError('INTERNAL', 'internal error; the server log has the details');
    }
  }

  private context(
    actor: Actor,
    now: Date,
    sourceIp: string | undefined,
    notes: Note[],
    departments: Set<string>,
    details: Record<string, unknown>,
    setResource: (r: string) => void,
  ): ActionContext {
    const authorizer = this.opts.authorizer;
    const request = (resource: ResourceRef, action: string) => ({
      subject: { user: actor.name, roles: actor.roles, ...(actor.department ? { department: actor.department } : {}) },
      resource,
      action,
      context: { time: now, zone: authorizer.zoneOf(sourceIp), ...(sourceIp ? { ip: sourceIp } : {}) },
    });
    const decide = (resource: ResourceRef, action = 'read') => authorizer.decide(request(resource, action));
    const noteAllow = (what: string, d: Decision, department?: string) => {
      if (department !== undefined) departments.add(department);
      notes.push({
        resource: what,
        reason: d.reason,
        ...(d.obligations.grantId ? { grantId: d.obligations.grantId } : {}),
        ...(d.obligations.rowFilter ? { rowFilter: d.obligations.rowFilter.query } : {}),
      });
    };
    const judge = (item: StoredItem, action: string): Decision => {
      const d = decide(item.resource, action);
      if (d.decision === 'allow' && d.obligations.rowFilter && !evaluate(d.obligations.rowFilter.node, item.doc))
        return { ...d, decision: 'deny', reason: 'row-filter' };
      return d;
    };
    const label = (r: ResourceRef) => `${r.type}${r.department ? `@${r.department}` : ''}`;
    return {
      actor,
      now,
      sourceIp,
      decide,
      require(resource, action = 'read') {
        const d = decide(resource, action);
        if (d.decision === 'deny')
          throw new Refusal('FORBIDDEN', `no policy lets ${actor.name} ${action} ${label(resource)}`, `policy: ${d.reason}`, label(resource));
        noteAllow(label(resource), d, resource.department);
        return d;
      },
      scope(type, action = 'read') {
        const d = decide({ type }, action);
        if (d.decision === 'deny') throw new Refusal('FORBIDDEN', `no policy lets ${actor.name} ${action} ${type}`, `policy: ${d.reason}`, type);
        noteAllow(type, d);
        const view = authorizer.view(d.obligations.fields);
        return {
          decision: d,
          view,
          filters: d.obligations.rowFilter ? [d.obligations.rowFilter.node] : [],
          treat: (docs) => docs.map((doc) => view.treat(doc as unknown as Doc) as unknown as (typeof docs)[number]),
          treatOne: (doc) => view.treat(doc as unknown as Doc) as unknown as typeof doc,
        };
      },
      item(item, action = 'read') {
        const d = judge(item, action);
        if (d.decision === 'deny') {
          // The refusal is about the item's department: its data owner reads the record (audit row filter).
          if (item.resource.department !== undefined) departments.add(item.resource.department);
          details.access = action;
          throw new Refusal('NOT_FOUND', `no ${item.kind} ${item.id}`, `policy: ${d.reason}`, `${item.kind}:${item.id}`);
        }
        noteAllow(`${item.kind}:${item.id}`, d, item.resource.department);
        return d;
      },
      visible(item, action = 'read') {
        const d = judge(item, action);
        return d.decision === 'allow' ? d : null;
      },
      view: (d) => authorizer.view(d.obligations.fields),
      note: (extra) => Object.assign(details, extra),
      setResource,
      identify: () => {
        throw new CitySocError('INTERNAL', 'identify() is for public actions only');
      },
    };
  }
}

/** A public action (sign-in) may not consult the PDP: there is nobody to decide for. */
function anonymousContext(
  now: Date,
  sourceIp: string | undefined,
  details: Record<string, unknown>,
  setResource: (r: string) => void,
  identify: (a: Actor) => void,
): ActionContext {
  const nobody = (): never => {
    throw new CitySocError('UNAUTHENTICATED', 'sign in first: send Authorization: Bearer <token>');
  };
  return {
    actor: { kind: 'system', name: 'anonymous', roles: [], person: 'anonymous' },
    now,
    sourceIp,
    decide: nobody,
    require: nobody,
    scope: nobody,
    item: nobody,
    visible: nobody,
    view: nobody,
    note: (extra) => Object.assign(details, extra),
    setResource,
    identify,
  };
}

/**
 * The resource and details are taken from the input before the action checks it: a hostile input
 * past these bounds is kept as its size, so one call cannot write megabytes into the trail.
 */
const AUDITED_RESOURCE_MAX = 1024;
const AUDITED_DETAILS_MAX = 32 * 1024;

function boundedResource(r: string): string {
  return r.length <= AUDITED_RESOURCE_MAX ? r : `${r.slice(0, 22)}… (${r.length} characters)`;
}

function boundedDetails(d: Record<string, unknown>): Record<string, unknown> {
  const size = safe(() => JSON.stringify(d).length) ?? Infinity;
  return size <= AUDITED_DETAILS_MAX ? { ...d } : { inputTooLarge: size };
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

type AnyAction = Action<never, unknown>;
type InputOf<A> = A extends Action<infer I, unknown> ? I : never;
type ResultOf<A> = A extends Action<never, infer R> ? R : never;

/** A service's actions bound to the door: `service.list(actor, input)`. */
export type Bound<A extends Record<string, AnyAction>> = {
  readonly [K in keyof A]: (actor: Actor | null, input: InputOf<A[K]>, info?: CallInfo) => Promise<ResultOf<A[K]>>;
};

export function bind<A extends Record<string, AnyAction>>(door: Door, actions: A): Bound<A> {
  const out: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(actions))
    out[k] = (actor: Actor | null, input: unknown, info?: CallInfo) => door.perform(actor, a as Action<unknown, unknown>, input, info);
  return out as Bound<A>;
}

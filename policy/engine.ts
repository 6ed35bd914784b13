/**
 * The compiled policy: casbin's tuples indexed by role, evaluated with the matcher's semantics
 * (model.conf) without scanning every line. Casbin evaluates its matcher against each policy in
 * turn, about 2.7 ms per decision at 1,000 lines; this index touches only the lines of the
 * subject's roles. A search (no department or classification given) is partially evaluated:
 * the rules that would apply to some rows become a row filter instead of a yes/no.
 */
import type { Classification } from '../core/event';
import { and, type QueryNode } from '../core/query/ast';
import { classificationHolds, contextHolds, type ConditionContext } from './conditions';
import type { FieldObligation, Subject } from './decision';
import { actionMatch, isCollection, type ResourceRef, resourceMatch, resourcePath, ROW_FIELDS } from './resource';
import type { AccessRule, FieldRule, RoleLink } from './rules';

/**
 * Roles a subject holds everywhere when its request names them: the platform's own. Every other
 * role is held only in the subject's department; a subject without a department holds them
 * nowhere, so it sees nothing of any department unless a g line gives it a department (or `*`).
 */
const PLATFORM_ROLES = new Set(['admin', 'auditor', 'security_lead', 'playbook']);

/** An allow or deny that applies to the rows of one department (or all) and some classifications (or all). */
export interface Product {
  readonly id: string;
  readonly dom: string;
  readonly cls: ReadonlySet<Classification> | null;
  readonly grantId?: string;
}

export interface ExtraAllow {
  readonly id: string;
  readonly grantId: string;
  readonly department: string;
  readonly obj: string;
  readonly act: string;
}

export interface Evaluation {
  readonly allows: Product[];
  readonly denies: Product[];
}

function narrower(a: string, b: string): string | null {
  if (a === '*') return b;
  if (b === '*' || a === b) return a;
  return null;
}

type Holdings = ReadonlyArray<readonly [role: string, dom: string]>;

export class CompiledPolicy {
  private readonly accessByRole = new Map<string, AccessRule[]>();
  private readonly fieldsByRole = new Map<string, FieldRule[]>();
  private readonly linksByMember = new Map<string, RoleLink[]>();
  private readonly holdingsMemo = new Map<string, Holdings>();

  constructor(
    readonly version: number,
    access: readonly AccessRule[],
    fields: readonly FieldRule[],
    links: readonly RoleLink[],
  ) {
    for (const r of access) push(this.accessByRole, r.sub, r);
    for (const r of fields) push(this.fieldsByRole, r.sub, r);
    for (const l of links) push(this.linksByMember, l.member, l);
  }

  /** (role, department) pairs the subject holds: from its request, its g lines, and inheritance. */
  holdings(s: Subject): Holdings {
    const key = `${s.user}\u0000${s.department ?? ''}\u0000${s.roles.join(',')}`;
    const memo = this.holdingsMemo.get(key);
    if (memo) return memo;
    const held = new Map<string, Set<string>>();
    const queue: [string, string][] = [];
    const hold = (role: string, dom: string) => {
      const doms = held.get(role) ?? new Set<string>();
      if (doms.has(dom) || doms.has('*')) return;
      held.set(role, doms.add(dom));
      queue.push([role, dom]);
    };
    for (const role of s.roles) {
      if (PLATFORM_ROLES.has(role)) hold(role, '*');
      else if (s.department) hold(role, s.department);
    }
    for (const l of this.linksByMember.get(s.user) ?? []) hold(l.role, l.dom);
    while (queue.length) {
      const [role, dom] = queue.shift()!;
      for (const l of this.linksByMember.get(role) ?? []) {
        const d = narrower(dom, l.dom);
        if (d !== null) hold(l.role, d);
      }
    }
    const out: [string, string][] = [];
    for (const [role, doms] of held) for (const d of doms) if (!(d !== '*' && doms.has('*'))) out.push([role, d]);
    out.push(['*', '*']);
    if (this.holdingsMemo.size > 50_000) this.holdingsMemo.clear();
    this.holdingsMemo.set(key, out);
    return out;
  }

  evaluate(s: Subject, r: ResourceRef, action: string, ctx: ConditionContext, extra: readonly ExtraAllow[] = []): Evaluation {
    const path = resourcePath(r);
    const collection = isCollection(r.type);
    const hasClsField = ROW_FIELDS[r.type]?.classification !== undefined;
    // Only data carries a classification; on other resources a classification clause never holds.
    const classified = r.type === 'dataset' || hasClsField;
    const allows: Product[] = [];
    const denies: Product[] = [];
    for (const [role, held] of this.holdings(s)) {
      for (const rule of this.accessByRole.get(role) ?? []) {
        const effDom = narrower(held, rule.dom);
        if (effDom === null || !resourceMatch(path, rule.obj) || !actionMatch(action, rule.act)) continue;
        const allow = rule.eft === 'allow';
        const ctxHolds = contextHolds(rule.cond, ctx);
        if (allow ? ctxHolds !== true : ctxHolds === false) continue;
        let dom = '*';
        if (r.department !== undefined) {
          if (effDom !== '*' && effDom !== r.department) continue;
        } else if (collection) dom = effDom;
        else if (allow && effDom !== '*') continue;
        let cls: ReadonlySet<Classification> | null = null;
        if (!classified && rule.cond.classifications) continue;
        if (r.classification !== undefined) {
          const holds = classificationHolds(rule.cond, r.classification);
          if (allow ? holds !== true : holds === false) continue;
        } else if (collection && hasClsField) cls = rule.cond.classifications;
        else if (allow && rule.cond.classifications) continue;
        (allow ? allows : denies).push({ id: rule.id, dom, cls });
      }
    }
    for (const g of extra) {
      if (!resourceMatch(path, g.obj) || !actionMatch(action, g.act)) continue;
      if (r.department !== undefined) {
        if (r.department === g.department) allows.push({ id: g.id, dom: '*', cls: null, grantId: g.grantId });
      } else if (collection) allows.push({ id: g.id, dom: g.department, cls: null, grantId: g.grantId });
    }
    return { allows, denies };
  }

  /** Field treatments for an allowed request; visibleDomains: the departments whose rows it may see. */
  fieldTreatments(s: Subject, r: ResourceRef, visibleDomains: ReadonlySet<string> | '*'): FieldObligation[] {
    const path = resourcePath(r);
    const strictest = new Map<string, FieldRule>();
    const cleared = new Set<string>();
    const RANK = { mask: 1, token: 2, drop: 3, clear: 0 } as const;
    for (const [role, held] of this.holdings(s)) {
      for (const rule of this.fieldsByRole.get(role) ?? []) {
        const effDom = narrower(held, rule.dom);
        if (effDom === null || !resourceMatch(path, rule.obj)) continue;
        if (rule.treatment === 'clear') {
          // Clear only if the owner's domain covers every row the subject can see.
          const covers =
            effDom === '*' || (r.department !== undefined ? r.department === effDom : visibleDomains !== '*' && [...visibleDomains].every((d) => d === effDom));
          if (covers) cleared.add(rule.field);
          continue;
        }
        if (r.department !== undefined && effDom !== '*' && effDom !== r.department) continue;
        const cur = strictest.get(rule.field);
        if (!cur || RANK[rule.treatment] > RANK[cur.treatment]) strictest.set(rule.field, rule);
      }
    }
    const out: FieldObligation[] = [];
    for (const [field, rule] of strictest) {
      if (cleared.has(field)) continue;
      out.push({ field, treatment: rule.treatment as FieldObligation['treatment'], ...(rule.pattern ? { pattern: rule.pattern } : {}) });
    }
    return out;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** The row predicate of a product: its department and classifications; rows without a classification count as 公开. */
export function productNode(p: Product, fields: { department: string; classification?: string }): QueryNode {
  const parts: QueryNode[] = [];
  if (p.dom !== '*') parts.push({ type: 'keyword', field: fields.department, value: p.dom });
  if (p.cls && fields.classification) {
    const f = fields.classification;
    const alts: QueryNode[] = [...p.cls].map((c) => ({ type: 'keyword', field: f, value: c }));
    if (p.cls.has('公开')) alts.push({ type: 'not', child: { type: 'exists', field: f } });
    parts.push(alts.length === 1 ? alts[0]! : { type: 'or', children: alts });
  }
  return and(...parts);
}

/**
 * The policy decision point. In memory and synchronous: isolation first (it overrides
 * everything), then the compiled policy plus any active emergency grant, deny overriding allow.
 * A search becomes an allow with a row filter (a query tree, and its text for people);
 * fields get their treatments. No I/O per decision: auditing is the caller's (decision-audit.ts).
 */
import { type QueryNode, and } from '../core/query/ast';
import { callerIp } from './zones';
import type { Doc } from '../core/doc';
import type { Decision, DecisionRequest, FieldObligation, RowFilter } from './decision';
import { type CompiledPolicy, type ExtraAllow, type Product, productNode } from './engine';
import { applyFieldTreatments, type Tokenizer } from './masking';
import { filterText } from '../core/query/to-text';
import { isCollection, ROW_FIELDS } from './resource';

export interface IsolationView {
  /** The isolation in force for the user at `now`, if any. */
  isolation(user: string, now: Date): { readonly id: string } | null;
}

export interface GrantView {
  activeGrants(user: string, now: Date): readonly ExtraAllow[];
}

export interface PdpOptions {
  readonly policy: () => CompiledPolicy;
  readonly isolation?: IsolationView;
  readonly grants?: GrantView;
  readonly clock?: () => Date;
  readonly tokenizer: Tokenizer;
  /** Local time for hours= conditions; China Standard Time has no daylight saving. */
  readonly utcOffsetMinutes?: number;
}

const DENY_NO_ALLOW = 'default-deny';

function uniq(ps: readonly Product[]): Product[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.id}\u0000${p.dom}\u0000${p.cls ? [...p.cls].sort().join('|') : '*'}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

export class PolicyDecisionPoint {
  private readonly clock: () => Date;
  private readonly offsetMs: number;
  private readonly filterCache = new Map<string, RowFilter>();

  constructor(private readonly opts: PdpOptions) {
    this.clock = opts.clock ?? (() => new Date());
    this.offsetMs = (opts.utcOffsetMinutes ?? 480) * 60_000;
  }

  decide(req: DecisionRequest): Decision {
    return this.decideWith(this.opts.policy(), req);
  }

  decideBatch(reqs: readonly DecisionRequest[]): Decision[] {
    const policy = this.opts.policy();
    return reqs.map((r) => this.decideWith(policy, r));
  }

  decideWith(policy: CompiledPolicy, req: DecisionRequest): Decision {
    const now = req.context.time ?? this.clock();
    const { subject, resource, action } = req;
    const iso = this.opts.isolation?.isolation(subject.user, now);
    if (iso) return { decision: 'deny', reason: `isolation:${iso.id}`, matched: [`isolation:${iso.id}`], obligations: {} };
    const minute = Math.floor(((((now.getTime() + this.offsetMs) % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
    const ctx = {
      minute,
      ...(req.context.zone !== undefined ? { zone: req.context.zone } : {}),
      // One canonical form for every caller (HTTP or in-process), so an ip= deny cannot be
      // sidestepped by another notation; an address that does not parse is left unknown.
      ...(callerIp(req.context.ip) !== undefined ? { ip: callerIp(req.context.ip)! } : {}),
    };
    const extra = this.opts.grants?.activeGrants(subject.user, now) ?? [];
    const ev = policy.evaluate(subject, resource, action, ctx, extra);
    const allows = uniq(ev.allows);
    const denies = uniq(ev.denies);
    const matched = [...new Set([...allows, ...denies].map((p) => p.id))];
    const full = (p: Product) => p.dom === '*' && p.cls === null;
    const denyAll = denies.find(full);
    if (denyAll) return { decision: 'deny', reason: denyAll.id, matched, obligations: {} };
    if (allows.length === 0) return { decision: 'deny', reason: DENY_NO_ALLOW, matched, obligations: {} };
    // Prefer a standing policy over a grant as the reason: the grant tag means "needed the grant".
    const allowAll = allows.find((p) => full(p) && !p.grantId) ?? allows.find(full);
    let rowFilter: RowFilter | undefined;
    let visible: ReadonlySet<string> | '*' = '*';
    if (!allowAll || denies.length > 0) {
      const fields = ROW_FIELDS[resource.type];
      if (!isCollection(resource.type) || !fields) return { decision: 'deny', reason: denies[0]?.id ?? DENY_NO_ALLOW, matched, obligations: {} };
      rowFilter = this.rowFilter(resource.type, allowAll ? [] : allows, denies, fields);
      if (!allowAll && !allows.some((p) => p.dom === '*')) visible = new Set(allows.map((p) => p.dom));
    }
    const grant = allowAll ? allowAll.grantId : allows.find((p) => p.grantId)?.grantId;
    const fields = policy.fieldTreatments(subject, resource, visible);
    const reason = grant && (!allowAll || allowAll.grantId) ? `grant:${grant}` : (allowAll ?? allows[0]!).id;
    return {
      decision: 'allow',
      reason,
      matched,
      obligations: { ...(rowFilter ? { rowFilter } : {}), ...(fields.length ? { fields } : {}), ...(grant ? { grantId: grant } : {}) },
    };
  }

  private rowFilter(type: string, allows: readonly Product[], denies: readonly Product[], fields: { department: string; classification?: string }): RowFilter {
    const sig = (ps: readonly Product[]) =>
      ps
        .map((p) => `${p.dom}:${p.cls ? [...p.cls].sort().join('|') : '*'}`)
        .sort()
        .join(',');
    const key = `${type}\u0000${sig(allows)}\u0000${sig(denies)}`;
    const hit = this.filterCache.get(key);
    if (hit) return hit;
    const or = (ps: readonly Product[]): QueryNode => {
      const nodes = ps.map((p) => productNode(p, fields)).flatMap((n) => (n.type === 'or' ? n.children : [n]));
      return nodes.length === 1 ? nodes[0]! : { type: 'or', children: nodes };
    };
    const node = and(allows.length ? or(allows) : { type: 'all' }, denies.length ? { type: 'not', child: or(denies) } : { type: 'all' });
    const f: RowFilter = { query: filterText(node), node };
    if (this.filterCache.size > 10_000) this.filterCache.clear();
    this.filterCache.set(key, f);
    return f;
  }

  /** Applies the field obligations of a decision to a result document. */
  treat<T extends Doc>(doc: T, fields: readonly FieldObligation[] | undefined): T {
    if (!fields || fields.length === 0) return doc;
    return applyFieldTreatments(doc, fields, this.opts.tokenizer);
  }
}

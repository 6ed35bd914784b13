/**
 * The policy as a service: loads it through the store's adapter (seeding the shipped defaults
 * on first start), compiles it for the PDP, and makes runtime changes — validated, persisted,
 * announced to other replicas (the door audits each change with before and after) — plus dry runs that show which
 * sample decisions a change would flip before it is made.
 */
import type { Adapter, Enforcer } from 'casbin';
import type { AuditLog } from '../core/ports/audit-log';
import { CitySocError } from '../core/errors';
import type { Decision, DecisionRequest } from './decision';
import { CompiledPolicy } from './engine';
import { createEnforcer } from './enforcer';
import { type SourcedLine } from './policy-file';
import { type ParsedLine, parseTuple, type PolicyType, toTuple } from './rules';
import type { AccessRule, FieldRule, RoleLink } from './rules';

/** What a change did, for its audit record (written by the door, see policy/actions.ts). */
export interface AppliedChange {
  readonly ptype: PolicyType;
  readonly id: string;
  readonly before: string[] | null;
  readonly after: string[] | null;
  readonly version: number;
}

export interface PolicyLine {
  readonly ptype: PolicyType;
  readonly values: string[];
}

export type PolicyChange =
  | { readonly op: 'add'; readonly line: PolicyLine }
  | { readonly op: 'remove'; readonly line: PolicyLine }
  | { readonly op: 'update'; readonly before: PolicyLine; readonly after: PolicyLine };

export interface SeedableAdapter extends Adapter {
  isEmpty(): boolean | Promise<boolean>;
}

function validate(l: PolicyLine): ParsedLine {
  const r = parseTuple(l.ptype, l.values);
  if (!r.ok) throw new CitySocError('INPUT_INVALID', `policy ${l.ptype} ${JSON.stringify(l.values)}: ${r.error}`);
  return r.line;
}

function compile(version: number, lines: readonly ParsedLine[]): CompiledPolicy {
  const access: AccessRule[] = [];
  const fields: FieldRule[] = [];
  const links: RoleLink[] = [];
  for (const l of lines) {
    if (l.ptype === 'p') access.push(l.rule);
    else if (l.ptype === 'p2') fields.push(l.rule);
    else links.push(l.rule);
  }
  return new CompiledPolicy(version, access, fields, links);
}

export class PolicyService {
  private current!: CompiledPolicy;
  private version = 0;
  private readonly listeners: (() => void)[] = [];

  private constructor(
    readonly enforcer: Enforcer,
    private readonly audit: AuditLog,
  ) {}

  static async open(adapter: SeedableAdapter, audit: AuditLog, defaults: () => SourcedLine[]): Promise<PolicyService> {
    if (await adapter.isEmpty()) {
      const lines = defaults();
      for (const { line } of lines) await adapter.addPolicy(line.ptype === 'g' ? 'g' : 'p', line.ptype, toTuple(line));
      await audit.append({
        actor: 'system',
        actorType: 'system',
        action: 'policy.seed',
        resource: 'policy',
        decision: 'success',
        reason: `first start: ${lines.length} default policy lines`,
        details: { sources: [...new Set(lines.map((l) => l.source.replace(/:\d+$/, '')))] },
      });
    }
    const svc = new PolicyService(await createEnforcer(adapter), audit);
    svc.recompile();
    return svc;
  }

  compiled(): CompiledPolicy {
    return this.current;
  }

  onChange(f: () => void): void {
    this.listeners.push(f);
  }

  private lines(): ParsedLine[] {
    const m = this.enforcer.getModel();
    const out: ParsedLine[] = [];
    for (const [sec, ptype] of [
      ['p', 'p'],
      ['p', 'p2'],
      ['g', 'g'],
    ] as const) {
      for (const values of m.model.get(sec)?.get(ptype)?.policy ?? []) {
        const r = parseTuple(ptype, values);
        // The store only ever receives validated lines; one that is not was edited by hand.
        if (!r.ok) throw new CitySocError('CONFIG_INVALID', `stored policy ${ptype} ${JSON.stringify(values)}: ${r.error}`);
        out.push(r.line);
      }
    }
    return out;
  }

  private recompile(): void {
    this.current = compile(++this.version, this.lines());
    for (const f of this.listeners) f();
  }

  /** Another replica changed the policy: read it again from the store. */
  async reload(): Promise<void> {
    await this.enforcer.loadPolicy();
    this.recompile();
  }

  list(ptype?: PolicyType): PolicyLine[] {
    return this.lines()
      .filter((l) => !ptype || l.ptype === ptype)
      .map((l) => ({ ptype: l.ptype, values: toTuple(l) }));
  }

  private find(ptype: PolicyType, id: string): PolicyLine | undefined {
    return this.list(ptype).find((l) => l.values[0] === id);
  }

  /** The policy with a change applied, without persisting it: what dry runs decide with. */
  preview(change: PolicyChange): CompiledPolicy {
    const lines = this.lines();
    const key = (l: ParsedLine) => `${l.ptype}\u0000${toTuple(l).join('\u0000')}`;
    const drop = change.op === 'remove' ? change.line : change.op === 'update' ? change.before : null;
    const add = change.op === 'add' ? change.line : change.op === 'update' ? change.after : null;
    let next = lines;
    if (drop) {
      const k = key(validate(drop));
      if (!lines.some((l) => key(l) === k)) throw new CitySocError('NOT_FOUND', `no policy ${drop.ptype} ${JSON.stringify(drop.values)}`);
      next = next.filter((l) => key(l) !== k);
    }
    if (add) next = [...next, validate(add)];
    return compile(-1, next);
  }

  dryRun(
    change: PolicyChange,
    samples: readonly DecisionRequest[],
    decide: (p: CompiledPolicy, r: DecisionRequest) => Decision,
  ): { index: number; before: Decision; after: Decision }[] {
    const after = this.preview(change);
    const flips: { index: number; before: Decision; after: Decision }[] = [];
    samples.forEach((s, index) => {
      const b = decide(this.current, s);
      const a = decide(after, s);
      if (
        b.decision !== a.decision ||
        b.obligations.rowFilter?.query !== a.obligations.rowFilter?.query ||
        JSON.stringify(b.obligations.fields ?? []) !== JSON.stringify(a.obligations.fields ?? [])
      )
        flips.push({ index, before: b, after: a });
    });
    return flips;
  }

  async apply(change: PolicyChange): Promise<AppliedChange> {
    const before = change.op === 'add' ? null : change.op === 'remove' ? change.line : change.before;
    const after = change.op === 'remove' ? null : change.op === 'add' ? change.line : change.after;
    if (after) {
      const parsed = validate(after);
      if (parsed.ptype !== 'g') {
        const clash = this.find(parsed.ptype, parsed.rule.id);
        if (clash && (!before || before.values[0] !== parsed.rule.id))
          throw new CitySocError('CONFLICT', `a ${parsed.ptype} policy with id ${parsed.rule.id} exists already`);
      }
    }
    this.preview(change);
    const e = this.enforcer;
    const sec = (l: PolicyLine) => (l.ptype === 'g' ? 'g' : 'p');
    const rm = (l: PolicyLine) => (sec(l) === 'g' ? e.removeNamedGroupingPolicy(l.ptype, ...l.values) : e.removeNamedPolicy(l.ptype, ...l.values));
    const add = (l: PolicyLine) => (sec(l) === 'g' ? e.addNamedGroupingPolicy(l.ptype, ...l.values) : e.addNamedPolicy(l.ptype, ...l.values));
    if (before) await rm(before);
    if (after) await add(toLine(validate(after)));
    this.recompile();
    const line = (after ?? before)!;
    return { ptype: line.ptype, id: line.values[0]!, before: before?.values ?? null, after: after?.values ?? null, version: this.version };
  }

  getById(ptype: PolicyType, id: string): PolicyLine | undefined {
    return this.find(ptype, id);
  }
}

function toLine(l: ParsedLine): PolicyLine {
  return { ptype: l.ptype, values: toTuple(l) };
}

/**
 * A casbin adapter over the profile's StateStore (SQLite when embedded, the search cluster when
 * clustered), so that every replica loads the same policy. Casbin's policy is a set: one
 * document per line, its id the line itself, so adding a line twice keeps one.
 */
import type { Adapter, Model } from 'casbin';
import type { StateStore } from '../../core/ports/state-store';

const COLLECTION = 'policy';
/** Values each ptype has, so trailing empty values (an empty condition) survive a round trip. */
const WIDTHS: Readonly<Record<string, number>> = { p: 7, p2: 7, g: 3 };

interface LineDoc {
  readonly ptype: string;
  readonly values: string[];
  /** When the line was added (µs-scaled and strictly increasing per writer): lines load in the order they were written. */
  readonly order: number;
}

function lineId(ptype: string, rule: readonly string[]): string {
  return JSON.stringify([ptype, ...rule.slice(0, WIDTHS[ptype] ?? rule.length)]);
}

function width(ptype: string, rule: readonly string[]): string[] {
  const w = WIDTHS[ptype] ?? rule.length;
  return [...rule.slice(0, w), ...Array<string>(Math.max(0, w - rule.length)).fill('')];
}

export class StatePolicyAdapter implements Adapter {
  private last = 0;

  constructor(private readonly state: StateStore) {}

  async isEmpty(): Promise<boolean> {
    return (await this.state.all(COLLECTION)).length === 0;
  }

  private async lines(): Promise<LineDoc[]> {
    return (await this.state.all(COLLECTION)).map((d) => d.doc as unknown as LineDoc).sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  }

  async loadPolicy(model: Model): Promise<void> {
    for (const { ptype, values } of await this.lines()) model.addPolicy(ptype.startsWith('g') ? 'g' : 'p', ptype, values);
  }

  async savePolicy(model: Model): Promise<boolean> {
    const keep = new Set<string>();
    for (const sec of ['p', 'g']) {
      for (const [ptype, ast] of model.model.get(sec) ?? new Map()) {
        for (const rule of ast.policy as string[][]) {
          keep.add(lineId(ptype, rule));
          await this.addPolicy(sec, ptype, rule);
        }
      }
    }
    for (const { ptype, values } of await this.lines()) if (!keep.has(lineId(ptype, values))) await this.state.remove(COLLECTION, lineId(ptype, values));
    return true;
  }

  async addPolicy(_sec: string, ptype: string, rule: string[]): Promise<void> {
    const order = (this.last = Math.max(Date.now() * 1000, this.last + 1));
    await this.state.put(COLLECTION, lineId(ptype, width(ptype, rule)), { ptype, values: width(ptype, rule), order });
  }

  async removePolicy(_sec: string, ptype: string, rule: string[]): Promise<void> {
    await this.state.remove(COLLECTION, lineId(ptype, width(ptype, rule)));
  }

  async removeFilteredPolicy(_sec: string, ptype: string, fieldIndex: number, ...fieldValues: string[]): Promise<void> {
    for (const { ptype: t, values } of await this.lines()) {
      if (t !== ptype) continue;
      if (fieldValues.every((v, i) => v === '' || values[fieldIndex + i] === v)) await this.state.remove(COLLECTION, lineId(t, values));
    }
  }
}

/**
 * The department catalogue: each department has a code (`cg`) and a display name (`城管`), and
 * either is accepted wherever a department is named — a collector's tag, a user's department, an
 * emergency grant, a policy line — and resolved to the one canonical form. Events keep the name in
 * `organization.name` (which row filters read) and the code in `organization.id`. Kept in the
 * StateStore so every replica resolves alike; seeded on first start.
 */
import { z } from 'zod';
import { CitySocError } from '../core/errors';
import type { StateStore } from '../core/ports/state-store';

export const Department = z.strictObject({
  code: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\p{L}\p{N}._:-]+$/u, 'letters of any script, digits, . _ - :'),
});
export type Department = z.infer<typeof Department>;

/** The departments of a city brain's first start; admins edit the catalogue afterwards. */
export const DEFAULT_DEPARTMENTS: readonly Department[] = [
  { code: 'ga', name: '公安' },
  { code: 'cg', name: '城管' },
  { code: 'wjw', name: '卫健委' },
  { code: 'jt', name: '交通' },
  { code: 'yj', name: '应急' },
  { code: 'jy', name: '教育' },
  { code: 'mz', name: '民政' },
  { code: 'zrzy', name: '自然资源' },
  { code: 'sjj', name: '数据局' },
];

const COLLECTION = 'departments';

export class DepartmentCatalogue {
  private byKey = new Map<string, Department>();
  private list_: Department[] = [];

  private constructor(
    private readonly state: StateStore,
    private readonly announce: () => Promise<void>,
  ) {}

  /** `announce` tells other replicas of a change (they reload on departments.changed). */
  static async open(
    state: StateStore,
    seed: readonly Department[] = DEFAULT_DEPARTMENTS,
    announce: () => Promise<void> = async () => undefined,
  ): Promise<DepartmentCatalogue> {
    const c = new DepartmentCatalogue(state, announce);
    if ((await state.all(COLLECTION)).length === 0) for (const d of seed) await state.create(COLLECTION, d.code, { ...d });
    await c.reload();
    return c;
  }

  async reload(): Promise<void> {
    const docs = (await this.state.all(COLLECTION)).map((d) => d.doc as unknown as Department);
    this.list_ = docs.sort((a, b) => (a.code < b.code ? -1 : 1));
    this.byKey = new Map();
    for (const d of docs) {
      this.byKey.set(d.code, d);
      this.byKey.set(d.name, d);
    }
  }

  list(): Department[] {
    return [...this.list_];
  }

  /** The department a code or name denotes, or null. */
  find(codeOrName: string): Department | null {
    return this.byKey.get(codeOrName) ?? this.byKey.get(codeOrName.toLowerCase()) ?? null;
  }

  /** The canonical name for a code or name given at an edge; an unknown one is refused, naming the known ones. */
  resolve(codeOrName: string, where: string): string {
    const d = this.find(codeOrName);
    if (!d)
      throw new CitySocError(
        'INPUT_INVALID',
        `${where}: no department '${codeOrName}'; known: ${this.list_.map((x) => `${x.name} (${x.code})`).join(', ') || 'none (add one first)'}`,
      );
    return d.name;
  }

  async put(d: Department): Promise<Department> {
    const parsed = Department.safeParse(d);
    if (!parsed.success)
      throw new CitySocError('INPUT_INVALID', `department: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const clash = this.byKey.get(parsed.data.name);
    if (clash && clash.code !== parsed.data.code) throw new CitySocError('CONFLICT', `the name ${parsed.data.name} belongs to department ${clash.code}`);
    const same = this.byKey.get(parsed.data.code);
    // Stored events, alerts and policies carry the name: renaming would silently cut them off.
    if (same && same.name !== parsed.data.name)
      throw new CitySocError(
        'CONFLICT',
        `department ${same.code} is ${same.name}; names are kept for good (stored data carries them): add a new department instead`,
      );
    await this.state.put(COLLECTION, parsed.data.code, { ...parsed.data });
    await this.reload();
    await this.announce();
    return parsed.data;
  }
}

/**
 * A collector may tag events with a department's code (cg) or its name (城管); row filters and
 * alerts read the name. Known codes become the name in organization.name, with the code in
 * organization.id. Applied by the indexer and by detection alike.
 */
export function canonicalDepartment<E extends { organization?: unknown }>(e: E, departments: DepartmentCatalogue): E {
  const org = e.organization as { name?: unknown; id?: unknown } | undefined;
  if (!org || typeof org.name !== 'string') return e;
  const d = departments.find(org.name);
  if (!d || (d.name === org.name && org.id === d.code)) return e;
  return { ...e, organization: { ...org, name: d.name, id: d.code } };
}

/**
 * Enrichment may name a department by its code (`ga`) or its name (`公安`). UEBA compares them
 * (reads of another department's data), keys entities by them and hands them to the PDP's row
 * filter and to alerts, all of which need the one canonical name: the department fields UEBA
 * reads are resolved through the catalogue before the engine sees the event.
 */
import { COLUMNS } from './features/columns';

/** The paths of the department columns UEBA reads (features/columns.ts). */
const DEPARTMENT_PATHS: readonly (readonly string[])[] = [COLUMNS.user_department.path, COLUMNS.asset_department.path, COLUMNS.owner_department.path];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function withCanonical(node: Obj, path: readonly string[], find: (codeOrName: string) => string | null): Obj {
  const [head, ...rest] = path as [string, ...string[]];
  const v = node[head];
  if (rest.length === 0) {
    if (typeof v !== 'string') return node;
    const name = find(v);
    return name === null || name === v ? node : { ...node, [head]: name };
  }
  if (!isObj(v)) return node;
  const next = withCanonical(v, rest, find);
  return next === v ? node : { ...node, [head]: next };
}

/**
 * The event with its department fields as the catalogue's names (unknown ones kept as they are);
 * the same object when nothing changes. `find` answers a code or name with the name, or null.
 */
export function canonicalDepartments<E>(event: E, find: (codeOrName: string) => string | null): E {
  if (!isObj(event)) return event;
  let out: Obj = event;
  for (const p of DEPARTMENT_PATHS) out = withCanonical(out, p, find);
  return out as E;
}

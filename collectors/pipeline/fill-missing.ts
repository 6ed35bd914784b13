import { type Doc, isPlainObject } from '../../core/doc';

const isDoc = isPlainObject;

/** Deep-copies fields of `extra` into `target` where target has none: what a parser found wins. */
export function fillMissing(target: Doc, extra: Doc): Doc {
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined || v === null) continue;
    const cur = target[k];
    if (cur === undefined || cur === null) target[k] = isDoc(v) ? fillMissing({}, v) : v;
    else if (isDoc(cur) && isDoc(v)) fillMissing(cur, v);
  }
  return target;
}

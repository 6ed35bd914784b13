/**
 * The casbin enforcer over model.conf, with the matcher's functions registered. It holds the
 * policy (loaded through an adapter, changed through its management API, synced by a watcher);
 * the PDP decides from the index compiled out of it (engine.ts), and tests use enforceSync as
 * the reference the index must agree with.
 */
import { readFileSync } from 'node:fs';
import { type Adapter, newEnforcer, newModelFromString, type Enforcer } from 'casbin';
import { classificationHolds, type Condition, contextHolds, parseCondition } from './conditions';
import { MODEL_FILE } from './policy-file';
import { actionMatch, domainMatch, resourceMatch } from './resource';

const conditions = new Map<string, Condition>();

/** Casbin's view of a condition: the request states everything, so it holds or it does not. */
function conditionHolds(source: string, env: { classification?: string; zone?: string; minute?: number; ip?: string }): boolean {
  let c = conditions.get(source);
  if (!c) conditions.set(source, (c = parseCondition(source)));
  return contextHolds(c, env) === true && classificationHolds(c, env.classification as never) === true;
}

export async function createEnforcer(adapter: Adapter): Promise<Enforcer> {
  const e = await newEnforcer(newModelFromString(readFileSync(MODEL_FILE, 'utf8')), adapter);
  await e.addFunction('domainMatch', (d: string, p: string) => domainMatch(d, p));
  await e.addFunction('resourceMatch', (o: string, p: string) => resourceMatch(o, p));
  await e.addFunction('actionMatch', (a: string, p: string) => actionMatch(a, p));
  await e.addFunction('conditionHolds', conditionHolds);
  // A role held in * holds in every department.
  await e.addNamedDomainMatchingFunc('g', (requested: string, held: string) => held === '*' || requested === held);
  return e;
}

import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The CitySOC checkout that holds `marker` (a path relative to its root), found from where the
 * code runs: the source tree in tests, dist/ after a build.
 */
export function findCheckout(marker: string, from = __dirname): string | null {
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, marker)) && existsSync(path.join(dir, 'package.json'))) return dir;
  }
  return null;
}

/** The rules shipped with CitySOC: rules/ at the root of the checkout. */
export function shippedRulesDir(): string | null {
  const root = findCheckout('rules/ssh');
  return root && path.join(root, 'rules');
}

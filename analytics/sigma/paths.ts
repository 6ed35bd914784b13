// The rule files under some paths: directories walked (sorted) for `.yml`/`.yaml` files. Entries
// are typed by the directory listing; only symbolic links cost a stat (they are followed).
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

const RULE_FILE = /\.ya?ml$/i;

export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walkDir = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) visit(join(dir, entry.name), entry);
  };
  const visit = (p: string, entry?: Dirent): void => {
    const isDir = entry && !entry.isSymbolicLink() ? entry.isDirectory() : statSync(p).isDirectory();
    if (isDir) walkDir(p);
    else if (RULE_FILE.test(p)) out.push(p);
  };
  for (const p of paths) visit(p);
  return out;
}
